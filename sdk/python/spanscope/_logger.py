"""The Braintrust idiom: ``init_logger``, ``logger.start_span``, ``span.log``,
``span.export`` and ``logger.log_feedback``.

Braintrust's ``parent=`` takes the text of ``span.export()``; here that text carries the
trace id, the span id and the project, so a span started from it (in this process or any
other) lands under the exported span in the same trace.
"""

from . import _sender
from ._config import settings
from ._configure import configure
from ._context import current_span as _current
from ._export import parse_export
from ._fields import caller_frame
from ._guard import never_raise
from ._noop import NOOP_SPAN
from ._records import Span, Trace, score_by_id
from ._track import track
from ._updates import SpanUpdateById
from ._warn import warn_once

_current_logger = None


class Logger:
    def __init__(self, project=None):
        self.project = project or settings.project_name

    @property
    def project_name(self):
        return self.project

    def start_span(
        self,
        name=None,
        type=None,
        span_attributes=None,
        start_time=None,
        parent=None,
        input=None,
        output=None,
        expected=None,
        metadata=None,
        tags=None,
        **ignored,
    ):
        """A span; as a context manager (``with logger.start_span() as span:``) it is the
        current span inside the block and ends when the block does. Without ``parent`` it
        nests under the current span, or starts a trace."""
        if settings.disabled:
            return NOOP_SPAN
        if span_attributes and not type:
            type = span_attributes.get("type")
        name = name or _caller_name()
        given = dict(input=input, output=output, expected=expected, metadata=metadata, tags=tags, start_time=start_time)
        trace, parent_span = self._parent(parent)
        if trace is None:
            return Span.manual(Trace(self.project, 0), None, name, type, given, ignored, root=True)
        return Span.manual(trace, parent_span, name, type, given, ignored)

    def log(
        self,
        input=None,
        output=None,
        expected=None,
        scores=None,
        metadata=None,
        metrics=None,
        tags=None,
        id=None,
        **ignored,
    ):
        """One complete row: a root span with these fields. Returns its id."""
        if settings.disabled:
            return NOOP_SPAN.id
        span = Span.manual(
            Trace(self.project, 0),
            None,
            "log",
            "general",
            dict(id=id, input=input, output=output, expected=expected),
            ignored,
            root=True,
        )
        span.log(scores=scores, metadata=metadata, metrics=metrics, tags=tags)
        span.end()
        return span.id

    def log_feedback(
        self, id, scores=None, expected=None, tags=None, comment=None, metadata=None, source=None, **ignored
    ):
        """Feedback on a span by its id (or its ``export()`` text): each score becomes a
        feedback score whose reason is ``comment``; ``expected``, ``metadata`` and ``tags``
        update the span."""
        if not _log_feedback(id, scores, expected, tags, comment, metadata):
            warn_once("log-feedback", "log_feedback() could not use its arguments; ignored")

    def traced(self, *args, **kwargs):
        return track(*args, **kwargs)

    def flush(self, timeout=None):
        return _sender.flush(timeout)

    def _parent(self, parent):
        """(trace, parent span) for a new span; (None, None) to start a new trace."""
        if isinstance(parent, Span):
            return parent.trace, parent
        if parent:
            exported = parse_export(parent)
            if exported is None:
                warn_once("parent", "parent=%r is not the text of span.export(); starting a new trace" % (parent,))
                return None, None
            trace_id, span_id, project = exported
            trace = Trace.reference(trace_id, project or self.project)
            return trace, Span.reference(span_id, trace)
        current = _current.get()
        if current is not None:
            return current.trace, current
        return None, None


def init_logger(
    project=None, project_id=None, api_key=None, org_name=None, async_flush=True, set_current=True, **ignored
):
    """Braintrust's ``init_logger(project=...)``: a logger whose spans go to ``project``. As
    the current logger (the default) it also makes ``project`` the default project of
    ``@traced`` functions, as Braintrust does."""
    global _current_logger
    logger = Logger(project)
    if set_current:
        _current_logger = logger
        if project:
            configure(project_name=project)
    return logger


def current_logger():
    return _current_logger


def start_span(name=None, **kwargs):
    """Braintrust's module-level ``start_span``: under the current span, or a new trace."""
    return (_current_logger or Logger()).start_span(name=name, **kwargs)


def current_span():
    """Braintrust's ``current_span()``: the span the calling code runs in, or, outside any
    (and while tracing is disabled), a span that records nothing, as Braintrust's does, so
    ``current_span().log(...)`` never fails."""
    span = _current.get()
    return span if span is not None else NOOP_SPAN


@never_raise(fallback=False)
def _log_feedback(id, scores, expected, tags, comment, metadata):
    span_id, trace_id = str(id), None
    exported = parse_export(span_id)
    if exported is not None:
        trace_id, span_id, _ = exported
    for name, value in (scores or {}).items():
        if value is not None:
            score_by_id("span", span_id, name, value, reason=comment)
    fields = {}
    if expected is not None:
        fields["expected"] = expected
    if metadata:
        fields["metadata"] = dict(metadata)
    if comment is not None and not scores:
        fields["metadata"] = dict(fields.get("metadata") or {}, comment=comment)
    if tags:
        fields["tags"] = [str(t) for t in tags]
    if fields:
        _sender.emit(SpanUpdateById(span_id, trace_id, fields))
    return True


def _caller_name():
    # Braintrust names an unnamed span after the code that opened it.
    frame = caller_frame()
    name = frame.f_code.co_name if frame is not None else "<module>"
    return "root" if name.startswith("<") else name
