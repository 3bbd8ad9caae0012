"""What traces, spans, updates and scores become on the wire (``docs/protocol.md``). Runs on
the sender thread only.

A record is queued once, when it starts. When the sender meets it, it sends
``span_start``/``trace_start`` if the record is still running, or one complete
``span_end``/``trace_end`` (start and end fields together) if it has already finished; a
running record is then watched (``running``) and its end sent when it is seen. Ending a span
thus costs the user's thread two attribute writes and no queue operation. Later changes
(``update``, scores) are queued as small entries of their own and sent in order.

Users' threads write record fields one by one, the end time last; reading the end time
first here therefore guarantees the output read after it is the final one.
"""

import os

from . import _ids
from ._config import settings
from ._fields import FREE_FORM, UNSET, merge
from ._gitversion import code_version
from ._records import Span, Trace
from ._serialize import jsonable
from ._signature import lossy_names
from ._updates import FieldUpdate, Score, SpanUpdateById

CALL_KEY = "spanscope.call"
# Set by Spanscope's Debug This Call and saved tests: "TRACE_ID/SPAN_ID" of the call re-run.
REPLAY_ENV = "SPANSCOPE_REPLAY_OF"


def wire(key, value):
    """A field's value as sent: free-form values serialised within the size budget."""
    if key in FREE_FORM:
        value = jsonable(value, settings.max_value_chars)
        if key == "metadata" and not isinstance(value, dict):
            value = {"value": value}
    return value


def _merge_into(body, key, value):
    if key in ("metadata", "tags") and key in body:
        merged = {key: body[key]}
        merge(merged, {key: value})
        body[key] = merged[key]
    else:
        body[key] = value


# ---- spans --------------------------------------------------------------------------


def drain_span(span, out, running):
    trace = span.trace
    if trace._root is span and not trace._sent:
        drain_trace(trace, out, running)
    ended = span.end_ns != 0
    out.append({"event": "span_end" if ended else "span_start", "span": span_body(span, True, ended)})
    span._sent = 2 if ended else 1
    if not ended:
        running.add(span)


def span_end(span, out):
    span._sent = 2
    out.append({"event": "span_end", "span": span_body(span, False, True)})


def span_body(span, full, ended):
    trace = span.trace
    body = {"id": span.id, "trace_id": trace.id}
    fields = dict(span._fields) if span._fields else {}
    spec = span._spec
    if full:
        if span.parent is not None:
            body["parent_span_id"] = span.parent.id
        body["project_name"] = trace.project_name
        body["start_time"] = _ids.iso(span.start_ns)
        if spec is not None:
            body["name"] = spec.name
            body["type"] = spec.type
            body["code_location"] = spec.code_location
            if spec.tags:
                body["tags"] = list(spec.tags)
            if spec.metadata:
                body["metadata"] = wire("metadata", spec.metadata)
        value = span_input(span)
        if value is not UNSET:
            body["input"] = value
        if spec is not None and spec.call_shape is not None:
            if "metadata" in body:
                _merge_into(body, "metadata", {CALL_KEY: _call_metadata(span, spec)})
            else:
                body["metadata"] = {CALL_KEY: _call_metadata(span, spec)}
        for key, value in fields.items():
            if key == "input" or (key == "output" and ended):
                continue  # input is above, output below
            _merge_into(body, key, wire(key, value))
    if ended:
        body["end_time"] = _ids.iso(span.end_ns)
        value = span_output(span)
        if value is not UNSET:
            body["output"] = value
        error = span._error()
        if error is not None:
            body["error_info"] = error
    return body


def _call_metadata(span, spec):
    """The function's shape, and which of this call's arguments were not JSON (found by
    ``span_input`` while it had the bound arguments at hand)."""
    cached = getattr(span, "_wire_in", None)
    lossy = cached[1] if cached is not None and len(cached) > 1 else None
    if not lossy:
        return spec.call_shape
    shape = dict(spec.call_shape)
    shape["lossy"] = lossy
    return shape


def span_input(span):
    """The span's input as sent, serialised once (a root span's trace reuses it). The
    ``_wire_in``/``_wire_out`` slots are left unset on the hot path, hence ``getattr``."""
    cached = getattr(span, "_wire_in", None)
    if cached is not None:
        return cached[0]
    fields = span._fields
    spec = span._spec
    if fields is not None and "input" in fields:
        value = wire("input", fields["input"])
    elif spec is None or not spec.capture_input or span._args is None:
        value = UNSET
    else:
        bound = spec.bind(span._args, span._kwargs)
        value = jsonable(bound, settings.max_value_chars)
        if spec.call_shape is not None:
            span._wire_in = (value, lossy_names(bound))
            return value
    span._wire_in = (value,)
    return value


