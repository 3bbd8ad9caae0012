"""Do-nothing trace and span handles, handed out while tracing is off (``SPANSCOPE_DISABLE``).

Disabled must mean "the script runs exactly as before": code written for tracing
(``get_current_trace().update(tags=[...])`` inside a tracked function, ``with
logger.start_span() as span: span.log(...)``, ``client.trace(...).span(...).end()``) keeps
working, it just records nothing. So every entry point that would give a trace or a span gives
one of these instead of ``None``: each method takes any arguments and does nothing, ``span()``
and ``start_span()`` give a span back, and the ids are empty strings (Braintrust's no-op span
does the same), which the score-by-id calls accept and ignore.

Braintrust's ``current_span()`` also gives the no-op span outside any span while tracing is
on, as Braintrust does; Opik's ``get_current_span()`` keeps Opik's ``None`` there (``context``).
"""

from ._config import settings


class NoopSpan:
    """A span that records nothing; usable as a context manager, like a real one."""

    __slots__ = ()

    id = ""
    trace_id = ""
    parent_span_id = None
    parent = None
    name = None
    ended = False

    @property
    def project_name(self):
        return settings.project_name

    @property
    def trace(self):
        return NOOP_TRACE

    def update(self, *args, **kwargs):
        return None

    def log(self, *args, **kwargs):
        return None

    def log_feedback_score(self, *args, **kwargs):
        return None

    def span(self, *args, **kwargs):
        return self

    start_span = span

    def end(self, *args, **kwargs):
        return None

    close = end

    def export(self, *args, **kwargs):
        return ""

    def flush(self, *args, **kwargs):
        return True

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        return False

    def __repr__(self):
        return "<spanscope no-op span (tracing is disabled)>"


class NoopTrace:
    """A trace that records nothing."""

    __slots__ = ()

    id = ""
    name = None
    ended = False

    @property
    def project_name(self):
        return settings.project_name

    def update(self, *args, **kwargs):
        return None

    def log_feedback_score(self, *args, **kwargs):
        return None

    def span(self, *args, **kwargs):
        return NOOP_SPAN

    def end(self, *args, **kwargs):
        return None

    def __repr__(self):
        return "<spanscope no-op trace (tracing is disabled)>"


NOOP_SPAN = NoopSpan()
NOOP_TRACE = NoopTrace()
