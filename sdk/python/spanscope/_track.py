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
import time

from . import _ids, _sender
from ._config import settings
from ._context import current_span
from ._fields import UNSET, error_info, span_type
from ._guard import never_raise
from ._records import Span
from ._signature import Binder, call_shape, code_location
from ._warn import warn_once

MAX_ITEMS = 1000  # yielded items kept as a generator's output
_COPY = {list: list, dict: dict}

time_ns = time.time_ns
new = object.__new__


class TrackSpec:
    """What every span of one decorated function shares."""

    __slots__ = (
        "name",
        "type",
        "project_name",
        "tags",
        "metadata",
        "capture_input",
        "capture_output",
        "flush",
        "code_location",
        "bind",
        "aggregate",
        "call_shape",
    )

    def __init__(
        self,
        fn,
        name,
        type,
        project_name,
        tags,
        metadata,
        capture_input,
        capture_output,
        flush,
        ignore_arguments,
        aggregate=None,
        method=None,
    ):
        self.name = str(name) if name else getattr(fn, "__name__", None) or type_name(fn)
        self.type = span_type(type)
        self.project_name = project_name
        self.tags = [str(t) for t in ([tags] if isinstance(tags, str) else (tags or ()))]
        self.metadata = dict(metadata) if metadata else None
        self.capture_input = bool(capture_input)
        self.capture_output = bool(capture_output)
        self.flush = bool(flush)
        self.code_location = code_location(fn)
        self.bind = Binder(fn, ignore_arguments).bind
        self.call_shape = call_shape(fn, method)
        # Opik's ``generations_aggregator``: makes one output of a generator's items.
        self.aggregate = aggregate if callable(aggregate) else None


def track(
    name=None,
    type="general",
    tags=None,
    metadata=None,
    capture_input=True,
    ignore_arguments=None,
    capture_output=True,
    generations_aggregator=None,
    flush=False,
    project_name=None,
    **options,
):
    """Traces a function: ``@track``, ``@track()``, ``@track(name=..., type=..., ...)``.

    Works on functions, methods, ``async`` functions, generators and async generators.
    The outermost tracked call starts a trace; calls inside it become its child spans.
    """
    if isinstance(name, (classmethod, staticmethod)) or (callable(name) and not isinstance(name, str)):
        return _decorate(name, {})
    given = dict(
        name=name,
        type=type,
        tags=tags,
        metadata=metadata,
        capture_input=capture_input,
        ignore_arguments=ignore_arguments,
        capture_output=capture_output,
        flush=flush,
        project_name=project_name,
        generations_aggregator=generations_aggregator,
    )
    if options.pop("notrace_io", False):  # Braintrust's spelling of "do not capture"
        given["capture_input"] = given["capture_output"] = False
    for key in options:
        warn_once("track:" + key, "@track ignores the argument %r" % key)

    def decorator(fn):
        return _decorate(fn, given)

    return decorator


traced = track


def _decorate(fn, given, method=None):
    if settings.disabled:
        return fn  # untouched: not even a wrapper
    try:
        if isinstance(fn, (classmethod, staticmethod)):
            return type(fn)(_decorate(fn.__func__, given, "class" if isinstance(fn, classmethod) else "static"))
        spec = TrackSpec(
            fn,
            given.get("name"),
            given.get("type", "general"),
            given.get("project_name"),
            given.get("tags"),
            given.get("metadata"),
            given.get("capture_input", True),
            given.get("capture_output", True),
            given.get("flush", False),
            given.get("ignore_arguments"),
            given.get("generations_aggregator"),
            method,
        )
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
    except Exception as exc:
        # A function we can not wrap (an odd callable, arguments we can not read) still
        # works, untraced; the message says why, which needs the exception itself.
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
            except BaseException as exc:  # thrown in by the consumer: thrown on into the generator
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
            except BaseException as exc:  # thrown in by the consumer: thrown on into the generator
                to_throw, to_send = exc, None

    return wrapper


# ---- shared pieces (off the sync hot path) ---------------------------------------


def _start(spec, args, kwargs):
    parent = current_span.get()
    span = Span(
        spec,
        parent,
        None if parent is None else parent.trace,
        _snapshot(args) if args else args,
        _snapshot_kw(kwargs) if kwargs else kwargs,
    )
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
            return [*self.items, "…[%d more items]" % self.more]
        return self.items


def _end(span, items, spec):
    if items is not None:
        span.output = _aggregate(spec, items.output())
    span.end_ns = time_ns()
    if spec.flush:
        _sender.flush()


def _aggregate(spec, items):
    if spec.aggregate is None:
        return items
    output = _call_aggregator(spec.aggregate, items)
    if output is _FAILED:
        warn_once("aggregate", "generations_aggregator raised; the yielded items are logged instead")
        return items
    return output


_FAILED = object()


@never_raise(fallback=_FAILED)  # the user's aggregator failed: the items are kept
def _call_aggregator(aggregate, items):
    return aggregate(items)


def _fail(span, exc, items=None):
    _note_failure(span, exc, items)
    span.end_ns = time_ns()


@never_raise()  # the user's exception is what propagates, never one of ours
def _note_failure(span, exc, items):
    if items is not None:
        span.output = items.output()
    if not _is_clean_exit(exc):
        span.error = error_info(exc)


def _is_clean_exit(exc):
    if isinstance(exc, GeneratorExit):
        return True
    return isinstance(exc, SystemExit) and exc.code in (0, None)


def type_name(fn):
    return type(fn).__name__
