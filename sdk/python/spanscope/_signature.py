"""What ``@track`` learns about a function once, when it decorates it: how to bind a call's
arguments to parameter names, and where the function's ``def`` is."""

import inspect
import linecache
import re

from ._fields import caller_location, source_file
from ._guard import never_raise


class Binder:
    """Binds a call's arguments to parameter names like ``inspect.Signature.bind`` would
    (defaults filled in, ``**kwargs`` flattened, ``self``/``cls`` left out), from data
    prepared once."""

    __slots__ = ("params", "first", "known", "defaults", "varargs", "ignore")

    def __init__(self, fn, ignore_arguments):
        names, self.defaults, self.varargs = [], {}, None
        self.ignore = frozenset(ignore_arguments or ())
        try:
            signature = inspect.signature(fn)
        except (TypeError, ValueError):
            signature = None
        P = inspect.Parameter
        for p in signature.parameters.values() if signature is not None else ():
            if p.kind in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD, P.KEYWORD_ONLY):
                names.append((p.name, p.kind != P.KEYWORD_ONLY))
                if p.default is not P.empty:
                    self.defaults[p.name] = p.default
            elif p.kind == P.VAR_POSITIONAL:
                self.varargs = p.name
        # Decorated in a class body, a method is still a plain function whose first
        # parameter is the instance or the class: not part of the input.
        self.first = 1 if names and names[0][0] in ("self", "cls") and not inspect.ismethod(fn) else 0
        self.params = names[self.first :]
        self.known = frozenset(n for n, _ in names)

    def bind(self, args, kwargs):
        out = {}
        position = self.first
        count = len(args)
        defaults = self.defaults
        for name, positional in self.params:
            if positional and position < count:
                out[name] = args[position]
                position += 1
            elif name in kwargs:
                out[name] = kwargs[name]
            elif name in defaults:
                out[name] = defaults[name]
        if position < count:
            out[self.varargs or "args"] = list(args[position:])
        if kwargs:
            known = self.known
            for key, value in kwargs.items():
                if key not in known:
                    out[key] = value
        for key in self.ignore:
            out.pop(key, None)
        return out


_KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: "pos_only",
    inspect.Parameter.POSITIONAL_OR_KEYWORD: "pos",
    inspect.Parameter.KEYWORD_ONLY: "kw_only",
    inspect.Parameter.VAR_POSITIONAL: "var_pos",
    inspect.Parameter.VAR_KEYWORD: "var_kw",
}


def call_shape(fn, method=None):
    """What re-running a call needs to know (metadata ``spanscope.call``, docs/protocol.md):
    the qualified name, whether it is a method, and each parameter's kind."""
    try:
        target = inspect.unwrap(fn)
        params = list(inspect.signature(target).parameters.values())
    except (TypeError, ValueError):
        return None
    if method is None and params and not inspect.ismethod(fn) and params[0].name in ("self", "cls"):
        method = "instance" if params[0].name == "self" else "class"
    if method in ("instance", "class") and params:
        params = params[1:]
    return {
        "qualname": getattr(target, "__qualname__", None) or getattr(target, "__name__", ""),
        "method": method,
        "params": [[p.name, _KINDS[p.kind], p.default is not p.empty] for p in params],
    }


@never_raise()
def lossy_names(bound):
    """The arguments whose recorded value is not the value itself (not plain JSON); None when
    they can not be told (another thread changed a nested argument during the walk)."""
    return [name for name, value in bound.items() if not _plain(value, 0)]


def _plain(value, depth):
    if value is None or value.__class__ in (str, bool, int):
        return True
    if value.__class__ is float:
        return value == value and value not in (float("inf"), float("-inf"))
    if depth > 32:
        return False
    if value.__class__ is list:
        return all(_plain(v, depth + 1) for v in value)
    if value.__class__ is dict:
        return all(k.__class__ is str and _plain(v, depth + 1) for k, v in value.items())
    return False


_DEF = r"\s*(?:async\s+)?def\s+%s\b"


def code_location(fn):
    """Absolute file, line of the ``def`` (not of a decorator above it), qualified name."""
    try:
        target = inspect.unwrap(fn)
    except (ValueError, TypeError):
        target = fn
    code = getattr(target, "__code__", None)
    if code is None:
        call = type(target).__call__ if callable(target) else None
        code = getattr(call, "__code__", None)
    if code is None:
        return caller_location() or {"file": "<unknown>", "line": 1}
    return {
        "file": source_file(code.co_filename),
        "line": _def_line(code),
        "function": getattr(target, "__qualname__", None) or code.co_name,
    }


def _def_line(code):
    # ``co_firstlineno`` of a decorated function is the line of its first decorator.
    return _line_of_def(code) or code.co_firstlineno


@never_raise()
def _line_of_def(code):
    # A loader's source may be anything (``linecache`` asks ``__loader__.get_source``).
    first = code.co_firstlineno
    lines = linecache.getlines(code.co_filename)
    pattern = re.compile(_DEF % re.escape(code.co_name))
    for index in range(first - 1, min(len(lines), first + 200)):
        if pattern.match(lines[index]):
            return index + 1
    return None
