"""Traces and spans: the objects users hold, and the events each one becomes on the wire.

A record is queued once, when it starts (see ``_sender``). The sender thread turns it into
``span_start``/``trace_start`` if it is still running then, or into one complete
``span_end``/``trace_end`` if it already finished; a running record is then watched and its
end sent as soon as it is seen. Ending a span therefore costs the user's thread two
attribute writes and no queue operation. Later changes (``update``, scores) are queued as
their own small entries and sent in order.

The fields are only read, copied and serialised on the sender thread; the user's thread
writes them. Writes go field by field with the end time written last, so a reader that sees
the end also sees the output.
"""

import base64
import json
import threading
import time

from . import _ids, _sender
from ._config import settings
from ._context import current_span
from ._fields import FREE_FORM, SPAN_FIELDS, TRACE_FIELDS, caller_location, clean, error_info, merge, score_value
from ._serialize import jsonable
from ._warn import warn_once

UNSET = object()
time_ns = time.time_ns
EXPORT_PREFIX = "ss1:"
_trace_lock = threading.Lock()


def wire(key, value):
    if key in FREE_FORM:
        value = jsonable(value, settings.max_value_chars)
        if key == "metadata" and not isinstance(value, dict):
            value = {"value": value}
    return value


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
        fields = self._fields
        if fields is None:
            fields = {}
        else:
            fields = dict(fields)
        merge(fields, cleaned)
        self._fields = fields
        _sender.emit(_Update(self, cleaned))

    def log_feedback_score(self, name, value, reason=None, category_name=None):
        """Scores this record (source ``sdk``); a later score of the same name replaces it."""
        try:
            number = score_value(name, value)
            if number is not None:
                _sender.emit(_Score(self._target, self, str(name), number, reason, category_name))
        except Exception:  # noqa: BLE001 - never into user code
            pass

    def _log_scores(self, scores):
        for score in scores or ():
            try:
                self.log_feedback_score(score["name"], score["value"], score.get("reason"), score.get("category_name"))
            except Exception:  # noqa: BLE001
                warn_once("score-shape", "a feedback score needs 'name' and 'value'; got %r" % (score,))

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
        """A trace made by hand (``Client.trace``); ``given`` holds the caller's keyword arguments."""
        trace = cls(project_name, _ids.to_ns(given.get("start_time")) or time_ns())
        try:
            if given.get("id"):
                trace._id = str(given["id"])
            _warn_ignored(ignored)
            fields = {}
            for key in ("name", "input", "output", "metadata", "tags", "error_info", "thread_id", "expected"):
                value = given.get(key)
                if value is not None:
                    ok, value = clean(key, value, TRACE_FIELDS)
                    if ok:
                        fields[key] = value
            trace._fields = fields or None
            end_ns = _ids.to_ns(given.get("end_time"))
            if end_ns:
                trace.end_ns = end_ns
        except Exception:  # noqa: BLE001
            pass
        _sender.emit(trace)
        trace._log_scores(given.get("feedback_scores"))
        return trace

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

    def update(self, name=None, input=None, output=None, metadata=None, tags=None, feedback_scores=None,
               thread_id=None, error_info=None, expected=None, **ignored):
        """Sets trace fields; metadata merges key by key, tags add to the existing ones."""
        try:
            changes = _given(name=name, input=input, output=output, metadata=metadata, tags=tags,
                             thread_id=thread_id, error_info=error_info, expected=expected)
            _warn_ignored(ignored)
            self._set(changes)
            self._log_scores(feedback_scores)
        except Exception:  # noqa: BLE001
            pass

    def span(self, name=None, type="general", input=None, output=None, metadata=None, tags=None, usage=None,
             model=None, provider=None, total_estimated_cost=None, start_time=None, end_time=None,
             feedback_scores=None, error_info=None, id=None, parent_span_id=None, **ignored):
        """A child span of this trace (Opik's ``trace.span``); ``end()`` it, or it ends with the trace."""
        parent = Span.reference(parent_span_id, self) if parent_span_id else None
        return Span.manual(self, parent, name, type, locals(), ignored)

    def end(self, end_time=None, **changes):
        """Ends the trace, and every span made through it that is still open."""
        try:
            if changes:
                self.update(**changes)
            if self.end_ns:
                return
            end_ns = _ids.to_ns(end_time) or time_ns()
            for span in list(self._open or ()):
                if not span.end_ns:
                    span.end_ns = end_ns
            self._open = None
            self.end_ns = end_ns
        except Exception:  # noqa: BLE001
            pass

    # ---- sender side ---------------------------------------------------------------

    def _ended(self):
        root = self._root
        return self.end_ns != 0 or (root is not None and root.end_ns != 0)

    def _end_ns(self):
        root = self._root
        return self.end_ns or (root.end_ns if root is not None else 0)

    def _drain(self, out, running):
        if self._sent:
            return
        ended = self._ended()
        out.append({"event": "trace_end" if ended else "trace_start", "trace": self._body(True, ended)})
        self._sent = 2 if ended else 1
        if not ended:
            running.add(self)

    def _emit_end(self, out):
        self._sent = 2
        out.append({"event": "trace_end", "trace": self._body(False, True)})

    def _abandon(self, end_ns, error):
        if self._ended():
            return
        if error is not None and (self._fields is None or "error_info" not in self._fields):
            self._fields = dict(self._fields or {}, error_info=error)
        self.end_ns = end_ns

    def _body(self, full, ended):
        body = {"id": self.id}
        fields = dict(self._fields) if self._fields else {}
        root = self._root
        if full:
            body["project_name"] = self.project_name
            body["start_time"] = _ids.iso(self.start_ns)
            name = fields.pop("name", None) or (root.name if root is not None else None)
            if name:
                body["name"] = name
            if "input" not in fields and root is not None:
                root_input = root._wire_input()
                if root_input is not UNSET:
                    body["input"] = root_input
            if root is not None and root._spec is not None:
                # A tracked function's tags and metadata describe its trace too.
                if root._spec.tags:
                    body["tags"] = list(root._spec.tags)
                if root._spec.metadata:
                    body["metadata"] = jsonable(root._spec.metadata, settings.max_value_chars)
            for key, value in fields.items():
                if key == "output" and ended:
                    continue  # written below
                if key in ("metadata", "tags") and key in body:
                    merged = {key: body[key]}
                    merge(merged, {key: wire(key, value)})
                    body[key] = merged[key]
                else:
                    body[key] = wire(key, value)
        if ended:
            body["end_time"] = _ids.iso(self._end_ns())
            if "output" in fields:
                body["output"] = wire("output", fields["output"])
            elif root is not None:
                root_output = root._wire_output()
                if root_output is not UNSET:
                    body["output"] = root_output
            if "error_info" in fields:
                body["error_info"] = fields["error_info"]
            elif root is not None and root._error() is not None:
                body["error_info"] = root._error()
        return body


