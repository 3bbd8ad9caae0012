"""Turns any Python value into JSON-safe data, within a size budget, without ever raising.

Runs on the sender thread (inputs and outputs are serialised after the call returns, see
``_track``), so it may be thorough, but it must never fail: whatever it cannot convert
becomes a readable ``repr``, whatever exceeds the budget is cut with a visible marker.
It never iterates objects it does not know (that could consume a user's generator).
Converting runs the user's code (``__repr__``, ``__str__``, ``model_dump``), which may raise
anything: this module catches broadly there, and falls back to a readable text.
"""

import dataclasses
import datetime
import decimal
import enum
import math
import pathlib
import types
import uuid

MAX_DEPTH = 32
TRUNCATED = "…[truncated]"


class _Budget:
    __slots__ = ("left",)

    def __init__(self, chars):
        self.left = chars


_SCALARS = (str, int, float, bool, type(None))


def jsonable(value, limit):
    """``value`` as data ``json.dumps`` accepts (with ``allow_nan=False``), about ``limit`` characters at most."""
    flat = _flat(value, limit)
    if flat is not None:
        return flat
    budget = _Budget(limit)
    try:
        return _convert(value, budget, 0, set())
    except Exception:  # whatever a user's object does, it becomes its repr
        return _safe_repr(value, budget)


def _flat(value, limit):
    """The common case, cheaply: a scalar, or a small dict or list of scalars, that needs no
    conversion and fits the budget; None when the full walk is needed."""
    kind = type(value)
    if kind in _SCALARS:
        return _scalar(value, limit)
    if kind is dict and len(value) <= 32:
        out = {}
        size = 0
        for k, v in list(value.items()):
            if type(k) is not str or type(v) not in _SCALARS:
                return None
            v = _scalar(v, limit)
            if v is None and value[k] is not None:
                return None
            out[k] = v
            size += len(k) + (len(v) if type(v) is str else 8)
        return out if size < limit else None
    if kind is list and len(value) <= 32:
        out = []
        size = 0
        for v in list(value):
            if type(v) not in _SCALARS:
                return None
            s = _scalar(v, limit)
            if s is None and v is not None:
                return None
            out.append(s)
            size += len(s) if type(s) is str else 8
        return out if size < limit else None
    return None


def _scalar(value, limit):
    """A scalar that is JSON as it is, or None (also for None itself: callers check)."""
    kind = type(value)
    if kind is str:
        return value if len(value) < limit else None
    if kind is int:
        return value if -(1 << 53) <= value <= (1 << 53) else None
    if kind is float:
        return value if math.isfinite(value) else None
    return value  # bool, None


def _convert(value, budget, depth, path):
    if value is None or value is True or value is False:
        budget.left -= 4
        return value
    kind = type(value)
    if kind is str:
        return _text(value, budget)
    if kind is int:
        budget.left -= 8
        # Beyond 2**53 a JavaScript reader would silently round it; text keeps every digit.
        return value if -(1 << 53) <= value <= (1 << 53) else _text(str(value), budget)
    if kind is float:
        budget.left -= 8
        return value if math.isfinite(value) else str(value)
    if depth >= MAX_DEPTH:
        return "<too deep>"
    if kind is dict or kind is list or kind is tuple:
        return _container(value, budget, depth, path)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, enum.Enum):
        return _convert(value.value, budget, depth + 1, path)
    if isinstance(value, int):
        return _convert(int(value), budget, depth, path)
    if isinstance(value, float):
        return _convert(float(value), budget, depth, path)
    if isinstance(value, str):
        return _text(str(value), budget)
    if isinstance(value, (dict, list, tuple, set, frozenset)):
        return _container(value, budget, depth, path)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _bytes(bytes(value), budget)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return _text(value.isoformat(), budget)
    if isinstance(value, (uuid.UUID, decimal.Decimal, pathlib.PurePath, datetime.timedelta)):
        return _text(str(value), budget)
    if isinstance(value, BaseException):
        return _text("%s: %s" % (type(value).__name__, _safe_str(value)), budget)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: getattr(value, f.name, None) for f in dataclasses.fields(value)}
        return _container(fields, budget, depth, path)
    if isinstance(value, types.SimpleNamespace):
        return _container(dict(vars(value)), budget, depth, path)
    dumped = _model_dump(value)
    if dumped is not None:
        return _convert(dumped, budget, depth + 1, path)
    if type(value).__repr__ is object.__repr__ and isinstance(getattr(value, "__dict__", None), dict):
        # A plain object with the default repr says nothing; its attributes say more.
        public = {k: v for k, v in list(value.__dict__.items()) if not k.startswith("_")}
        return _container(public, budget, depth, path)
    return _safe_repr(value, budget)


def _container(value, budget, depth, path):
    key = id(value)
    if key in path:
        return "<cycle>"
    path.add(key)
    try:
        if isinstance(value, dict):
            # list() copies in one C call, so another thread's writes can not break the walk.
            items = list(value.items())
            out = {}
            for i, (k, v) in enumerate(items):
                if budget.left <= 0:
                    out[TRUNCATED] = "%d more keys" % (len(items) - i)
                    break
                name = k if type(k) is str else _key(k)
                budget.left -= len(name) + 4
                out[name] = _convert(v, budget, depth + 1, path)
            return out
        items = list(value)
        out = []
        for i, v in enumerate(items):
            if budget.left <= 0:
                out.append("%s %d more items" % (TRUNCATED, len(items) - i))
                break
            budget.left -= 2
            out.append(_convert(v, budget, depth + 1, path))
        return out
    finally:
        path.discard(key)


def _key(k):
    if isinstance(k, enum.Enum):
        k = k.value
    return k if isinstance(k, str) else _safe_str(k)


def _text(text, budget):
    n = len(text)
    if n > budget.left:
        keep = max(budget.left, 0)
        budget.left = 0
        return "%s%s (%d chars in total)" % (text[:keep], TRUNCATED, n)
    budget.left -= n + 2
    return text


def _bytes(data, budget):
    try:
        return _text(data.decode("utf-8"), budget)
    except UnicodeDecodeError:
        return _text("<%d bytes: %r>" % (len(data), data[:64]), budget)


def _model_dump(value):
    """Pydantic v2 / v1 models (OpenAI's response objects among them) as plain data."""
    cls = type(value)
    if callable(getattr(cls, "model_dump", None)):
        method = "model_dump"
    elif callable(getattr(cls, "dict", None)) and hasattr(cls, "__fields__"):
        method = "dict"
    else:
        return None
    try:
        dumped = getattr(value, method)()
    except Exception:  # a broken model falls back to its repr
        return None
    return dumped if isinstance(dumped, dict) else None


def _safe_str(value):
    try:
        return str(value)
    except Exception:  # the user's __str__
        return "<unprintable %s>" % type(value).__name__


def _safe_repr(value, budget):
    try:
        text = repr(value)
    except Exception:  # the user's __repr__
        text = "<unrepresentable %s>" % type(value).__name__
    return _text(text, budget)
