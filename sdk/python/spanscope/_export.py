"""The text of Braintrust's ``span.export()``, as every Spanscope SDK writes and reads it
(``docs/protocol.md``, "Exported spans"): ``ss1.`` then the base64url, without padding, of
the JSON ``{"t": trace_id, "s": span_id, "p": project_name}`` (``p`` optional). Passed as
``parent=`` in any process and any of our SDKs, it puts the new span under ``s`` in trace
``t``."""

import base64
import json
import re

PREFIX = "ss1."
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def export_text(trace_id, span_id, project_name):
    body = {"t": trace_id, "s": span_id}
    if project_name:
        body["p"] = project_name
    data = json.dumps(body, separators=(",", ":"))
    return PREFIX + base64.urlsafe_b64encode(data.encode("utf-8")).decode("ascii").rstrip("=")


def parse_export(text):
    """``(trace_id, span_id, project_name or None)`` from an exported string, or None when
    the text is not one."""
    if not isinstance(text, str) or not text.startswith(PREFIX):
        return None
    try:
        raw = text[len(PREFIX) :]
        body = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("utf-8"))
        trace_id, span_id, project = body.get("t"), body.get("s"), body.get("p")
    except (ValueError, AttributeError, RecursionError):
        # Not base64, not UTF-8, not JSON (all ValueError), not an object, or nested too deep:
        # not ours, which the caller says.
        return None
    if not (_valid_id(trace_id) and _valid_id(span_id)):
        return None
    return trace_id, span_id, project if isinstance(project, str) and project else None


def _valid_id(value):
    # The collector's rule for ids (1 to 128 characters, no control characters).
    return isinstance(value, str) and 0 < len(value) <= 128 and not _CONTROL.search(value)