class Span(_Record):
    """A span: made by a tracked call, by ``trace.span``/``span.span``, by
    ``logger.start_span``, or by an integration. Usable as a context manager, which makes it
    the current span inside the block."""

    # ``_wire_in``/``_wire_out`` are left unset on the hot path; the sender fills them so a
    # root span's input and output are serialised once for the span and its trace.
    __slots__ = ("_trace", "parent", "_spec", "_args", "_kwargs", "output", "error", "_token", "_wire_in",
                 "_wire_out", "__weakref__")

    _allowed = SPAN_FIELDS
    _target = "span"

    def __init__(self, spec, parent, trace, args, kwargs):
        # Tracked calls build spans inline (see ``_track.new_span``); this is for the rest.
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
            with _trace_lock:
                trace = self._trace
                if trace is None:
                    spec = self._spec
                    trace = Trace((spec.project_name if spec is not None else None) or settings.project_name,
                                  self.start_ns)
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
        try:
            start_ns = _ids.to_ns(given.get("start_time"))
            if start_ns:
                span.start_ns = start_ns
            if given.get("id"):
                span._id = str(given["id"])
            _warn_ignored(ignored)
            changes = _given(**{k: given.get(k) for k in _MANUAL_KEYS})
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
            span._fields = fields
            end_ns = _ids.to_ns(given.get("end_time"))
            if end_ns:
                span.end_ns = end_ns
            else:
                opened = trace._open
                if opened is None:
                    opened = trace._open = set()
                opened.add(span)
        except Exception:  # noqa: BLE001
            pass
        if root:
            trace._root = span
            trace.start_ns = span.start_ns
        _sender.emit(span)
        span._log_scores(given.get("feedback_scores"))
        return span

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

    def update(self, name=None, type=None, input=None, output=None, metadata=None, tags=None, usage=None,
               model=None, provider=None, total_estimated_cost=None, error_info=None, expected=None,
               feedback_scores=None, **ignored):
        """Sets span fields; metadata and usage merge key by key, tags add to the existing ones."""
        try:
            changes = _given(name=name, type=type, input=input, output=output, metadata=metadata, tags=tags,
                             usage=usage, model=model, provider=provider, total_estimated_cost=total_estimated_cost,
                             error_info=error_info, expected=expected)
            _warn_ignored(ignored)
            self._set(changes)
            self._log_scores(feedback_scores)
        except Exception:  # noqa: BLE001
            pass

    def span(self, name=None, type="general", input=None, output=None, metadata=None, tags=None, usage=None,
             model=None, provider=None, total_estimated_cost=None, start_time=None, end_time=None,
             feedback_scores=None, error_info=None, id=None, **ignored):
        """A child span of this span."""
        return Span.manual(self.trace, self, name, type, locals(), ignored)

    def end(self, end_time=None, **changes):
        try:
            if changes:
                self.update(**changes)
            if self.end_ns:
                return
            opened = self.trace._open
            if opened is not None:
                opened.discard(self)
            self.end_ns = _ids.to_ns(end_time) or time_ns()
        except Exception:  # noqa: BLE001
            pass

    close = end

    # ---- Braintrust idiom ----------------------------------------------------------

    def log(self, input=UNSET, output=UNSET, expected=UNSET, scores=None, metadata=None, metrics=None,
            tags=None, error=None, **ignored):
        """Braintrust's ``span.log``: scores become feedback scores, token metrics become usage."""
        try:
            changes = {}
            for key, value in (("input", input), ("output", output), ("expected", expected)):
                if value is not UNSET:
                    changes[key] = value
            if metadata:
                changes["metadata"] = metadata
            if tags:
                changes["tags"] = tags
            if error is not None:
                changes["error_info"] = error if isinstance(error, (BaseException, dict)) else {
                    "exception_type": "Error", "message": str(error)}
            usage, other = _split_metrics(metrics)
            if usage:
                changes["usage"] = usage
            if other:
                changes["metadata"] = dict(changes.get("metadata") or {}, metrics=other)
            _warn_ignored(ignored)
            self._set(changes)
            for name, value in (scores or {}).items():
                if value is not None:
                    self.log_feedback_score(name, value)
        except Exception:  # noqa: BLE001
            pass

    def start_span(self, name=None, type="general", input=None, output=None, metadata=None, tags=None, **ignored):
        """A child span, for ``with span.start_span("step") as child:``."""
        return Span.manual(self.trace, self, name, type, locals(), ignored)

    def export(self):
        """A string naming this span (trace id, span id, project) that ``parent=`` accepts,
        in this process or another one."""
        data = json.dumps([self.trace.id, self.id, self.trace.project_name], separators=(",", ":"))
        return EXPORT_PREFIX + base64.urlsafe_b64encode(data.encode("utf-8")).decode("ascii").rstrip("=")

    def __enter__(self):
        try:
            self._token = current_span.set(self)
        except Exception:  # noqa: BLE001
            self._token = None
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

    def _wire_input(self):
        cached = getattr(self, "_wire_in", None)
        if cached is not None:
            return cached[0]
        fields = self._fields
        spec = self._spec
        if fields is not None and "input" in fields:
            value = wire("input", fields["input"])
        elif spec is None or not spec.capture_input or self._args is None:
            value = UNSET
        else:
            value = jsonable(spec.bind(self._args, self._kwargs), settings.max_value_chars)
        self._wire_in = (value,)
        return value

    def _wire_output(self):
        # Only called once the span has ended, so the output can no longer change.
        cached = getattr(self, "_wire_out", None)
        if cached is not None:
            return cached[0]
        fields = self._fields
        if fields is not None and "output" in fields:
            value = wire("output", fields["output"])
        elif self.output is UNSET:
            value = UNSET
        else:
            value = jsonable(self.output, settings.max_value_chars)
        self._wire_out = (value,)
        return value

    def _drain(self, out, running):
        if self._sent:
            return
        trace = self.trace
        if trace._root is self:
            trace._drain(out, running)
        ended = self.end_ns != 0
        out.append({"event": "span_end" if ended else "span_start", "span": self._body(True, ended)})
        self._sent = 2 if ended else 1
        if not ended:
            running.add(self)

    def _emit_end(self, out):
        self._sent = 2
        out.append({"event": "span_end", "span": self._body(False, True)})

    def _abandon(self, end_ns, error):
        if self.end_ns:
            return
        if error is not None and self._error() is None:
            self.error = error
        self.end_ns = end_ns

    def _body(self, full, ended):
        trace = self.trace
        body = {"id": self.id, "trace_id": trace.id}
        fields = dict(self._fields) if self._fields else {}
        spec = self._spec
        if full:
            if self.parent is not None:
                body["parent_span_id"] = self.parent.id
            body["project_name"] = trace.project_name
            body["start_time"] = _ids.iso(self.start_ns)
            if spec is not None:
                body["name"] = spec.name
                body["type"] = spec.type
                body["code_location"] = spec.code_location
                if spec.tags:
                    body["tags"] = list(spec.tags)
                if spec.metadata:
                    body["metadata"] = wire("metadata", spec.metadata)
            value = self._wire_input()
            if value is not UNSET:
                body["input"] = value
            for key, value in fields.items():
                if key == "input" or (key == "output" and ended):
                    continue
                if key in ("metadata", "tags") and key in body:
                    merged = {key: body[key]}
                    merge(merged, {key: wire(key, value)})
                    body[key] = merged[key]
                else:
                    body[key] = wire(key, value)
        if ended:
            body["end_time"] = _ids.iso(self.end_ns)
            value = self._wire_output()
            if value is not UNSET:
                body["output"] = value
            error = self._error()
            if error is not None:
                body["error_info"] = error
        return body


