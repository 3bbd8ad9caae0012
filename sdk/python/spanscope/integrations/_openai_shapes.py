"""Reading what OpenAI's ``create`` returns, by shape: a reply, its usage, and a stream of
chunks or events assembled back into one message. Attribute or key access only, so
``openai``'s pydantic objects, plain dicts and look-alikes all work.

Each kind of call (``Chat``, ``Responses``) says which arguments are its input, how to read
a response, and how to assemble a stream (``Assembler``).
"""

from .._guard import never_raise


def _get(obj, key, default=None):
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


def _usage(usage):
    if usage is None:
        return None
    prompt = _get(usage, "prompt_tokens", _get(usage, "input_tokens"))
    completion = _get(usage, "completion_tokens", _get(usage, "output_tokens"))
    total = _get(usage, "total_tokens")
    out = {}
    if isinstance(prompt, int):
        out["prompt_tokens"] = prompt
    if isinstance(completion, int):
        out["completion_tokens"] = completion
    if isinstance(total, int):
        out["total_tokens"] = total
    elif out:
        out["total_tokens"] = out.get("prompt_tokens", 0) + out.get("completion_tokens", 0)
    cached = _get(_get(usage, "prompt_tokens_details", _get(usage, "input_tokens_details")), "cached_tokens")
    reasoning = _get(_get(usage, "completion_tokens_details", _get(usage, "output_tokens_details")), "reasoning_tokens")
    if isinstance(cached, int) and cached:
        out["cached_tokens"] = cached
    if isinstance(reasoning, int) and reasoning:
        out["reasoning_tokens"] = reasoning
    return out or None


def _tool_call(call):
    function = _get(call, "function")
    return {
        "id": _get(call, "id"),
        "type": _get(call, "type") or "function",
        "function": {"name": _get(function, "name"), "arguments": _get(function, "arguments")},
    }


def _message(message):
    out = {"role": _get(message, "role") or "assistant", "content": _get(message, "content")}
    tool_calls = _get(message, "tool_calls")
    if tool_calls:
        out["tool_calls"] = [_tool_call(c) for c in tool_calls]
    refusal = _get(message, "refusal")
    if refusal:
        out["refusal"] = refusal
    return out


def _one_or_all(messages):
    # The model's shape for a reply (the Node SDK and OTLP write the same): the assistant
    # message itself, or, when the request asked for several (n > 1), {"choices": [message, ...]}.
    if len(messages) == 1:
        return messages[0]
    return {"choices": messages}


class Chat:
    INPUT_KEYS = ("messages", "stream")

    @staticmethod
    def input(kwargs):
        return {"messages": kwargs.get("messages")}

    @staticmethod
    def from_response(response):
        choices = _get(response, "choices") or []
        messages = [_message(_get(c, "message")) for c in choices]
        return _one_or_all(messages) if messages else None, _usage(_get(response, "usage")), _get(response, "model")

    class Assembler:
        """Rebuilds the message(s) from ``chat.completion.chunk`` deltas, tool calls included."""

        def __init__(self):
            self.choices = {}
            self.usage = None
            self.model = None

        @never_raise()  # a chunk of an unknown shape adds nothing
        def add(self, chunk):
            self.model = _get(chunk, "model") or self.model
            usage = _get(chunk, "usage")
            if usage is not None:
                self.usage = usage
            for choice in _get(chunk, "choices") or ():
                state = self.choices.setdefault(
                    _get(choice, "index", 0) or 0, {"role": None, "content": [], "tools": {}, "refusal": []}
                )
                delta = _get(choice, "delta")
                if delta is None:
                    continue
                state["role"] = _get(delta, "role") or state["role"]
                if _get(delta, "content"):
                    state["content"].append(_get(delta, "content"))
                if _get(delta, "refusal"):
                    state["refusal"].append(_get(delta, "refusal"))
                for call in _get(delta, "tool_calls") or ():
                    entry = state["tools"].setdefault(
                        _get(call, "index", 0) or 0,
                        {"id": None, "type": "function", "function": {"name": "", "arguments": ""}},
                    )
                    entry["id"] = _get(call, "id") or entry["id"]
                    entry["type"] = _get(call, "type") or entry["type"]
                    function = _get(call, "function")
                    if function is not None:
                        entry["function"]["name"] += _get(function, "name") or ""
                        entry["function"]["arguments"] += _get(function, "arguments") or ""

        def started(self):
            """True once a chunk carried text or a tool call: the first token has arrived."""
            return any(state["content"] or state["tools"] for state in self.choices.values())

        def result(self):
            messages = []
            for index in sorted(self.choices):
                state = self.choices[index]
                message = {
                    "role": state["role"] or "assistant",
                    "content": "".join(state["content"]) if state["content"] else None,
                }
                if state["tools"]:
                    message["tool_calls"] = [state["tools"][i] for i in sorted(state["tools"])]
                if state["refusal"]:
                    message["refusal"] = "".join(state["refusal"])
                messages.append(message)
            output = _one_or_all(messages) if messages else None
            return output, _usage(self.usage), self.model


class Responses:
    INPUT_KEYS = ("input", "instructions", "stream")

    @staticmethod
    def input(kwargs):
        value = {"input": kwargs.get("input")}
        if kwargs.get("instructions") is not None:
            value["instructions"] = kwargs["instructions"]
        return value

    @staticmethod
    def from_response(response):
        return Responses.message(response), _usage(_get(response, "usage")), _get(response, "model")

    @staticmethod
    def message(response):
        texts, tool_calls = [], []
        for item in _get(response, "output") or ():
            kind = _get(item, "type")
            if kind == "message":
                for part in _get(item, "content") or ():
                    if _get(part, "type") == "output_text":
                        texts.append(_get(part, "text") or "")
            elif kind == "function_call":
                tool_calls.append(
                    {
                        "id": _get(item, "call_id") or _get(item, "id"),
                        "type": "function",
                        "function": {"name": _get(item, "name"), "arguments": _get(item, "arguments")},
                    }
                )
        text = "".join(texts) if texts else _get(response, "output_text")
        message = {"role": "assistant", "content": text}
        if tool_calls:
            message["tool_calls"] = tool_calls
        return message

    class Assembler:
        """Follows the Responses stream: text deltas as they come, the final response (with
        usage) from ``response.completed``."""

        def __init__(self):
            self.parts = []
            self.final = None
            self.model = None

        @never_raise()  # an event of an unknown shape adds nothing
        def add(self, event):
            kind = _get(event, "type")
            if kind == "response.output_text.delta":
                self.parts.append(_get(event, "delta") or "")
            elif kind in ("response.created", "response.completed", "response.incomplete", "response.failed"):
                self.final = _get(event, "response") or self.final
                self.model = _get(self.final, "model") or self.model

        def started(self):
            return bool(self.parts)

        def result(self):
            final = self.final
            if final is not None and _get(final, "output"):
                return Responses.message(final), _usage(_get(final, "usage")), self.model
            return ({"role": "assistant", "content": "".join(self.parts)}, _usage(_get(final, "usage")), self.model)
