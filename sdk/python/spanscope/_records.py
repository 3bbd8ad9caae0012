"""Traces and spans: the objects users hold (``.id``, ``.update``, ``.log_feedback_score``,
``.span``, ``.end``, and Braintrust's ``.log``/``.export``), made by tracked calls, by the
client, by the logger and by integrations. What they become on the wire is ``_wire``'s
business; this module only keeps their state, which users' threads write and the sender
thread reads.

Records know nothing of the sender: they hand themselves and their later changes to a sink,
which the runtime installs (``_runtime``), as OpenTelemetry's spans know only the processor
their tracer gave them. Tracked calls (``_track``) append to the sender's queue themselves, on
the hot path.

Every method a user calls is an entry point wrapped in ``never_raise``: a bad argument is
dropped (with a warning, from ``_fields``), never raised.
"""

import os
import threading
import time

from . import _ids
from ._config import settings
from ._context import current_span
from ._export import export_text
from ._fields import (
    SPAN_FIELDS,
    TRACE_FIELDS,
    UNSET,
    caller_location,
    clean,
    error_info,
    merge,
    non_none,
    score_value,
    split_metrics,
    warn_ignored,
)
from ._guard import never_raise
from ._updates import FieldUpdate, Score
from ._warn import warn_once

time_ns = time.time_ns
# The metadata a span gets when its trace's end closed it (docs/protocol.md, "Spans that
# never end"): the UI says "ended with its trace" rather than showing a duration of its own.
ENDED_BY = {"spanscope.ended_by": "trace_end"}
# Guards the lazy making of a root span's trace (two threads may ask at once).
_trace_lock = threading.Lock()


def _not_installed(item):
    """The sink until the runtime installs the sender's (``import spanscope`` does)."""


_emit = _not_installed


def install_sink(emit):
    """Where records send themselves (once, when they start) and their later changes."""
    global _emit
    _emit = emit


def _after_fork_in_child():
    # The lock may have been held by another thread at the fork, and that thread is gone.
    global _trace_lock
    _trace_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class _Record:
    __slots__ = ("start_ns", "end_ns", "_seq", "_id", "_fields", "_sent")

    _allowed = frozenset()
    _target = ""

    @property
    def id(self):
        text = self._id
        if text is None:
            text = self._id = _ids.uuid7(self.start_ns, self._seq)
        return text

    @property
    def ended(self):
        return self._ended()

    def _set(self, changes):
        """Cleans and merges changes, and queues them; the start event, if still queued,
        picks them up too, which is harmless (the collector's merge is idempotent)."""
        cleaned = {}
        for key, value in changes.items():
            ok, value = clean(key, value, self._allowed)
            if ok:
                cleaned[key] = value
        if not cleaned:
            return
        fields = {} if self._fields is None else dict(self._fields)
        merge(fields, cleaned)
        self._fields = fields
        _emit(FieldUpdate(self, cleaned))

    @never_raise()
    def log_feedback_score(self, name, value, reason=None, category_name=None):
        """Scores this record (source ``sdk``); a later score of the same name replaces it."""
        number = score_value(name, value)
        if number is not None:
            _emit(Score(self._target, self, str(name), number, reason, category_name))

    @never_raise()
    def _log_scores(self, scores):
        for score in scores or ():
            try:
                name, value = score["name"], score["value"]
                reason, category = score.get("reason"), score.get("category_name")
            except (KeyError, TypeError, AttributeError):
                warn_once("score-shape", "a feedback score needs 'name' and 'value'; got %r" % (score,))
                continue
            self.log_feedback_score(name, value, reason, category)

    def _field(self, key, default=None):
        fields = self._fields
        if fields is None:
            return default
        return fields.get(key, default)


