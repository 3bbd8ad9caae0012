"""``@track`` on every kind of callable, nesting across threads and asyncio tasks, errors,
inputs and outputs as the read API shows them, and the live view of running spans."""

import asyncio
import concurrent.futures
import contextlib
import functools
import io
import math
import os
import re
import threading
import unittest
import uuid

import spanscope
from spanscope import context, traced, track

from .support import InProcessTest, by_name, line_of, scores, tree

HERE = os.path.abspath(__file__)


@track
def leaf(x):
    return x * 2


@track
async def async_leaf(x):
    await asyncio.sleep(0.01)
    return leaf(x)


@track
async def async_parent(items):
    return await asyncio.gather(*(async_leaf(i) for i in items))


@track
def numbers(n):
    for i in range(n):
        yield leaf(i)


@track
async def async_numbers(n):
    for i in range(n):
        await asyncio.sleep(0)
        yield leaf(i)


@track
def consumer(n):
    total = 0
    for value in numbers(n):
        total += leaf(value)
    return total


class Agent:
    def __init__(self, name):
        self.name = name

    @track
    def answer(self, question, polite=True):
        return "%s says %s" % (self.name, question)

    @track
    @classmethod
    def create(cls, name):
        return cls(name).name

    @track
    @staticmethod
    def helper(value):
        return value + 1


def passthrough(fn):
    @functools.wraps(fn)
    def inner(*args, **kwargs):
        return fn(*args, **kwargs)

    return inner


@passthrough
@track(
    name="stacked",
    type="tool",
)
@passthrough
def stacked_function(x):
    return x


@track
def signature_of_many_kinds(a, b=2, *rest, c, d=4, **extra):
    return a


@track
def appends_to(messages):
    messages.append("reply")
    return messages


class Boom(Exception):
    pass


@track
def fails(x):
    raise Boom("bad input %s" % x)


@track
def calls_failing():
    return fails(1)


@track
def waits_for(event):
    event.wait(10)
    return "released"


class Unprintable:
    def __repr__(self):
        raise RuntimeError("no repr for you")


class Plain:
    def __init__(self):
        self.size = 3
        self._hidden = "x"


@track
def takes_anything(value):
    return value


