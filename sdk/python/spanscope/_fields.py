"""What a user may set on a trace or span, checked and merged the way the collector merges.

The SDK never raises into user code, so a bad value (a tag that is not a string, a usage
counter that is not a number) is dropped with a one-time warning instead. Values that are
free-form (input, output, expected, metadata) are kept as given and serialised later.

Checking a value runs the user's code (``__str__``, ``__iter__``, ``__float__`` of whatever
they passed, the ``__str__`` of their exceptions), which may raise anything: this module
catches broadly there, and says at each place what it falls back to.
"""

import math
import os
import sys
import traceback

from ._guard import never_raise
from ._warn import warn_once

# "Not given", where None is a value a user may give.
UNSET = object()

SPAN_TYPES = ("general", "llm", "tool", "guardrail")
SPAN_FIELDS = frozenset(
    (
        "name",
        "type",
        "input",
        "output",
        "metadata",
        "tags",
        "usage",
        "model",
        "provider",
        "total_estimated_cost",
        "time_to_first_token_ms",
        "error_info",
        "expected",
        "code_location",
    )
)
TRACE_FIELDS = frozenset(("name", "input", "output", "metadata", "tags", "error_info", "thread_id", "expected"))
# Serialised on the sender thread, within the size budget.
FREE_FORM = frozenset(("input", "output", "expected", "metadata"))

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def clean(key, value, allowed):
    """``(True, value)`` ready to store, or ``(False, None)`` after a warning."""
    if key not in allowed:
        warn_once("field:" + key, "ignoring unknown field %r" % key)
        return False, None
    try:
        if key in ("input", "output", "expected"):
            return True, _shallow_copy(value)
        if key == "metadata":
            if isinstance(value, dict):
                return True, dict(value)
            return True, {"value": value}
        if key == "tags":
            if isinstance(value, str):
                return True, [value]
            return True, [t if isinstance(t, str) else str(t) for t in value]
        if key == "usage":
            return True, clean_usage(value)
        if key == "type":
            return True, span_type(value)
        if key in ("total_estimated_cost", "time_to_first_token_ms"):
            number = float(value)
            return (True, number) if math.isfinite(number) and number >= 0 else (False, None)
        if key == "error_info":
            return True, error_info(value) if isinstance(value, BaseException) else _error_dict(value)
        if key == "code_location":
            return True, dict(value)
        return True, str(value)
    except Exception:  # a bad value is dropped, never raised
        warn_once("bad:" + key, "ignoring a %s value that can not be used: %s" % (key, _short_repr(value)))
        return False, None


# Braintrust's span types, in ours.
_BRAINTRUST_TYPES = {"task": "general", "function": "general", "eval": "general", "score": "general"}


def span_type(value):
    """One of ``SPAN_TYPES``: Braintrust's names are mapped, anything else is ``general``
    (with a warning)."""
    if value in SPAN_TYPES:
        return value
    if value is None:
        return "general"
    if value in _BRAINTRUST_TYPES:
        return _BRAINTRUST_TYPES[value]
    warn_once("type:%s" % (value,), "span type %r is not one of %s; using 'general'" % (value, ", ".join(SPAN_TYPES)))
    return "general"


def merge(fields, updates):
    """Merges cleaned ``updates`` into ``fields`` as the collector does: metadata and usage
    key by key, tags as a set, everything else replaced."""
    for key, value in updates.items():
        old = fields.get(key)
        if key in ("metadata", "usage") and isinstance(old, dict):
            merged = dict(old)
            merged.update(value)
            fields[key] = merged
        elif key == "tags" and old:
            fields[key] = old + [t for t in value if t not in old]
        else:
            fields[key] = value


def clean_usage(value):
    usage = {}
    for k, v in dict(value).items():
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            continue
        if isinstance(v, float) and not math.isfinite(v):
            continue
        usage[str(k)] = v
    return usage


def error_info(exc):
    try:
        tb = "".join(_user_traceback(exc).format())
    except Exception:  # formatting runs the user's code (their exceptions' __str__): no traceback then
        tb = None
    info = {"exception_type": type(exc).__name__, "message": _safe_str(exc)}
    if tb:
        info["traceback"] = tb
    return info


def _user_traceback(exc):
    """The exception as Python prints it, less the SDK's own frames: every tracked call in
    the chain adds a ``wrapper`` frame that tells the user nothing and pushes their own frames
    apart. Chained and grouped exceptions are cleaned the same way."""
    top = traceback.TracebackException(type(exc), exc, exc.__traceback__)
    seen = set()
    todo = [top]
    while todo:
        te = todo.pop()
        if te is None or id(te) in seen:
            continue
        seen.add(id(te))
        te.stack = traceback.StackSummary.from_list([f for f in te.stack if not _is_ours(f.filename)])
        todo.extend((te.__cause__, te.__context__))
        todo.extend(getattr(te, "exceptions", None) or ())
    return top


def _error_dict(value):
    value = dict(value)
    info = {"exception_type": str(value.get("exception_type") or "Error")}
    if value.get("message") is not None:
        info["message"] = str(value["message"])
    if value.get("traceback") is not None:
        info["traceback"] = str(value["traceback"])
    return info


def score_value(name, value):
    """A feedback score's value as a finite float, or None (after a warning) when it is not one."""
    if isinstance(value, (int, float)):
        number = float(value)
        if math.isfinite(number):
            return number
    warn_once(
        "score:%s" % name,
        "score %r needs a finite number as its value, got %s; not logged" % (name, _short_repr(value)),
    )
    return None


def caller_frame():
    """The first frame outside this package: the user's code that called us."""
    frame = sys._getframe(1)
    while frame is not None and _is_ours(frame.f_code.co_filename):
        frame = frame.f_back
    return frame


@never_raise()
def caller_location():
    """Where a manual span was started: file, line of the call, function."""
    frame = caller_frame()
    if frame is None:
        return None
    code = frame.f_code
    return {
        "file": source_file(code.co_filename),
        "line": frame.f_lineno,
        "function": getattr(code, "co_qualname", code.co_name),
    }


def _is_ours(filename):
    folder = os.path.dirname(os.path.abspath(filename))
    return folder == _PACKAGE_DIR or folder.startswith(_PACKAGE_DIR + os.sep)


def source_file(name):
    # Pseudo-files ("<stdin>", "<string>", notebook cells) have no absolute path to give.
    if not name or name.startswith("<"):
        return name or "<unknown>"
    return os.path.abspath(name)


def non_none(**values):
    return {k: v for k, v in values.items() if v is not None}


def warn_ignored(ignored):
    for key in ignored or ():
        if not key.startswith("_"):
            warn_once("arg:" + key, "ignoring unsupported argument %r" % key)


_TOKEN_METRICS = {
    "prompt_tokens": "prompt_tokens",
    "completion_tokens": "completion_tokens",
    "tokens": "total_tokens",
    "total_tokens": "total_tokens",
}


def split_metrics(metrics):
    """Braintrust ``metrics`` as ``(usage, other)``: token counts are usage, the rest is kept
    apart (it goes to metadata)."""
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


def _shallow_copy(value):
    # A list or dict the caller mutates after logging it should not change what was logged.
    t = type(value)
    if t is list:
        return list(value)
    if t is dict:
        return dict(value)
    return value


def _safe_str(value):
    try:
        return str(value)
    except Exception:  # the user's __str__
        return "<unprintable>"


def _short_repr(value):
    try:
        text = repr(value)
    except Exception:  # the user's __repr__
        text = "<unrepresentable>"
    return text if len(text) <= 80 else text[:77] + "..."
