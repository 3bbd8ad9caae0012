"""``track_openai`` / ``wrap_openai`` on clients of the OpenAI SDK's shape.

The clients are fakes (``fake_openai.py``): the real ``openai`` Python package can not be
installed here (no PyPI access), and the wrapper is duck-typed and never imports it, so a
client with the same attributes runs exactly the code a real one would."""

import asyncio
import json
import os
import time
import unittest

from spanscope import track
from spanscope.integrations import openai as spanscope_openai
from spanscope.integrations.openai import track_openai, wrap_openai

from .fake_openai import FakeAsyncOpenAI, FakeOpenAI, Script
from .support import InProcessTest, by_name, line_of, tree

HERE = os.path.abspath(__file__)
MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Weather in Paris?"}]
TOOLS = [("get_weather", json.dumps({"city": "Paris", "unit": "c"})), ("get_time", '{"tz": "CET"}')]


class Chat(InProcessTest, unittest.TestCase):
    def only_span(self):
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        [span] = detail["spans"]
        return span

    def test_a_call_is_an_llm_span_with_messages_reply_usage_and_cost(self):
        client = track_openai(FakeOpenAI(Script(text="Sunny.", usage=(30, 4), model="gpt-4o-mini-2024-07-18")))
        self.assertIs(type(client), FakeOpenAI)  # patched in place, still the same client
        reply = client.chat.completions.create(  # the span's code location
            model="gpt-4o-mini", messages=MESSAGES, temperature=0.2, extra_headers={"Authorization": "secret"}
        )
        self.assertEqual(reply.choices[0].message.content, "Sunny.")
        self.assertEqual(client.calls[0]["temperature"], 0.2)
        span = self.only_span()
        self.assertEqual(
            (span["name"], span["type"], span["provider"], span["model"]),
            ("chat_completion_create", "llm", "openai", "gpt-4o-mini-2024-07-18"),
        )
        self.assertEqual(span["input"], {"messages": MESSAGES})
        self.assertEqual(span["metadata"], {"model": "gpt-4o-mini", "temperature": 0.2})
        self.assertEqual(span["output"], {"role": "assistant", "content": "Sunny."})
        self.assertEqual(span["usage"], {"prompt_tokens": 30, "completion_tokens": 4, "total_tokens": 34})
        self.assertAlmostEqual(span["total_estimated_cost"], (30 * 0.15 + 4 * 0.60) / 1e6)
        self.assertEqual(span["code_location"]["line"], line_of(HERE, "# the span's code location"))

    def test_tool_calls_are_part_of_the_output(self):
        client = wrap_openai(FakeOpenAI(Script(text=None, tool_calls=TOOLS)))
        client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
        span = self.only_span()
        self.assertEqual(
            span["output"],
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "call_0", "type": "function", "function": {"name": "get_weather", "arguments": TOOLS[0][1]}},
                    {"id": "call_1", "type": "function", "function": {"name": "get_time", "arguments": TOOLS[1][1]}},
                ],
            },
        )

    def test_several_choices_are_kept_as_choices_plain_and_streamed(self):
        client = track_openai(FakeOpenAI(Script(text="Paris.")))
        reply = client.chat.completions.create(model="gpt-4o", messages=MESSAGES, n=2)
        self.assertEqual([c.message.content for c in reply.choices], ["Paris.", "Paris. (2)"])
        stream = client.chat.completions.create(model="gpt-4o", messages=MESSAGES, n=3, stream=True)
        self.assertEqual({c.choices[0].index for c in stream if c.choices}, {0, 1, 2})
        self.flush()
        [plain, streamed] = sorted(
            (d["spans"][0] for d in self.collector.details(self.project, 2)), key=lambda s: s["start_time"]
        )
        self.assertEqual(
            plain["output"],
            {"choices": [{"role": "assistant", "content": "Paris."}, {"role": "assistant", "content": "Paris. (2)"}]},
        )
        self.assertEqual(
            streamed["output"],
            {"choices": [{"role": "assistant", "content": text} for text in ("Paris.", "Paris. (2)", "Paris. (3)")]},
        )

    def test_a_stream_is_passed_through_and_its_span_ends_when_it_is_used_up(self):
        client = track_openai(FakeOpenAI(Script(text="It is sunny in Paris.", tool_calls=TOOLS[:1], usage=(11, 6))))
        stream = client.chat.completions.create(
            model="gpt-4o-mini", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
        )
        chunks = []
        for chunk in stream:
            chunks.append(chunk)
            if len(chunks) == 2:
                # Half way through, the span is there and still running.
                traces = self.collector.wait(lambda: self.collector.traces(self.project), timeout=5)
                self.assertEqual(traces[0]["status"], "running")
        self.assertEqual(
            "".join(c.choices[0].delta.content or "" for c in chunks if c.choices), "It is sunny in Paris."
        )
        self.assertEqual(stream.response.status_code, 200)  # other attributes reach the real stream
        span = self.only_span()
        self.assertEqual(span["status"], "ok")
        self.assertEqual(
            span["output"],
            {
                "role": "assistant",
                "content": "It is sunny in Paris.",
                "tool_calls": [
                    {"id": "call_0", "type": "function", "function": {"name": "get_weather", "arguments": TOOLS[0][1]}}
                ],
            },
        )
        self.assertEqual(span["usage"], {"prompt_tokens": 11, "completion_tokens": 6, "total_tokens": 17})
        self.assertEqual(span["metadata"]["stream_options"], {"include_usage": True})
        # Measured from the call to the first chunk that carried text: after the 2 chunks read
        # above and before the stream was used up.
        self.assertGreater(span["time_to_first_token_ms"], 0)
        self.assertLess(span["time_to_first_token_ms"], span["duration_ms"])

    def test_time_to_first_token_counts_from_the_call_to_the_first_text(self):
        client = track_openai(FakeOpenAI(Script(text="Bonjour")))
        stream = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
        time.sleep(0.05)  # the first token reaches the program only when it reads the stream
        "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
        plain = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
        spans = sorted((d["spans"][0] for d in self.collector.details(self.project, 2)), key=lambda s: s["start_time"])
        self.assertGreaterEqual(spans[0]["time_to_first_token_ms"], 50)
        self.assertNotIn("time_to_first_token_ms", spans[1])
        self.assertIsNotNone(plain)

    def test_a_stream_closed_early_ends_its_span_with_what_arrived(self):
        client = track_openai(FakeOpenAI(Script(text="abcdefghijkl")))
        with client.chat.completions.create(model="gpt-4o", messages=MESSAGES, stream=True) as stream:
            for i, _ in enumerate(stream):
                if i == 2:
                    break
        span = self.only_span()
        # Three chunks were read: the role, "abcd" and "efgh".
        self.assertEqual((span["status"], span["output"]["content"]), ("ok", "abcdefgh"))
        self.assertNotIn("usage", span)

    def test_an_error_is_recorded_on_the_span_and_raised(self):
        client = track_openai(FakeOpenAI(Script(error=TimeoutError("upstream timed out"))))
        with self.assertRaises(TimeoutError):
            client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
        span = self.only_span()
        self.assertEqual(span["status"], "error")
        self.assertEqual(span["error_info"]["exception_type"], "TimeoutError")
        self.assertEqual(span["error_info"]["message"], "upstream timed out")

    def test_calls_inside_tracked_functions_nest_and_wrapping_twice_traces_once(self):
        client = track_openai(track_openai(FakeOpenAI()))

        @track
        def agent(question):
            first = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": question}])
            return client.responses.create(model="gpt-4o", input=first.choices[0].message.content).output_text

        self.assertEqual(agent("hi"), "Hello! How can I help?")
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        self.assertEqual(tree(detail), [("agent", [("chat_completion_create", []), ("responses_create", [])])])
        self.assertEqual(detail["trace"]["usage"], {"prompt_tokens": 24, "completion_tokens": 14, "total_tokens": 38})