class _Update:
    """Fields set on a record after it was queued."""

    __slots__ = ("record", "fields")

    def __init__(self, record, fields):
        self.record = record
        self.fields = fields

    def _drain(self, out, running):
        record = self.record
        body = {"id": record.id}
        if isinstance(record, Span):
            body["trace_id"] = record.trace.id
            kind = "span"
        else:
            kind = "trace"
        for key, value in self.fields.items():
            body[key] = wire(key, value)
        out.append({"event": kind + "_update", kind: body})


class SpanUpdateById:
    """Fields for a span known only by id (Braintrust's ``log_feedback``): the protocol lets a
    ``span_update`` leave out ``trace_id`` for a span the collector has seen."""

    __slots__ = ("span_id", "trace_id", "fields")

    def __init__(self, span_id, trace_id, fields):
        self.span_id = span_id
        self.trace_id = trace_id
        self.fields = fields

    def _drain(self, out, running):
        body = {"id": self.span_id}
        if self.trace_id:
            body["trace_id"] = self.trace_id
        for key, value in self.fields.items():
            body[key] = wire(key, value)
        out.append({"event": "span_update", "span": body})


class _Score:
    __slots__ = ("target", "record", "name", "value", "reason", "category_name")

    def __init__(self, target, record, name, value, reason, category_name):
        self.target = target
        self.record = record
        self.name = name
        self.value = value
        self.reason = reason
        self.category_name = category_name

    def _drain(self, out, running):
        record = self.record
        score = {"target": self.target, "name": self.name, "value": self.value, "source": "sdk"}
        if isinstance(record, str):
            score["id"] = record
        else:
            score["id"] = record.id
            if isinstance(record, Span):
                score["trace_id"] = record.trace.id
        if self.reason is not None:
            score["reason"] = str(self.reason)
        if self.category_name is not None:
            score["category_name"] = str(self.category_name)
        out.append({"event": "score", "score": score})


