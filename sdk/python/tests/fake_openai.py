"""A stand-in for the ``openai`` package's clients, of the same shape as far as
``track_openai`` reads them: ``client.chat.completions.create`` and
``client.responses.create`` (sync and async), returning objects with the attributes of
``ChatCompletion`` / ``Response`` / their stream chunks and events.

This is a mock because the real ``openai`` Python package can not be installed here (no
PyPI); the wrapper is duck-typed and never imports ``openai``, so an object of the same
shape exercises exactly the code a real client would.
"""

import asyncio
import itertools
from types import SimpleNamespace as NS


class Script:
    """What the fake model answers: text, tool calls, usage, model, or an error to raise."""

    def __init__(
        self,
        text="Hello! How can I help?",
        tool_calls=None,
        usage=(12, 7),
        model="gpt-4o-mini-2024-07-18",
        error=None,
        include_usage_in_stream=True,
    ):
        self.text = text
        self.tool_calls = tool_calls or []
        self.usage = usage
        self.model = model
        self.error = error
        self.include_usage_in_stream = include_usage_in_stream


def _usage(script, responses_api=False):
    if script.usage is None:
        return None
    prompt, completion = script.usage
    if responses_api:
        return NS(
            input_tokens=prompt,
            output_tokens=completion,
            total_tokens=prompt + completion,
            input_tokens_details=NS(cached_tokens=0),
            output_tokens_details=NS(reasoning_tokens=0),
        )
    return NS(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=prompt + completion,
        prompt_tokens_details=NS(cached_tokens=0, audio_tokens=0),
        completion_tokens_details=NS(reasoning_tokens=0),
    )


def _choice_text(script, index):
    """With ``n`` > 1 each choice says something else: the first the script's text, the next ones numbered."""
    if index == 0 or script.text is None:
        return script.text
    return "%s (%d)" % (script.text, index + 1)


def chat_completion(script, request=None):
    tool_calls = [
        NS(id="call_%d" % i, type="function", function=NS(name=name, arguments=args))
        for i, (name, args) in enumerate(script.tool_calls)
    ] or None
    choices = [
        NS(
            index=index,
            finish_reason="tool_calls" if tool_calls else "stop",
            logprobs=None,
            message=NS(
                role="assistant",
                content=_choice_text(script, index),
                tool_calls=tool_calls,
                refusal=None,
                function_call=None,
            ),
        )
        for index in range((request or {}).get("n") or 1)
    ]
    return NS(
        id="chatcmpl-1",
        object="chat.completion",
        model=script.model,
        choices=choices,
        usage=_usage(script),
        system_fingerprint="fp_test",
    )


def _delta(role=None, content=None, tool_calls=None, refusal=None):
    return NS(role=role, content=content, tool_calls=tool_calls, refusal=refusal, function_call=None)


def chat_chunks(script, request=None):
    """The chunks a streamed chat completion arrives in: role, text in pieces, tool-call
    fragments, the finish reason, then (with include_usage) a last chunk with usage only.
    With ``n`` > 1 the choices' chunks interleave, each with its index."""

    def chunk(delta=None, finish=None, usage=None, choices=True, index=0):
        return NS(
            id="chatcmpl-1",
            object="chat.completion.chunk",
            model=script.model,
            usage=usage,
            choices=[NS(index=index, delta=delta or _delta(), finish_reason=finish)] if choices else [],
        )

    per_choice = []
    for index in range((request or {}).get("n") or 1):
        out = [chunk(_delta(role="assistant", content=""), index=index)]
        text = _choice_text(script, index) or ""
        for start in range(0, len(text), 4):
            out.append(chunk(_delta(content=text[start : start + 4]), index=index))
        for i, (name, args) in enumerate(script.tool_calls):
            out.append(
                chunk(
                    _delta(
                        tool_calls=[
                            NS(index=i, id="call_%d" % i, type="function", function=NS(name=name, arguments=""))
                        ]
                    ),
                    index=index,
                )
            )
            half = len(args) // 2
            for piece in (args[:half], args[half:]):
                out.append(
                    chunk(
                        _delta(tool_calls=[NS(index=i, id=None, type=None, function=NS(name=None, arguments=piece))]),
                        index=index,
                    )
                )
        out.append(chunk(_delta(), finish="tool_calls" if script.tool_calls else "stop", index=index))
        per_choice.append(out)
    out = [c for row in itertools.zip_longest(*per_choice) for c in row if c is not None]
    if script.include_usage_in_stream:
        out.append(chunk(usage=_usage(script), choices=False))
    return out


def response(script, request=None):
    output = [
        NS(
            type="message",
            id="msg_1",
            role="assistant",
            status="completed",
            content=[NS(type="output_text", text=script.text, annotations=[])],
        )
    ]
    for i, (name, args) in enumerate(script.tool_calls):
        output.append(NS(type="function_call", id="fc_%d" % i, call_id="call_%d" % i, name=name, arguments=args))
    return NS(
        id="resp_1",
        object="response",
        model=script.model,
        status="completed",
        output=output,
        output_text=script.text,
        usage=_usage(script, responses_api=True),
    )


def response_events(script, request=None):
    final = response(script)
    events = [NS(type="response.created", response=NS(id="resp_1", model=script.model, output=[], usage=None))]
    text = script.text or ""
    for start in range(0, len(text), 5):
        events.append(NS(type="response.output_text.delta", delta=text[start : start + 5], item_id="msg_1"))
    events.append(NS(type="response.completed", response=final))
    return events


class Stream:
    """Like ``openai.Stream``: iterate it, or use it as a context manager; ``close()``."""

    def __init__(self, items):
        self._items = list(items)
        self.closed = False
        self.response = NS(status_code=200)

    def __iter__(self):
        for item in self._items:
            if self.closed:
                return
            yield item

    def close(self):
        self.closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class AsyncStream:
    """Like ``openai.AsyncStream``: ``async for``, ``async with``, ``await close()``."""

    def __init__(self, items):
        self._items = list(items)
        self.closed = False

    async def _generate(self):
        for item in self._items:
            if self.closed:
                return
            await asyncio.sleep(0)
            yield item

    def __aiter__(self):
        return self._generate()

    async def close(self):
        self.closed = True

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.close()


class _Resource:
    def __init__(self, client, make, make_stream):
        self._client = client
        self._make = make
        self._make_stream = make_stream

    def _answer(self, kwargs):
        self._client.calls.append(kwargs)
        script = self._client.script
        if script.error is not None:
            raise script.error
        if kwargs.get("stream"):
            return self._stream_class(self._make_stream(script, kwargs))
        return self._make(script, kwargs)


class Completions(_Resource):
    _stream_class = Stream

    def create(self, **kwargs):
        return self._answer(kwargs)


class AsyncCompletions(_Resource):
    _stream_class = AsyncStream

    async def create(self, **kwargs):
        await asyncio.sleep(0)
        return self._answer(kwargs)


class FakeOpenAI:
    """``OpenAI()``: ``.chat.completions.create`` and ``.responses.create``."""

    def __init__(self, script=None):
        self.script = script or Script()
        self.calls = []
        self.chat = NS(completions=Completions(self, chat_completion, chat_chunks))
        self.responses = Completions(self, response, response_events)


class FakeAsyncOpenAI:
    """``AsyncOpenAI()``: the same, with ``async def create``."""

    def __init__(self, script=None):
        self.script = script or Script()
        self.calls = []
        self.chat = NS(completions=AsyncCompletions(self, chat_completion, chat_chunks))
        self.responses = AsyncCompletions(self, response, response_events)
