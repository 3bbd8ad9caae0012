"""``@track`` (Opik) and its alias ``@traced`` (Braintrust).

Everything that can be known before the first call is worked out once, when the function
is decorated: its name, the parameter names for binding the input, and where its ``def``
is. A call then costs a few slot writes, two clock reads, one ``deque.append`` and a
context-variable set/reset; binding arguments to names and serialising them happen later,
on the sender thread.

Inputs and outputs are held by reference until the sender serialises them (within ~50 ms).
To keep the common mutations from rewriting history (``messages.append(reply)`` inside the
call), top-level ``list``/``dict`` arguments and return values are copied shallowly at call
time; a change deeper inside them made before the sender runs can still show.
"""

import functools
import inspect
import linecache
import re
import time

from . import _ids, _sender
from ._config import settings
from ._context import current_span
from ._fields import SPAN_TYPES, caller_location, error_info, source_file
from ._records import UNSET, Span
from ._warn import warn_once

MAX_ITEMS = 1000  # yielded items kept as a generator's output
_COPY = {list: list, dict: dict}
_BRAINTRUST_TYPES = {"task": "general", "function": "general", "eval": "general", "score": "general"}

time_ns = time.time_ns
new = object.__new__


class TrackSpec:
    """What every span of one decorated function shares."""

    __slots__ = ("name", "type", "project_name", "tags", "metadata", "capture_input", "capture_output",
                 "flush", "code_location", "bind")

    def __init__(self, fn, name, type, project_name, tags, metadata, capture_input, capture_output, flush,
                 ignore_arguments):
        self.name = str(name) if name else getattr(fn, "__name__", None) or type_name(fn)
        self.type = _span_type(type)
        self.project_name = project_name
        self.tags = [str(t) for t in ([tags] if isinstance(tags, str) else (tags or ()))]
        self.metadata = dict(metadata) if metadata else None
        self.capture_input = bool(capture_input)
        self.capture_output = bool(capture_output)
        self.flush = bool(flush)
        self.code_location = code_location(fn)
        self.bind = Binder(fn, ignore_arguments).bind


def track(name=None, type="general", tags=None, metadata=None, capture_input=True, ignore_arguments=None,
          capture_output=True, generations_aggregator=None, flush=False, project_name=None, **options):
    """Traces a function: ``@track``, ``@track()``, ``@track(name=..., type=..., ...)``.

    Works on functions, methods, ``async`` functions, generators and async generators.
    The outermost tracked call starts a trace; calls inside it become its child spans.
    """
    if isinstance(name, (classmethod, staticmethod)) or (callable(name) and not isinstance(name, str)):
        return _decorate(name, {})
    given = dict(name=name, type=type, tags=tags, metadata=metadata, capture_input=capture_input,
                 ignore_arguments=ignore_arguments, capture_output=capture_output, flush=flush,
                 project_name=project_name)
    if options.pop("notrace_io", False):  # Braintrust's spelling of "do not capture"
        given["capture_input"] = given["capture_output"] = False
    for key in options:
        warn_once("track:" + key, "@track ignores the argument %r" % key)

    def decorator(fn):
        return _decorate(fn, given)

    return decorator


traced = track


def _decorate(fn, given):
    if settings.disabled:
        return fn  # untouched: not even a wrapper
    try:
        if isinstance(fn, (classmethod, staticmethod)):
            return type(fn)(_decorate(fn.__func__, given))
        spec = TrackSpec(
            fn, given.get("name"), given.get("type", "general"), given.get("project_name"), given.get("tags"),
            given.get("metadata"), given.get("capture_input", True), given.get("capture_output", True),
            given.get("flush", False), given.get("ignore_arguments"))
        if inspect.isasyncgenfunction(fn):
            wrapper = _async_generator_wrapper(fn, spec)
        elif inspect.iscoroutinefunction(fn):
            wrapper = _async_wrapper(fn, spec)
        elif inspect.isgeneratorfunction(fn):
            wrapper = _generator_wrapper(fn, spec)
        else:
            wrapper = _sync_wrapper(fn, spec)
        try:
            functools.update_wrapper(wrapper, fn)
        except (AttributeError, TypeError):
            pass
        return wrapper
    except Exception as exc:  # noqa: BLE001 - a function we can not wrap still works
        warn_once("decorate", "could not trace %r (%s); it runs untraced" % (fn, exc))
        return fn


# ---- the wrappers -------------------------------------------------------------------
#
# Each is a closure over what it needs, so the hot path reads locals, not globals.