class Trace(_Record):
    """A trace. Made by the outermost tracked call (then its name, input, output and error
    follow that root span unless set here), by ``Client.trace``, or as a reference to a trace
    that lives elsewhere (an exported parent from another process)."""

    __slots__ = ("project_name", "_root", "_open", "__weakref__")

    _allowed = TRACE_FIELDS
    _target = "trace"

    def __init__(self, project_name, start_ns):
        self.start_ns = start_ns
        self.end_ns = 0
        self._seq = next(_ids.counter)
        self._id = None
        self._fields = None
        self._sent = 0
        self.project_name = project_name
        self._root = None
        self._open = None

    @classmethod
    def manual(cls, project_name, given, ignored):
        """A trace made by hand (``Client.trace``); ``given`` holds the caller's keyword
        arguments. Always gives a trace: what can not be used of ``given`` is left out."""
        trace = cls(project_name, time_ns())
        trace._take(given, ignored)
        _emit(trace)
        trace._log_scores(given.get("feedback_scores"))
        return trace

    @never_raise()
    def _take(self, given, ignored):
        self.start_ns = _ids.to_ns(given.get("start_time")) or self.start_ns
        if given.get("id"):
            self._id = str(given["id"])
        warn_ignored(ignored)
        fields = {}
        for key in ("name", "input", "output", "metadata", "tags", "error_info", "thread_id", "expected"):
            value = given.get(key)
            if value is not None:
                ok, value = clean(key, value, TRACE_FIELDS)
                if ok:
                    fields[key] = value
        self._fields = fields or None
        end_ns = _ids.to_ns(given.get("end_time"))
        if end_ns:
            self.end_ns = end_ns

    @classmethod
    def reference(cls, trace_id, project_name):
        trace = cls(project_name, 0)
        trace._id = trace_id
        trace._sent = 2  # someone else sends it
        return trace

    @property
    def name(self):
        name = self._field("name")
        if name is None and self._root is not None:
            return self._root.name
        return name

    @never_raise()
    def update(
        self,
        name=None,
        input=None,
        output=None,
        metadata=None,
        tags=None,
        feedback_scores=None,
        thread_id=None,
        error_info=None,
        expected=None,
        **ignored,
    ):
        """Sets trace fields; metadata merges key by key, tags add to the existing ones."""
        changes = non_none(
            name=name,
            input=input,
            output=output,
            metadata=metadata,
            tags=tags,
            thread_id=thread_id,
            error_info=error_info,
            expected=expected,
        )
        warn_ignored(ignored)
        self._set(changes)
        self._log_scores(feedback_scores)

    def span(
        self,
        name=None,
        type="general",
        input=None,
        output=None,
        metadata=None,
        tags=None,
        usage=None,
        model=None,
        provider=None,
        total_estimated_cost=None,
        start_time=None,
        end_time=None,
        feedback_scores=None,
        error_info=None,
        id=None,
        parent_span_id=None,
        **ignored,
    ):
        """A child span of this trace (Opik's ``trace.span``); ``end()`` it, or it ends with the trace."""
        parent = Span.reference(parent_span_id, self) if parent_span_id else None
        return Span.manual(self, parent, name, type, locals(), ignored)

    @never_raise()
    def end(self, end_time=None, **changes):
        """Ends the trace, and every span made through it that is still open."""
        if changes:
            self.update(**changes)
        if self.end_ns:
            return
        end_ns = _ids.to_ns(end_time) or time_ns()
        self._close_open(end_ns)
        self.end_ns = end_ns

    def _close_open(self, end_ns):
        """Ends the spans made through this trace that the user left open, at the trace's end,
        marked (``ENDED_BY``) so a reader can tell they did not end on their own."""
        opened, self._open = self._open, None
        for span in list(opened or ()):
            if not span.end_ns:
                span._set({"metadata": ENDED_BY})
                span.end_ns = end_ns

    # ---- sender side ---------------------------------------------------------------

    def _ended(self):
        root = self._root
        return self.end_ns != 0 or (root is not None and root.end_ns != 0)

    def _end_ns(self):
        root = self._root
        return self.end_ns or (root.end_ns if root is not None else 0)

    def _abandon(self, end_ns, error):
        if self._ended():
            return
        if error is not None and (self._fields is None or "error_info" not in self._fields):
            self._fields = dict(self._fields or {}, error_info=error)
        self.end_ns = end_ns


