"""What is queued after a record: changes to its fields and feedback scores, as plain data.

A trace or span is queued once, when it starts (``_records``); what a user sets on it later
(``update``, ``log``, a score, Braintrust's ``log_feedback`` by id) is queued as one of these
small entries and sent in order after it. They only hold data: ``_wire`` turns them into
events on the sender thread.
"""


class FieldUpdate:
    """Fields set on a trace or span after it was queued: ``trace_update``/``span_update``."""

    __slots__ = ("record", "fields")

    def __init__(self, record, fields):
        self.record = record
        self.fields = fields


class SpanUpdateById:
    """Fields for a span known only by its id (Braintrust's ``log_feedback``): the protocol
    lets a ``span_update`` leave out ``trace_id`` for a span the collector has seen."""

    __slots__ = ("span_id", "trace_id", "fields")

    def __init__(self, span_id, trace_id, fields):
        self.span_id = span_id
        self.trace_id = trace_id
        self.fields = fields


class Score:
    """A feedback score for a record, or for an id (``target`` says trace or span)."""

    __slots__ = ("target", "record", "name", "value", "reason", "category_name")

    def __init__(self, target, record, name, value, reason, category_name):
        self.target = target
        self.record = record
        self.name = name
        self.value = value
        self.reason = reason
        self.category_name = category_name