class Kinds(InProcessTest, unittest.TestCase):
    def test_async_calls_nest_per_task_under_the_span_that_started_them(self):
        self.assertEqual(asyncio.run(async_parent([1, 2, 3])), [2, 4, 6])
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        self.assertEqual(tree(detail), [("async_parent", [("async_leaf", [("leaf", [])])] * 3)])
        spans = detail["spans"]
        by_id = {s["id"]: s for s in spans}
        for span in spans:
            if span["name"] == "leaf":
                # Each task's leaf sits under that task's async_leaf, with the same input.
                parent = by_id[span["parent_span_id"]]
                self.assertEqual(parent["input"], span["input"])
        self.assertEqual(detail["trace"]["output"], [2, 4, 6])
        self.assertEqual(
            by_name_first(detail, "async_parent")["code_location"]["line"], line_of(HERE, "async def async_parent(")
        )

    def test_a_generator_span_covers_the_iteration_and_its_output_is_what_it_yielded(self):
        self.assertEqual(consumer(3), 0 + 4 + 8)
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        # The leaf calls made by the generator body are its children; the consumer's own
        # leaf calls between items are not.
        self.assertEqual(
            tree(detail),
            [
                (
                    "consumer",
                    [
                        ("numbers", [("leaf", []), ("leaf", []), ("leaf", [])]),
                        ("leaf", []),
                        ("leaf", []),
                        ("leaf", []),
                    ],
                )
            ],
        )
        generator = by_name_first(detail, "numbers")
        self.assertEqual(generator["input"], {"n": 3})
        self.assertEqual(generator["output"], [0, 2, 4])
        self.assertEqual(generator["code_location"]["line"], line_of(HERE, "def numbers("))
        consumer_span = by_name_first(detail, "consumer")
        self.assertLessEqual(generator["end_time"], consumer_span["end_time"])

    def test_a_generations_aggregator_makes_the_output_of_a_generator(self):
        @track(generations_aggregator=lambda items: "".join(items))
        def tokens():
            yield "Hel"
            yield "lo"

        self.assertEqual(list(tokens()), ["Hel", "lo"])
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        self.assertEqual(detail["spans"][0]["output"], "Hello")

    def test_a_generator_closed_early_ends_with_what_it_had_yielded(self):
        g = numbers(10)
        self.assertEqual([next(g), next(g)], [0, 2])
        g.close()
        self.flush()
        details = self.collector.details(self.project, 1)
        [detail] = [d for d in details if d["trace"]["name"] == "numbers"]
        span = by_name_first(detail, "numbers")
        self.assertEqual((span["status"], span["output"]), ("ok", [0, 2]))

    def test_a_generator_passes_send_and_throw_through(self):
        @track
        def echo():
            received = []
            while True:
                try:
                    value = yield len(received)
                except KeyError:
                    value = "caught"
                received.append(value)
                if len(received) == 3:
                    return

        g = echo()
        self.assertEqual(next(g), 0)
        self.assertEqual(g.send("a"), 1)
        self.assertEqual(g.throw(KeyError("k")), 2)
        with self.assertRaises(StopIteration):
            g.send("c")
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        self.assertEqual(detail["spans"][0]["output"], [0, 1, 2])
        self.assertEqual(detail["spans"][0]["status"], "ok")

    def test_an_async_generator_is_traced_across_its_iteration(self):
        async def main():
            out = [v async for v in async_numbers(3)]
            early = async_numbers(5)
            first = await early.__anext__()
            await early.aclose()
            return out, first

        self.assertEqual(asyncio.run(main()), ([0, 2, 4], 0))
        self.flush()
        details = self.collector.details(self.project, 2)
        outputs = sorted((d["trace"]["output"], len(d["spans"])) for d in details)
        self.assertEqual(outputs, [([0], 2), ([0, 2, 4], 4)])
        for detail in details:
            self.assertEqual(tree(detail)[0][0], "async_numbers")
            self.assertEqual({s["status"] for s in detail["spans"]}, {"ok"})

    def test_methods_leave_self_and_cls_out_of_the_input(self):
        agent = Agent("bot")
        self.assertEqual(agent.answer("hi"), "bot says hi")
        self.assertEqual(Agent.create("made"), "made")
        self.assertEqual(Agent.helper(1), 2)
        self.flush()
        details = self.collector.details(self.project, 3)
        inputs = {d["spans"][0]["name"]: d["spans"][0]["input"] for d in details}
        self.assertEqual(
            inputs, {"answer": {"question": "hi", "polite": True}, "create": {"name": "made"}, "helper": {"value": 1}}
        )
        functions = {d["spans"][0]["code_location"]["function"] for d in details}
        self.assertEqual(functions, {"Agent.answer", "Agent.create", "Agent.helper"})

    def test_the_line_is_the_def_even_under_stacked_multi_line_decorators(self):
        stacked_function(1)
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        [span] = detail["spans"]
        self.assertEqual(span["name"], "stacked")
        self.assertEqual(span["type"], "tool")
        self.assertEqual(
            span["code_location"],
            {"file": HERE, "line": line_of(HERE, "def stacked_function("), "function": "stacked_function"},
        )

    def test_arguments_are_bound_by_name_with_defaults_and_extra_keywords_flattened(self):
        signature_of_many_kinds(1, 5, 6, 7, c=3, e=9)
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        self.assertEqual(detail["spans"][0]["input"], {"a": 1, "b": 5, "c": 3, "d": 4, "rest": [6, 7], "e": 9})

    def test_the_input_is_what_the_function_was_given_not_what_it_made_of_it(self):
        messages = ["question"]
        appends_to(messages)
        self.assertEqual(messages, ["question", "reply"])  # the function got the caller's list
        messages.append("later")
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        self.assertEqual(detail["spans"][0]["input"], {"messages": ["question"]})
        self.assertEqual(detail["spans"][0]["output"], ["question", "reply"])

    def test_tags_metadata_and_ignored_arguments_from_the_decorator(self):
        @track(tags=["rag", "v2"], metadata={"team": "search"}, ignore_arguments=["api_key"])
        def search(query, api_key, limit=5):
            context.update_current_span(metadata={"hits": 2}, tags=["cached"])
            return ["a", "b"]

        search("q", "sk-secret")
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        [span] = detail["spans"]
        self.assertEqual(span["input"], {"query": "q", "limit": 5})
        self.assertEqual(
            {k: v for k, v in span["metadata"].items() if k != "spanscope.call"}, {"team": "search", "hits": 2}
        )
        self.assertEqual(sorted(span["tags"]), ["cached", "rag", "v2"])
        self.assertEqual(sorted(detail["trace"]["tags"]), ["rag", "v2"])
        self.assertEqual(detail["trace"]["metadata"], {"team": "search"})

    def test_async_methods_leave_self_out_too(self):
        class Bot:
            @track
            async def reply(self, text):
                await asyncio.sleep(0)
                return text[::-1]

        self.assertEqual(asyncio.run(Bot().reply("abc")), "cba")
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        self.assertEqual(detail["spans"][0]["input"], {"text": "abc"})

    def test_span_types_and_traced_alias(self):
        @traced(type="guardrail")
        def guard(text):
            return text

        @track(type="tool")
        def tool(text):
            return guard(text)

        tool("x")
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        spans = by_name(detail)
        self.assertEqual((spans["tool"]["type"], spans["guard"]["type"]), ("tool", "guardrail"))

    def test_ids_are_uuid_v7_and_times_are_iso_utc_with_microseconds(self):
        leaf(1)
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        span = detail["spans"][0]
        for value in (detail["trace"]["id"], span["id"]):
            self.assertEqual(uuid.UUID(value).version, 7)
        self.assertRegex(span["start_time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
        self.assertGreaterEqual(span["end_time"], span["start_time"])
        self.assertEqual(detail["trace"]["start_time"], span["start_time"])


class Threads(InProcessTest, unittest.TestCase):
    def test_each_thread_keeps_its_own_stack_and_a_new_thread_starts_a_new_trace(self):
        barrier = threading.Barrier(4)

        @track
        def worker(n):
            barrier.wait(5)  # all four are inside their span at once
            return leaf(n)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.flush()
        details = self.collector.details(self.project, 4)
        self.assertEqual(sorted(d["trace"]["input"]["n"] for d in details), [0, 1, 2, 3])
        for detail in details:
            self.assertEqual(tree(detail), [("worker", [("leaf", [])])])
            self.assertEqual(by_name(detail)["leaf"]["input"]["x"], detail["trace"]["input"]["n"])

    def test_with_current_span_carries_the_span_into_threads_and_executors(self):
        @track
        def fan_out():
            with concurrent.futures.ThreadPoolExecutor(4) as pool:
                results = list(pool.map(context.with_current_span(leaf), range(4)))
            t = threading.Thread(target=context.with_current_span(leaf), args=(10,))
            t.start()
            t.join()
            return results

        self.assertEqual(fan_out(), [0, 2, 4, 6])
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        self.assertEqual(tree(detail), [("fan_out", [("leaf", [])] * 5)])

    def test_a_thread_started_without_it_makes_its_own_trace(self):
        @track
        def starts_thread():
            t = threading.Thread(target=leaf, args=(1,))
            t.start()
            t.join()

        starts_thread()
        self.flush()
        details = self.collector.details(self.project, 2)
        self.assertEqual(sorted(d["trace"]["name"] for d in details), ["leaf", "starts_thread"])


class Errors(InProcessTest, unittest.TestCase):
    def test_an_exception_is_recorded_and_re_raised_unchanged(self):
        with self.assertRaises(Boom) as raised:
            calls_failing()
        self.assertEqual(str(raised.exception), "bad input 1")
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        self.assertEqual(detail["trace"]["status"], "error")
        self.assertEqual(detail["trace"]["error_count"], 2)
        spans = by_name(detail)
        info = spans["fails"]["error_info"]
        self.assertEqual((info["exception_type"], info["message"]), ("Boom", "bad input 1"))
        self.assertIn('raise Boom("bad input %s" % x)', info["traceback"])
        self.assertIn("Boom: bad input 1", info["traceback"])
        self.assertEqual(spans["calls_failing"]["status"], "error")
        self.assertEqual(detail["trace"]["error_info"]["exception_type"], "Boom")

    def test_the_traceback_shows_the_users_frames_and_none_of_the_sdks(self):
        with self.assertRaises(Boom):
            calls_failing()
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        tb = by_name(detail)["calls_failing"]["error_info"]["traceback"]
        files = re.findall(r'File "([^"]+)", line \d+, in (\w+)', tb)
        package = os.path.dirname(os.path.abspath(spanscope.__file__))
        self.assertEqual([fn for _, fn in files], ["calls_failing", "fails"], tb)
        self.assertFalse([f for f, _ in files if f.startswith(package + os.sep)], tb)
        self.assertTrue(tb.startswith("Traceback (most recent call last):"), tb)
        self.assertTrue(tb.rstrip().endswith("Boom: bad input 1"), tb)

    def test_a_chained_exception_loses_the_sdks_frames_in_both_parts(self):
        @track
        def converts():
            try:
                fails(2)
            except Boom as exc:
                raise ValueError("could not convert") from exc

        with self.assertRaises(ValueError):
            converts()
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        tb = by_name(detail)["converts"]["error_info"]["traceback"]
        self.assertIn("The above exception was the direct cause", tb)
        self.assertEqual(re.findall(r", in (\w+)", tb), ["converts", "fails", "converts"], tb)
        self.assertNotIn(os.path.dirname(os.path.abspath(spanscope.__file__)) + os.sep, tb)

    def test_the_exception_object_is_the_one_raised(self):
        original = Boom("same")

        @track
        def raiser():
            raise original

        try:
            raiser()
        except Boom as caught:
            self.assertIs(caught, original)

    def test_an_async_exception_is_recorded(self):
        @track
        async def async_fails():
            await asyncio.sleep(0)
            raise KeyError("missing")

        with self.assertRaises(KeyError):
            asyncio.run(async_fails())
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        self.assertEqual(detail["spans"][0]["error_info"]["exception_type"], "KeyError")

    def test_sys_exit_zero_is_not_an_error(self):
        @track
        def leaves():
            raise SystemExit(0)

        with self.assertRaises(SystemExit):
            leaves()
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        self.assertEqual(detail["spans"][0]["status"], "ok")

    def test_bad_values_given_to_the_sdk_warn_and_never_raise(self):
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr):

            @track(type="not-a-type-%s" % self.project)
            def odd(x):
                context.get_current_span().update(tags=5, usage={"tokens": "many", "prompt_tokens": 3})
                context.get_current_span().log_feedback_score("q", "high")
                context.get_current_trace().log_feedback_score("nan", math.nan)
                context.update_current_trace({"scores": {"fine": 0.5}}, thread_id="t-1")
                return x

            self.assertEqual(odd(1), 1)
            context.update_current_span(name="outside")
            context.update_current_trace(tags=["outside"])
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        [span] = detail["spans"]
        self.assertEqual(span["type"], "general")
        self.assertEqual(span["usage"], {"prompt_tokens": 3})
        self.assertNotIn("feedback_scores", span)
        self.assertEqual(scores(detail["trace"]), {"fine": (0.5, None, "sdk")})
        self.assertEqual(detail["trace"]["thread_id"], "t-1")
        text = stderr.getvalue()
        self.assertIn("span type 'not-a-type", text)
        self.assertIn("score 'q' needs a finite number", text)
        self.assertIn("outside any tracked function", text)

    def test_feedback_scores_that_are_not_a_list_leave_the_hand_made_trace_and_spans_whole(self):
        # They used to raise a TypeError out of client.span() and trace.span(), and to cost
        # client.trace() its trace.
        client = spanscope.Client(project_name=self.project)
        trace = client.trace(name="by-hand", feedback_scores=5)
        trace.span(name="child", feedback_scores=5).end()
        trace.end()
        client.span(name="alone", feedback_scores=5).end()
        self.flush()
        details = self.collector.details(self.project, 2)
        self.assertEqual(
            sorted((d["trace"]["name"], [s["name"] for s in d["spans"]]) for d in details),
            [("alone", ["alone"]), ("by-hand", ["child"])],
        )


class Values(InProcessTest, unittest.TestCase):
    def test_values_json_can_not_hold_become_readable(self):
        takes_anything(
            {
                "set": {1},
                "bytes": b"\xff\x00",
                "nan": math.nan,
                "plain": Plain(),
                "unprintable": Unprintable(),
                "big": 2**70,
                3: "int key",
            }
        )
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        value = detail["spans"][0]["input"]["value"]
        self.assertEqual(value["set"], [1])
        self.assertEqual(value["bytes"], "<2 bytes: b'\\xff\\x00'>")
        self.assertEqual(value["nan"], "nan")
        self.assertEqual(value["plain"], {"size": 3})
        self.assertEqual(value["unprintable"], "<unrepresentable Unprintable>")
        self.assertEqual(value["big"], str(2**70))
        self.assertEqual(value["3"], "int key")

    def test_large_values_are_cut_with_a_marker_at_the_configured_limit(self):
        spanscope.configure(max_value_chars=1000)
        try:
            takes_anything("x" * 50_000)
            takes_anything(list(range(10_000)))
            self.flush()
        finally:
            spanscope.configure(max_value_chars=200_000)
        details = self.collector.details(self.project, 2)
        text = next(d for d in details if isinstance(d["trace"]["output"], str))["spans"][0]
        self.assertTrue(text["input"]["value"].startswith("x" * 900))
        self.assertIn("…[truncated] (50000 chars in total)", text["input"]["value"])
        self.assertLess(len(text["input"]["value"]), 1100)
        numbers = next(d for d in details if isinstance(d["trace"]["output"], list))["spans"][0]
        self.assertLess(len(numbers["output"]), 600)
        self.assertRegex(numbers["output"][-1], r"^…\[truncated\] \d+ more items$")


class Live(InProcessTest, unittest.TestCase):
    def test_a_running_span_shows_up_as_running_before_it_ends(self):
        event = threading.Event()
        thread = threading.Thread(target=waits_for, args=(event,))
        thread.start()
        try:
            # No flush: the sender's own interval gets it there.
            running = self.collector.wait(lambda: self.collector.traces(self.project), timeout=5)
            self.assertEqual(running[0]["status"], "running")
            detail = self.collector.trace(running[0]["id"])
            self.assertEqual(
                [(s["name"], s["status"], s["duration_ms"]) for s in detail["spans"]], [("waits_for", "running", None)]
            )
        finally:
            event.set()
            thread.join()
        [trace] = self.collector.finished_traces(self.project, 1, timeout=5)
        self.assertEqual((trace["status"], trace["output_preview"]), ("ok", "released"))


def by_name_first(detail, name):
    return next(s for s in detail["spans"] if s["name"] == name)


if __name__ == "__main__":
    unittest.main()