def _sync_wrapper(fn, spec):
    get, set_, reset = current_span.get, current_span.set, current_span.reset
    queue, state, append = _sender.queue, _sender.state, _sender.queue.append
    config = settings
    capture_output = spec.capture_output
    flush_after = spec.flush

    def wrapper(*args, **kwargs):
        if config.disabled:
            return fn(*args, **kwargs)
        parent = get()
        # ``Span.__init__`` written out: a call frame fewer on the path every call takes.
        # The span keeps its own shallow copies of list/dict arguments; ``fn`` gets the
        # caller's objects.
        span = new(Span)
        span.start_ns = time_ns()
        span._seq = next(_ids.counter)
        span.end_ns = 0
        span._id = None
        span._fields = None
        span._sent = 0
        span._trace = None if parent is None else parent.trace
        span.parent = parent
        span._spec = spec
        span._args = _snapshot(args) if args and (args[0].__class__ in _COPY or len(args) > 1) else args
        span._kwargs = _snapshot_kw(kwargs) if kwargs else kwargs
        span.output = UNSET
        span.error = None
        span._token = None
        if len(queue) < state.limit:
            append(span)
        else:
            _sender.enqueue_slow(span)
        token = set_(span)
        try:
            result = fn(*args, **kwargs)
        except BaseException as exc:
            reset(token)
            _fail(span, exc)
            raise
        reset(token)
        if capture_output:
            span.output = _COPY[result.__class__](result) if result.__class__ in _COPY else result
        span.end_ns = time_ns()
        if flush_after:
            _sender.flush()
        return result

    return wrapper


def _async_wrapper(fn, spec):
    capture_output = spec.capture_output

    async def wrapper(*args, **kwargs):
        if settings.disabled:
            return await fn(*args, **kwargs)
        span = _start(spec, args, kwargs)
        token = current_span.set(span)
        try:
            result = await fn(*args, **kwargs)
        except BaseException as exc:
            current_span.reset(token)
            _fail(span, exc)
            raise
        current_span.reset(token)
        if capture_output:
            span.output = _COPY[result.__class__](result) if result.__class__ in _COPY else result
        span.end_ns = time_ns()
        if spec.flush:
            _sender.flush()
        return result

    return wrapper


def _generator_wrapper(fn, spec):
    # A generator's span covers the whole iteration: it is the current span while the
    # generator body runs (between a resume and its next yield), not while the consumer runs.
    def wrapper(*args, **kwargs):
        if settings.disabled:
            return (yield from fn(*args, **kwargs))
        span = _start(spec, args, kwargs)
        items = _Items() if spec.capture_output else None
        token = current_span.set(span)
        try:
            gen = fn(*args, **kwargs)
        except BaseException as exc:
            current_span.reset(token)
            _fail(span, exc)
            raise
        current_span.reset(token)
        to_send = to_throw = None
        while True:
            token = current_span.set(span)
            try:
                if to_throw is None:
                    item = gen.send(to_send)
                else:
                    thrown, to_throw = to_throw, None
                    item = gen.throw(thrown)
            except StopIteration as stop:
                current_span.reset(token)
                _end(span, items, spec)
                return stop.value
            except BaseException as exc:
                current_span.reset(token)
                _fail(span, exc, items)
                raise
            current_span.reset(token)
            if items is not None:
                items.add(item)
            try:
                to_send = yield item
            except GeneratorExit:
                token = current_span.set(span)
                try:
                    gen.close()
                finally:
                    current_span.reset(token)
                    _end(span, items, spec)
                raise
            except BaseException as exc:  # thrown in by the consumer: pass it on
                to_throw, to_send = exc, None

    return wrapper


def _async_generator_wrapper(fn, spec):
    async def wrapper(*args, **kwargs):
        traced_call = not settings.disabled
        if traced_call:
            span = _start(spec, args, kwargs)
            items = _Items() if spec.capture_output else None
            token = current_span.set(span)
        try:
            agen = fn(*args, **kwargs)
        finally:
            if traced_call:
                current_span.reset(token)
        to_send = to_throw = None
        while True:
            if traced_call:
                token = current_span.set(span)
            try:
                if to_throw is None:
                    item = await agen.asend(to_send)
                else:
                    thrown, to_throw = to_throw, None
                    item = await agen.athrow(thrown)
            except StopAsyncIteration:
                if traced_call:
                    current_span.reset(token)
                    _end(span, items, spec)
                return
            except BaseException as exc:
                if traced_call:
                    current_span.reset(token)
                    _fail(span, exc, items)
                raise
            if traced_call:
                current_span.reset(token)
                if items is not None:
                    items.add(item)
            try:
                to_send = yield item
            except GeneratorExit:
                if traced_call:
                    token = current_span.set(span)
                try:
                    await agen.aclose()
                finally:
                    if traced_call:
                        current_span.reset(token)
                        _end(span, items, spec)
                raise
            except BaseException as exc:
                to_throw, to_send = exc, None

    return wrapper


# ---- shared pieces (off the sync hot path) ---------------------------------------