def span_output(span):
    """The output of an ended span as sent (it can no longer change, so it is kept)."""
    cached = getattr(span, "_wire_out", None)
    if cached is not None:
        return cached[0]
    fields = span._fields
    if fields is not None and "output" in fields:
        value = wire("output", fields["output"])
    elif span.output is UNSET:
        value = UNSET
    else:
        value = jsonable(span.output, settings.max_value_chars)
    span._wire_out = (value,)
    return value


# ---- traces -------------------------------------------------------------------------


def drain_trace(trace, out, running):
    if trace._sent:
        return
    ended = trace._ended()
    out.append({"event": "trace_end" if ended else "trace_start", "trace": trace_body(trace, True, ended)})
    trace._sent = 2 if ended else 1
    if not ended:
        running.add(trace)


def trace_end(trace, out):
    trace._sent = 2
    out.append({"event": "trace_end", "trace": trace_body(trace, False, True)})


def trace_body(trace, full, ended):
    """A trace made by a root span (a tracked call, a root ``start_span``) takes that span's
    name, input, output, error, tags and metadata, unless set on the trace itself."""
    body = {"id": trace.id}
    fields = dict(trace._fields) if trace._fields else {}
    root = trace._root
    if full:
        body["project_name"] = trace.project_name
        body["start_time"] = _ids.iso(trace.start_ns)
        version = code_version()  # read once per process, on this (the sender) thread
        if version is not None:
            body["code_version"] = version
        replay_of = _replay_of()
        if replay_of is not None:
            body["metadata"] = {"replay_of": replay_of}
        name = fields.pop("name", None) or (root.name if root is not None else None)
        if name:
            body["name"] = name
        if root is not None:
            if "input" not in fields:
                value = span_input(root)
                if value is not UNSET:
                    body["input"] = value
            spec = root._spec
            if spec is not None and spec.tags:
                body["tags"] = list(spec.tags)
            if spec is not None and spec.metadata:
                _merge_into(body, "metadata", wire("metadata", spec.metadata))
        for key, value in fields.items():
            if key == "output" and ended:
                continue  # below
            _merge_into(body, key, wire(key, value))
    if ended:
        body["end_time"] = _ids.iso(trace._end_ns())
        if "output" in fields:
            body["output"] = wire("output", fields["output"])
        elif root is not None:
            value = span_output(root)
            if value is not UNSET:
                body["output"] = value
        if "error_info" in fields:
            body["error_info"] = fields["error_info"]
        elif root is not None and root._error() is not None:
            body["error_info"] = root._error()
    return body


def _replay_of():
    # Read at send time, not import time: a test sets it after the SDK is loaded.
    value = os.environ.get(REPLAY_ENV, "")
    trace_id, _, span_id = value.partition("/")
    if not trace_id or not span_id or len(value) > 200:
        return None
    return {"trace_id": trace_id, "span_id": span_id}


# ---- entries queued after their record (``_updates``) --------------------------------


def field_update(entry, out, running):
    record = entry.record
    body = {"id": record.id}
    kind = record._target
    if kind == "span":
        body["trace_id"] = record.trace.id
    for key, value in entry.fields.items():
        body[key] = wire(key, value)
    out.append({"event": kind + "_update", kind: body})


def span_update_by_id(entry, out, running):
    body = {"id": entry.span_id}
    if entry.trace_id:
        body["trace_id"] = entry.trace_id
    for key, value in entry.fields.items():
        body[key] = wire(key, value)
    out.append({"event": "span_update", "span": body})


def score(entry, out, running):
    record = entry.record
    body = {"target": entry.target, "name": entry.name, "value": entry.value, "source": "sdk"}
    if isinstance(record, str):
        body["id"] = record
    else:
        body["id"] = record.id
        if record._target == "span":
            body["trace_id"] = record.trace.id
    if entry.reason is not None:
        body["reason"] = str(entry.reason)
    if entry.category_name is not None:
        body["category_name"] = str(entry.category_name)
    out.append({"event": "score", "score": body})


# ---- what the sender calls ------------------------------------------------------------

# How each kind of queued item is encoded, by its exact class (nothing here is subclassed).
_DRAIN = {
    Span: drain_span,
    Trace: drain_trace,
    FieldUpdate: field_update,
    SpanUpdateById: span_update_by_id,
    Score: score,
}


def drain(item, out, running):
    """Appends the events of a queued item to ``out``; a record still running after it is
    added to ``running``, for ``end`` to finish when it ends."""
    _DRAIN[item.__class__](item, out, running)


def finish(record, out, running):
    """Appends the end event of a record of ``running`` once it has ended, and stops
    watching it."""
    if not record._ended():
        return
    running.discard(record)
    if record.__class__ is Span:
        span_end(record, out)
    else:
        trace_end(record, out)
