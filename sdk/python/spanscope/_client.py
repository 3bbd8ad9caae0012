"""The low-level client (Opik's ``Opik``): traces and spans made by hand, and scores by id."""

from . import _sender
from ._config import settings
from ._guard import never_raise
from ._noop import NOOP_SPAN, NOOP_TRACE
from ._records import Span, Trace, score_by_id
from ._warn import warn_once


class Client:
    """``Client(project_name=...)``. Opik's ``workspace``, ``host`` and ``api_key`` are
    accepted and ignored: everything goes to the local collector (``SPANSCOPE_URL``)."""

    def __init__(self, project_name=None, workspace=None, host=None, api_key=None, **ignored):
        self.project_name = project_name or settings.project_name

    def trace(
        self,
        name=None,
        start_time=None,
        end_time=None,
        input=None,
        output=None,
        metadata=None,
        tags=None,
        feedback_scores=None,
        project_name=None,
        error_info=None,
        thread_id=None,
        id=None,
        **ignored,
    ):
        """Starts a trace; add spans with ``trace.span(...)``, finish with ``trace.end()``."""
        if settings.disabled:
            return NOOP_TRACE
        return Trace.manual(project_name or self.project_name, locals(), ignored)

    def span(
        self,
        trace_id=None,
        parent_span_id=None,
        name=None,
        type="general",
        start_time=None,
        end_time=None,
        input=None,
        output=None,
        metadata=None,
        tags=None,
        usage=None,
        model=None,
        provider=None,
        total_estimated_cost=None,
        feedback_scores=None,
        error_info=None,
        project_name=None,
        id=None,
        **ignored,
    ):
        """A span by ids; without ``trace_id`` it starts a trace of its own."""
        if settings.disabled:
            return NOOP_SPAN
        project = project_name or self.project_name
        given = locals()
        if trace_id:
            trace = Trace.reference(str(trace_id), project)
            parent = Span.reference(str(parent_span_id), trace) if parent_span_id else None
            return Span.manual(trace, parent, name, type, given, ignored)
        trace = Trace(project, 0)
        return Span.manual(trace, None, name, type, given, ignored, root=True)

    def log_traces_feedback_scores(self, scores, project_name=None):
        """``scores``: ``[{"id": trace_id, "name": ..., "value": ..., "reason": ...}]``."""
        _log_scores("trace", scores)

    def log_spans_feedback_scores(self, scores, project_name=None):
        """``scores``: ``[{"id": span_id, "name": ..., "value": ..., "reason": ...}]``."""
        _log_scores("span", scores)

    def flush(self, timeout=None):
        """Sends everything logged so far; True when it all reached the collector."""
        return _sender.flush(timeout)

    def end(self, timeout=None):
        return self.flush(timeout)


@never_raise()
def _log_scores(target, scores):
    if settings.disabled:
        return
    if not isinstance(scores, (list, tuple)):
        if scores is not None:
            warn_once("scores-list", "feedback scores go in a list of dicts; got %r" % (scores,))
        return
    for score in scores:
        try:
            record_id, name, value = score["id"], score["name"], score["value"]
            reason, category = score.get("reason"), score.get("category_name")
        except (KeyError, TypeError, AttributeError):
            warn_once("score-shape", "a feedback score needs 'id', 'name' and 'value'; got %r" % (score,))
            continue
        score_by_id(target, record_id, name, value, reason, category)