def _start(spec, args, kwargs):
    parent = current_span.get()
    span = Span(spec, parent, None if parent is None else parent.trace,
                _snapshot(args) if args else args, _snapshot_kw(kwargs) if kwargs else kwargs)
    _sender.emit(span)
    return span


def _snapshot(args):
    for value in args:
        if value.__class__ in _COPY:
            return tuple(_COPY[v.__class__](v) if v.__class__ in _COPY else v for v in args)
    return args


def _snapshot_kw(kwargs):
    for value in kwargs.values():
        if value.__class__ in _COPY:
            return {k: (_COPY[v.__class__](v) if v.__class__ in _COPY else v) for k, v in kwargs.items()}
    return kwargs


class _Items:
    """A generator's yielded items, kept up to ``MAX_ITEMS``."""

    __slots__ = ("items", "more")

    def __init__(self):
        self.items = []
        self.more = 0

    def add(self, item):
        if len(self.items) < MAX_ITEMS:
            self.items.append(_COPY[item.__class__](item) if item.__class__ in _COPY else item)
        else:
            self.more += 1

    def output(self):
        if self.more:
            return self.items + ["…[%d more items]" % self.more]
        return self.items


def _end(span, items, spec):
    if items is not None:
        span.output = items.output()
    span.end_ns = time_ns()
    if spec.flush:
        _sender.flush()


def _fail(span, exc, items=None):
    try:
        if items is not None:
            span.output = items.output()
        if not _is_clean_exit(exc):
            span.error = error_info(exc)
    except Exception:  # noqa: BLE001 - the user's exception is what propagates
        pass
    span.end_ns = time_ns()


def _is_clean_exit(exc):
    if isinstance(exc, GeneratorExit):
        return True
    return isinstance(exc, SystemExit) and exc.code in (0, None)


# ---- decoration-time work ---------------------------------------------------------


class Binder:
    """Binds a call's arguments to parameter names like ``inspect.Signature.bind`` would
    (defaults filled in, ``**kwargs`` flattened, ``self``/``cls`` left out), from data
    prepared once."""

    __slots__ = ("names", "defaults", "varargs", "skip_first", "ignore")

    def __init__(self, fn, ignore_arguments):
        self.names, self.defaults, self.varargs, self.skip_first = [], {}, None, False
        self.ignore = frozenset(ignore_arguments or ())
        try:
            signature = inspect.signature(fn)
        except (TypeError, ValueError):
            return
        P = inspect.Parameter
        for p in signature.parameters.values():
            if p.kind in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD, P.KEYWORD_ONLY):
                self.names.append((p.name, p.kind != P.KEYWORD_ONLY))
                if p.default is not P.empty:
                    self.defaults[p.name] = p.default
            elif p.kind == P.VAR_POSITIONAL:
                self.varargs = p.name
        # Decorated in a class body, a method is still a plain function whose first
        # parameter is the instance or the class: not part of the input.
        if self.names and self.names[0][0] in ("self", "cls") and not inspect.ismethod(fn):
            self.skip_first = True

    def bind(self, args, kwargs):
        out = {}
        names = self.names
        position = 1 if self.skip_first else 0
        for name, positional in names[position:]:
            if positional and position < len(args):
                out[name] = args[position]
                position += 1
            elif name in kwargs:
                out[name] = kwargs[name]
            elif name in self.defaults:
                out[name] = self.defaults[name]
        if position < len(args):
            out[self.varargs or "args"] = list(args[position:])
        known = {n for n, _ in names}
        for key, value in kwargs.items():
            if key not in known:
                out[key] = value
        if self.ignore:
            for key in self.ignore:
                out.pop(key, None)
        return out


_DEF = r"\s*(?:async\s+)?def\s+%s\b"


def code_location(fn):
    """Absolute file, line of the ``def`` (not of a decorator above it), qualified name."""
    try:
        target = inspect.unwrap(fn)
    except (ValueError, TypeError):
        target = fn
    code = getattr(target, "__code__", None)
    if code is None:
        call = getattr(type(target), "__call__", None)
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
    first = code.co_firstlineno
    try:
        lines = linecache.getlines(code.co_filename)
        pattern = re.compile(_DEF % re.escape(code.co_name))
        for index in range(first - 1, min(len(lines), first + 200)):
            if pattern.match(lines[index]):
                return index + 1
    except Exception:  # noqa: BLE001
        pass
    return first


def _span_type(value):
    if value in SPAN_TYPES:
        return value
    if value is None:
        return "general"
    if value in _BRAINTRUST_TYPES:
        return _BRAINTRUST_TYPES[value]
    warn_once("type:%s" % (value,), "span type %r is not one of %s; using 'general'" % (value, ", ".join(SPAN_TYPES)))
    return "general"


def type_name(fn):
    return type(fn).__name__
