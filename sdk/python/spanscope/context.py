"""The current trace and span (Opik's ``opik_context``).

``get_current_span()`` / ``get_current_trace()`` return the live objects (``.id``,
``.update(...)``, ``.log_feedback_score(...)``). Outside any tracked call they return ``None``,
as Opik's do: code written for Opik tests ``is None`` there, and a script that calls
``get_current_trace().update(...)`` outside a tracked function fails the same way under Opik.
While tracing is disabled they return do-nothing handles (``_noop``) instead, wherever they
are called: the tracked functions are not wrapped then, so "inside a tracked call" can not be
told apart, and the seeds' ``get_current_trace().update(tags=[...])`` inside one must work.
"""

import functools

from ._config import settings
from ._context import current_span
from ._noop import NOOP_SPAN, NOOP_TRACE
from ._warn import warn_once


def get_current_span():
    span = current_span.get()
    if span is None and settings.disabled:
        return NOOP_SPAN
    return span


def get_current_trace():
    span = current_span.get()
    if span is not None:
        return span.trace
    return NOOP_TRACE if settings.disabled else None


get_current_span_data = get_current_span
get_current_trace_data = get_current_trace


def update_current_span(
    name=None,
    input=None,
    output=None,
    metadata=None,
    tags=None,
    usage=None,
    model=None,
    provider=None,
    total_estimated_cost=None,
    feedback_scores=None,
    type=None,
    expected=None,
    **ignored,
):
    """Sets fields of the current span; does nothing (and says so once) outside a span."""
    span = current_span.get()
    if span is None:
        if settings.disabled:
            return
        warn_once("no-span", "update_current_span() was called outside any tracked function; ignored")
        return
    span.update(
        name=name,
        input=input,
        output=output,
        metadata=metadata,
        tags=tags,
        usage=usage,
        model=model,
        provider=provider,
        total_estimated_cost=total_estimated_cost,
        feedback_scores=feedback_scores,
        type=type,
        expected=expected,
        **ignored,
    )


def update_current_trace(
    *values,
    name=None,
    input=None,
    output=None,
    metadata=None,
    tags=None,
    feedback_scores=None,
    thread_id=None,
    **ignored,
):
    """Sets fields of the current trace. Also takes one dict, as in
    ``update_current_trace({"scores": {"quality": 0.9}, "tags": [...]})``, where ``scores`` maps
    names to values."""
    trace = get_current_trace()
    if trace is None or trace is NOOP_TRACE:
        if trace is None:
            warn_once("no-trace", "update_current_trace() was called outside any tracked function; ignored")
        return
    fields = dict(name=name, input=input, output=output, metadata=metadata, tags=tags, thread_id=thread_id)
    scores = list(feedback_scores or ())
    for value in values:
        if not isinstance(value, dict):
            warn_once("trace-dict", "update_current_trace() takes keyword arguments or one dict; got %r" % (value,))
            continue
        for key, item in value.items():
            if key == "scores" and isinstance(item, dict):
                scores.extend({"name": n, "value": v} for n, v in item.items())
            elif key in ("feedback_scores", "scores"):
                scores.extend(item or ())
            else:
                fields[key] = item
    fields.update(ignored)
    trace.update(feedback_scores=scores, **{k: v for k, v in fields.items() if v is not None})


def with_current_span(fn):
    """``fn`` made to run under the current span wherever it is called: a new thread starts
    with no current span (its spans would begin new traces), so pass
    ``with_current_span(work)`` to ``Thread(target=...)`` or an executor to nest its spans
    here. Several threads may run the returned function at once."""
    span = current_span.get()

    @functools.wraps(fn)
    def run(*args, **kwargs):
        token = current_span.set(span)
        try:
            return fn(*args, **kwargs)
        finally:
            current_span.reset(token)

    return run
