"""The text of Braintrust's ``span.export()``: enough to start a child span of it anywhere.

``ss1:`` then base64url of ``[trace_id, span_id, project_name]`` as JSON: opaque to users,
safe in URLs and headers, and versioned by its prefix.
"""

import base64
import json

PREFIX = "ss1:"


def export_text(trace_id, span_id, project_name):
    data = json.dumps([trace_id, span_id, project_name], separators=(",", ":"))
    return PREFIX + base64.urlsafe_b64encode(data.encode("utf-8")).decode("ascii").rstrip("=")


def parse_export(text):
    """``(trace_id, span_id, project_name)`` from ``export_text``, or None for anything else."""
    if not isinstance(text, str) or not text.startswith(PREFIX):
        return None
    try:
        raw = text[len(PREFIX):]
        trace_id, span_id, project = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("utf-8"))
        return str(trace_id), str(span_id), str(project)
    except Exception:  # noqa: BLE001 - not ours: the caller says so
        return None