class Span(_Record):
    """A span: made by a tracked call, by ``trace.span``/``span.span``, by
    ``logger.start_span``, or by an integration. Usable as a context manager, which makes it
    the current span inside the block."""

    # ``_wire_in``/``_wire_out`` are left unset on the hot path; the sender fills them so a
    # root span's input and output are serialised once for the span and its trace.
    __slots__ = (
        "_trace",
        "parent",
        "_spec",
        "_args",
        "_kwargs",
        "output",
        "error",
        "_token",
        "_wire_in",
        "_wire_out",
        "__weakref__",
    )

    _allowed = SPAN_FIELDS
    _target = "span"

    def __init__(self, spec, parent, trace, args, kwargs):
        # Tracked sync calls write these same slots inline (``_track._sync_wrapper``).
        self.start_ns = time_ns()
        self._seq = next(_ids.counter)
        self.end_ns = 0
        self._id = None
        self._fields = None
        self._sent = 0
        self._trace = trace
        self.parent = parent
        self._spec = spec
        self._args = args
        self._kwargs = kwargs
        self.output = UNSET
        self.error = None
        self._token = None

    @property
    def trace(self):
        """The span's trace. The outermost tracked call makes its trace only when something
        asks for it (a child call, ``get_current_trace()``, the sender), which keeps a
        trivial top-level call from paying for a second object."""
        trace = self._trace
        if trace is None:
            trace = self._make_trace()
        return trace

    def _make_trace(self):
        with _trace_lock:
            trace = self._trace
            if trace is None:
                spec = self._spec
                trace = Trace((spec.project_name if spec is not None else None) or settings.project_name, self.start_ns)
                trace._root = self
                self._trace = trace
        return trace

    @classmethod
    def reference(cls, span_id, trace):
        span = cls(None, None, trace, None, None)
        span._id = span_id
        span._sent = 2
        return span

    @classmethod
    def manual(cls, trace, parent, name, type, given, ignored, root=False):
        """A span made by hand; ``given`` holds the caller's keyword arguments. A ``root``
        span stands for its trace (the trace's name, input and output follow it)."""
        span = cls(None, parent, trace, None, None)
        span._take(name, type, given, ignored)
        if root:
            trace._root = span
            trace.start_ns = span.start_ns
        _emit(span)
        span._log_scores(given.get("feedback_scores"))
        return span

    @never_raise()
    def _take(self, name, type, given, ignored):
        trace = self._trace
        start_ns = _ids.to_ns(given.get("start_time"))
        if start_ns:
            self.start_ns = start_ns
        if given.get("id"):
            self._id = str(given["id"])
        warn_ignored(ignored)
        changes = non_none(**{k: given.get(k) for k in _MANUAL_KEYS})
        changes["name"] = name or "span"
        changes["type"] = type or "general"
        location = caller_location()
        if location:
            changes["code_location"] = location
        fields = {}
        for key, value in changes.items():
            ok, value = clean(key, value, SPAN_FIELDS)
            if ok:
                fields[key] = value
        self._fields = fields
        end_ns = _ids.to_ns(given.get("end_time"))
        if end_ns:
            self.end_ns = end_ns
        else:
            opened = trace._open
            if opened is None:
                opened = trace._open = set()
            opened.add(self)

    # ---- what users read -----------------------------------------------------------

    @property
    def name(self):
        name = self._field("name")
        if name is None and self._spec is not None:
            return self._spec.name
        return name

    @property
    def trace_id(self):
        return self.trace.id

    @property
    def parent_span_id(self):
        return self.parent.id if self.parent is not None else None

    @property
    def project_name(self):
        return self.trace.project_name

    # ---- Opik idiom ----------------------------------------------------------------

    @never_raise()
    def update(
        self,
        name=None,
        type=None,
        input=None,
        output=None,
        metadata=None,
        tags=None,
        usage=None,
        model=None,
        provider=None,
        total_estimated_cost=None,
        error_info=None,
        expected=None,
        feedback_scores=None,
        time_to_first_token_ms=None,
        **ignored,
    ):
        """Sets span fields; metadata and usage merge key by key, tags add to the existing ones."""
        changes = non_none(
            name=name,
            type=type,
            input=input,
            output=output,
            metadata=metadata,
            tags=tags,
            usage=usage,
            model=model,
            provider=provider,
            total_estimated_cost=total_estimated_cost,
            error_info=error_info,
            expected=expected,
            time_to_first_token_ms=time_to_first_token_ms,
        )
        warn_ignored(ignored)
        self._set(changes)
        self._log_scores(feedback_scores)

    def span(
        self,
        name=None,
        type="general",
        input=None,
        output=None,
        metadata=None,
        tags=None,
        usage=None,
        model=None,
        provider=None,
        total_estimated_cost=None,
        start_time=None,
        end_time=None,
        feedback_scores=None,
        error_info=None,
        id=None,
        **ignored,
    ):
        """A child span of this span."""
        return Span.manual(self.trace, self, name, type, locals(), ignored)

    @never_raise()
    def end(self, end_time=None, **changes):
        if changes:
            self.update(**changes)
        if self.end_ns:
            return
        trace = self.trace
        opened = trace._open
        if opened is not None:
            opened.discard(self)
        end_ns = _ids.to_ns(end_time) or time_ns()
        if trace._root is self:
            # A root span stands for its trace (``logger.start_span()``): its end is the trace's.
            trace._close_open(end_ns)
        self.end_ns = end_ns

    close = end

    # ---- Braintrust idiom ----------------------------------------------------------

    @never_raise()
    def log(
        self,
        input=UNSET,
        output=UNSET,
        expected=UNSET,
        scores=None,
        metadata=None,
        metrics=None,
        tags=None,
        error=None,
        **ignored,
    ):
        """Braintrust's ``span.log``: scores become feedback scores, token metrics become usage."""
        changes = {}
        for key, value in (("input", input), ("output", output), ("expected", expected)):
            if value is not UNSET:
                changes[key] = value
        if metadata:
            changes["metadata"] = metadata
        if tags:
            changes["tags"] = tags
        if error is not None:
            changes["error_info"] = (
                error
                if isinstance(error, (BaseException, dict))
                else {"exception_type": "Error", "message": str(error)}
            )
        usage, other = split_metrics(metrics)
        if usage:
            changes["usage"] = usage
        if other:
            changes["metadata"] = dict(changes.get("metadata") or {}, metrics=other)
        warn_ignored(ignored)
        self._set(changes)
        for name, value in (scores or {}).items():
            if value is not None:
                self.log_feedback_score(name, value)

    def start_span(self, name=None, type="general", input=None, output=None, metadata=None, tags=None, **ignored):
        """A child span, for ``with span.start_span("step") as child:``."""
        return Span.manual(self.trace, self, name, type, locals(), ignored)

    def export(self):
        """A string naming this span (trace id, span id, project) that ``parent=`` accepts,
        in this process or another one."""
        return export_text(self.trace.id, self.id, self.trace.project_name)

    def __enter__(self):
        self._token = current_span.set(self)
        return self

    def __exit__(self, exc_type, exc, tb):
        token, self._token = self._token, None
        if token is not None:
            try:
                current_span.reset(token)
            except ValueError:
                # Entered in another context (another task or thread): nothing of ours to undo there.
                pass
        if exc is not None and self.error is None and self._field("error_info") is None:
            self.error = error_info(exc)
        self.end()
        return False

    # ---- sender side ---------------------------------------------------------------

    def _ended(self):
        return self.end_ns != 0

    def _error(self):
        error = self._field("error_info")
        return error if error is not None else self.error

    def _abandon(self, end_ns, error):
        if self.end_ns:
            return
        if error is not None and self._error() is None:
            self.error = error
        self.end_ns = end_ns


@never_raise()
def score_by_id(target, record_id, name, value, reason=None, category_name=None):
    """Queues a score for a trace or span known only by its id."""
    number = score_value(name, value)
    if number is not None:
        _emit(Score(target, str(record_id), str(name), number, reason, category_name))


def settle_trace(record):
    """Makes a tracked call's trace now if it is still to be made lazily, so that it takes the
    project of this moment (``configure`` changes the default project)."""
    if isinstance(record, Span) and record._trace is None:
        record._make_trace()


_MANUAL_KEYS = (
    "input",
    "output",
    "metadata",
    "tags",
    "usage",
    "model",
    "provider",
    "total_estimated_cost",
    "error_info",
    "expected",
)
