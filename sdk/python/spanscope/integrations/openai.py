"""OpenAI: ``track_openai(client)`` (alias ``wrap_openai``) traces ``chat.completions.create``
and ``responses.create`` on sync and async clients, streamed or not, as ``llm`` spans with
the model, the messages, the reply and token usage (the collector estimates the cost).

Duck-typed: ``openai`` is never imported, the client is patched in place (its resource
objects get an instance attribute ``create``), and responses are read by attribute or key,
so any object of the same shape works. Instrumentation failures never reach the caller:
the original ``create`` runs whatever happens here.
"""

import inspect
import time

from .._config import settings
from .._context import current_span
from .._fields import error_info
from .._guard import never_raise
from .._records import Span, Trace
from .._warn import warn_once
from ._openai_shapes import Chat, Responses

PROVIDER = "openai"

_SECRET_OR_TRANSPORT = ("extra_headers", "extra_query", "extra_body", "timeout")


def track_openai(client, project_name=None):
    """Traces ``client`` (an ``openai.OpenAI`` or ``openai.AsyncOpenAI``) and returns it."""
    if settings.disabled or getattr(client, "_spanscope_tracked", False):
        return client
    _patch(client, ("chat", "completions"), "chat_completion_create", Chat, project_name)
    _patch(client, ("responses",), "responses_create", Responses, project_name)
    _mark_tracked(client)
    return client


@never_raise()  # a client that takes no attributes is still traced: _patch sees its own wrapper
def _mark_tracked(client):
    client._spanscope_tracked = True


wrap_openai = track_openai


def _patch(client, path, span_name, kind, project_name):
    resource = client
    try:
        for name in path:
            resource = getattr(resource, name)
        original = resource.create
    except AttributeError:
        return
    if getattr(original, "_spanscope_original", None) is not None:
        return
    if inspect.iscoroutinefunction(original):

        async def create(*args, **kwargs):
            call = _Call.begin(span_name, kind, kwargs, project_name)
            if call is None:
                return await original(*args, **kwargs)
            try:
                result = await original(*args, **kwargs)
            except BaseException as exc:
                call.fail(exc)
                raise
            return call.finish_async(result)
    else:

        def create(*args, **kwargs):
            call = _Call.begin(span_name, kind, kwargs, project_name)
            if call is None:
                return original(*args, **kwargs)
            try:
                result = original(*args, **kwargs)
            except BaseException as exc:
                call.fail(exc)
                raise
            if inspect.isawaitable(result):
                return call.await_result(result)
            return call.finish(result)

    create._spanscope_original = original
    if not _replace_create(resource, create, original):
        warn_once("openai-patch", "could not trace %s.create on this client" % ".".join(path))


@never_raise(fallback=False)  # a resource that refuses the attribute stays untraced
def _replace_create(resource, create, original):
    create.__doc__ = getattr(original, "__doc__", None)
    resource.create = create
    return True


class _Call:
    """One traced ``create`` call: its span and how to read what comes back."""

    __slots__ = ("span", "kind", "stream", "model", "started_at")

    @classmethod
    @never_raise()  # None: the original create runs untraced
    def begin(cls, span_name, kind, kwargs, project_name):
        if settings.disabled:
            return None
        call = cls()
        call.kind = kind
        call.stream = bool(kwargs.get("stream"))
        call.model = kwargs.get("model")
        call.started_at = time.perf_counter()
        metadata = {k: v for k, v in kwargs.items() if k not in kind.INPUT_KEYS and k not in _SECRET_OR_TRANSPORT}
        given = {"input": kind.input(kwargs), "metadata": metadata, "model": call.model, "provider": PROVIDER}
        parent = current_span.get()
        if parent is None:
            trace = Trace(project_name or settings.project_name, 0)
            call.span = Span.manual(trace, None, span_name, "llm", given, {}, root=True)
        else:
            call.span = Span.manual(parent.trace, parent, span_name, "llm", given, {})
        return call

    def fail(self, exc):
        self.span.end(error_info=exc)

    def finish(self, result):
        if self.stream:
            return _Stream(result, self)
        if not self._end_with(result):
            self.span.end()
        return result

    def finish_async(self, result):
        if self.stream:
            return _AsyncStream(result, self)
        if not self._end_with(result):
            self.span.end()
        return result

    @never_raise(fallback=False)  # a response of an unknown shape still ends the span, without output
    def _end_with(self, result):
        self.end(self.kind.from_response(result))
        return True

    async def await_result(self, awaitable):
        try:
            result = await awaitable
        except BaseException as exc:
            self.fail(exc)
            raise
        return self.finish_async(result)

    def end(self, assembled, error=None, first_token_at=None):
        output, usage, model = assembled
        model = model or self.model
        changes = {"output": output}
        if first_token_at is not None:
            changes["time_to_first_token_ms"] = round((first_token_at - self.started_at) * 1000, 3)
        if usage:
            # Model and usage are enough: the collector prices the call from its price database.
            changes["usage"] = usage
        if model:
            changes["model"] = model
        if error is not None:
            changes["error_info"] = error
        self.span.end(**changes)


# ---- streams ------------------------------------------------------------------------
#
# The span stays open while the caller reads the stream and ends when the stream is used
# up, closed, fails, or is dropped; its output is the message assembled from the chunks.


class _Stream:
    def __init__(self, stream, call):
        self._stream = stream
        self._call = call
        self._assembler = call.kind.Assembler()
        self._iterator = None
        self._done = False
        self._first_token_at = None

    def __iter__(self):
        return self

    def __next__(self):
        try:
            if self._iterator is None:
                self._iterator = iter(self._stream)
            chunk = next(self._iterator)
        except StopIteration:
            self._finish(None)
            raise
        except BaseException as exc:
            self._finish(exc)
            raise
        self._took(chunk)
        return chunk

    def close(self):
        try:
            close = getattr(self._stream, "close", None)
            if close is not None:
                close()
        finally:
            self._finish(None)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()
        return False

    def __getattr__(self, name):
        return getattr(self._stream, name)

    def __del__(self):
        self._finish(None)

    def _took(self, chunk):
        self._assembler.add(chunk)
        if self._first_token_at is None and self._assembler.started():
            self._first_token_at = time.perf_counter()

    def _finish(self, exc):
        if self._done:
            return
        self._done = True
        self._end_span(exc)

    @never_raise()  # runs from __del__ too, where an exception would only be printed
    def _end_span(self, exc):
        self._call.end(self._assembler.result(), None if exc is None else error_info(exc), self._first_token_at)


class _AsyncStream(_Stream):
    def __aiter__(self):
        return self

    async def __anext__(self):
        try:
            if self._iterator is None:
                self._iterator = self._stream.__aiter__()
            chunk = await self._iterator.__anext__()
        except StopAsyncIteration:
            self._finish(None)
            raise
        except BaseException as exc:
            self._finish(exc)
            raise
        self._took(chunk)
        return chunk

    async def close(self):
        try:
            close = getattr(self._stream, "close", None) or getattr(self._stream, "aclose", None)
            if close is not None:
                result = close()
                if inspect.isawaitable(result):
                    await result
        finally:
            self._finish(None)

    aclose = close

    async def __aenter__(self):
        return self

    async def __aexit__(self, exc_type, exc, tb):
        await self.close()
        return False