def score_by_id(target, record_id, name, value, reason=None, category_name=None):
    """Queues a score for a trace or span known only by its id."""
    number = score_value(name, value)
    if number is not None:
        _sender.emit(_Score(target, str(record_id), str(name), number, reason, category_name))


def parse_export(text):
    """``(trace_id, span_id, project_name)`` from ``Span.export()`` text, or None."""
    if not isinstance(text, str) or not text.startswith(EXPORT_PREFIX):
        return None
    try:
        raw = text[len(EXPORT_PREFIX):]
        data = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("utf-8"))
        trace_id, span_id, project = data
        return str(trace_id), str(span_id), str(project)
    except Exception:  # noqa: BLE001
        return None


_MANUAL_KEYS = ("input", "output", "metadata", "tags", "usage", "model", "provider", "total_estimated_cost",
                "error_info", "expected")


def _given(**values):
    return {k: v for k, v in values.items() if v is not None}


def _warn_ignored(ignored):
    for key in ignored or ():
        if not key.startswith("_"):
            warn_once("arg:" + key, "ignoring unsupported argument %r" % key)


_TOKEN_METRICS = {"prompt_tokens": "prompt_tokens", "completion_tokens": "completion_tokens",
                  "tokens": "total_tokens", "total_tokens": "total_tokens"}


def _split_metrics(metrics):
    usage, other = {}, {}
    for key, value in (metrics or {}).items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        name = _TOKEN_METRICS.get(key)
        if name is None and str(key).endswith("_tokens"):
            name = str(key)
        if name is not None:
            usage[name] = value
        else:
            other[str(key)] = value
    return usage, other