class Responses(InProcessTest, unittest.TestCase):
    def test_responses_create_reads_input_instructions_text_and_usage(self):
        client = track_openai(
            FakeOpenAI(Script(text="Bonjour", tool_calls=TOOLS[1:], usage=(8, 2), model="gpt-4.1-mini"))
        )
        result = client.responses.create(model="gpt-4.1-mini", input="Say hello in French", instructions="Be nice")
        self.assertEqual(result.output_text, "Bonjour")
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        span = detail["spans"][0]
        self.assertEqual(span["name"], "responses_create")
        self.assertEqual(span["input"], {"input": "Say hello in French", "instructions": "Be nice"})
        self.assertEqual(
            span["output"],
            {
                "role": "assistant",
                "content": "Bonjour",
                "tool_calls": [
                    {"id": "call_0", "type": "function", "function": {"name": "get_time", "arguments": '{"tz": "CET"}'}}
                ],
            },
        )
        self.assertEqual(span["usage"], {"prompt_tokens": 8, "completion_tokens": 2, "total_tokens": 10})
        self.assertAlmostEqual(span["total_estimated_cost"], (8 * 0.40 + 2 * 1.60) / 1e6)

    def test_a_responses_stream_takes_the_final_response(self):
        client = track_openai(FakeOpenAI(Script(text="streamed answer", usage=(5, 2))))
        events = list(client.responses.create(model="gpt-4o", input="q", stream=True))
        self.assertEqual(events[-1].type, "response.completed")
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        span = detail["spans"][0]
        self.assertEqual(span["output"], {"role": "assistant", "content": "streamed answer"})
        self.assertEqual(span["usage"], {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7})


class Async(InProcessTest, unittest.TestCase):
    def test_async_create_stream_and_responses(self):
        client = track_openai(FakeAsyncOpenAI(Script(text="async reply", usage=(3, 2), model="gpt-4o")))

        @track
        async def pipeline():
            plain = await client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
            parts = []
            stream = await client.chat.completions.create(model="gpt-4o", messages=MESSAGES, stream=True)
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    parts.append(chunk.choices[0].delta.content)
            async with await client.chat.completions.create(model="gpt-4o", messages=MESSAGES, stream=True) as s2:
                async for _ in s2:
                    break
            response = await client.responses.create(model="gpt-4o", input="x")
            return plain.choices[0].message.content, "".join(parts), response.output_text

        self.assertEqual(asyncio.run(pipeline()), ("async reply", "async reply", "async reply"))
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        self.assertEqual(
            tree(detail), [("pipeline", [("chat_completion_create", [])] * 3 + [("responses_create", [])])]
        )
        llm = sorted((s for s in detail["spans"] if s["type"] == "llm"), key=lambda s: s["start_time"])
        self.assertEqual([s["output"]["content"] for s in llm], ["async reply", "async reply", None, "async reply"])
        self.assertEqual([s.get("usage", {}).get("total_tokens") for s in llm], [5, 5, None, 5])
        self.assertEqual({s["status"] for s in llm}, {"ok"})

    def test_an_async_error_is_recorded(self):
        client = track_openai(FakeAsyncOpenAI(Script(error=ValueError("bad request"))))
        with self.assertRaises(ValueError):
            asyncio.run(client.responses.create(model="gpt-4o", input="x"))
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        self.assertEqual(detail["spans"][0]["error_info"]["message"], "bad request")


class Module(unittest.TestCase):
    def test_the_module_never_imports_openai(self):
        import sys

        self.assertNotIn("openai", sys.modules)
        with open(spanscope_openai.__file__) as f:
            self.assertNotIn("import openai", f.read())


class CostOfUnknownModel(InProcessTest, unittest.TestCase):
    def test_a_model_without_a_price_has_usage_but_no_cost(self):
        client = track_openai(FakeOpenAI(Script(model="local-llama")))
        client.chat.completions.create(model="local-llama", messages=MESSAGES)
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        span = by_name(detail)["chat_completion_create"]
        self.assertIn("usage", span)
        self.assertNotIn("total_estimated_cost", span)


if __name__ == "__main__":
    unittest.main()
