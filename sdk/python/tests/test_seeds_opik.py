"""The examples of the Opik pages (../shared/seeds/opik-*.md), with ``spanscope`` in place of
``opik``, traced into the real collector and read back through its read API."""

import os
import sys
import unittest

from spanscope import Client, context, track
from spanscope.context import get_current_span, get_current_trace
from spanscope.integrations.openai import track_openai

from .fake_openai import FakeOpenAI, Script
from .support import InProcessTest, by_name, line_of, run_script, scores, tree, unique_project

HERE = os.path.abspath(__file__)
openai_client = track_openai(FakeOpenAI(Script(text="hello, i am fine.", usage=(9, 5), model="gpt-3.5-turbo-0125")))


# "Log using function annotators", as on the page (with the fake OpenAI client).
@track
def preprocess_input(text):
    return text.strip().lower()


@track
def generate_response(prompt):
    response = openai_client.chat.completions.create(
        model="gpt-3.5-turbo", messages=[{"role": "user", "content": prompt}]
    )
    return response.choices[0].message.content


@track
def postprocess_output(response):
    return response.capitalize()


@track(name="my_llm_application")
def llm_chain(input_text):
    preprocessed = preprocess_input(input_text)
    generated = generate_response(preprocessed)
    postprocessed = postprocess_output(generated)
    return postprocessed


# "Update trace and span attributes"
@track
def updating_chain(input_text):
    trace = get_current_trace()

    trace.update(tags=["llm_chatbot"])
    trace.log_feedback_score(name="user_feedback", value=1.0, reason="The response was helpful and accurate.")

    span = get_current_span()

    span.update(name="llm_chain")
    return input_text


# The notebook: "Using function decorators"
@track
def retrieve_context(input_text):
    context = [
        "What specific information are you looking for?",
        "How can I assist you with your interests today?",
    ]
    return context


@track
def generate_with_context(input_text, context):
    full_prompt = f"Context: {', '.join(context)}\nUser: {input_text}\nAI:"
    response = openai_client.chat.completions.create(
        model="gpt-3.5-turbo", messages=[{"role": "user", "content": full_prompt}]
    )
    return response.choices[0].message.content


@track(name="my_llm_application")
def notebook_chain(input_text):
    context = retrieve_context(input_text)
    response = generate_with_context(input_text, context)
    return response


# The notebook: "Scoring traces" (the dict form) and "Logging additional data"
@track
def scored_chain(input_text):
    context.update_current_trace({"scores": {"translation_quality": 0.95, "sentiment_score": 1}})
    context.update_current_trace(
        tags=["llm_chatbot"],
    )
    context.update_current_span(name="renamed_chain")
    return input_text.upper()


@track(project_name="my_project_override")
def my_function(input):
    return input


@track(flush=True)
def my_short_running_task():
    return "Done"


@track(capture_input=False, capture_output=False)
def private_chain(input_text):
    return input_text


class FunctionAnnotators(InProcessTest, unittest.TestCase):
    def test_the_chain_is_one_trace_with_a_span_per_tracked_call_and_the_llm_call(self):
        result = llm_chain("Hello, how are you?")
        self.assertEqual(result, "Hello, i am fine.")
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        trace = detail["trace"]
        self.assertEqual(trace["name"], "my_llm_application")
        self.assertEqual(trace["input"], {"input_text": "Hello, how are you?"})
        self.assertEqual(trace["output"], "Hello, i am fine.")
        self.assertEqual(trace["status"], "ok")
        self.assertEqual(
            tree(detail),
            [
                (
                    "my_llm_application",
                    [
                        ("preprocess_input", []),
                        ("generate_response", [("chat_completion_create", [])]),
                        ("postprocess_output", []),
                    ],
                )
            ],
        )
        spans = by_name(detail)
        self.assertEqual(spans["preprocess_input"]["input"], {"text": "Hello, how are you?"})
        self.assertEqual(spans["preprocess_input"]["output"], "hello, how are you?")
        self.assertEqual(spans["generate_response"]["input"], {"prompt": "hello, how are you?"})
        self.assertEqual(spans["postprocess_output"]["output"], "Hello, i am fine.")
        llm = spans["chat_completion_create"]
        self.assertEqual(llm["type"], "llm")
        self.assertEqual(llm["provider"], "openai")
        self.assertEqual(llm["model"], "gpt-3.5-turbo-0125")
        self.assertEqual(llm["input"], {"messages": [{"role": "user", "content": "hello, how are you?"}]})
        self.assertEqual(llm["output"], {"role": "assistant", "content": "hello, i am fine."})
        self.assertEqual(llm["usage"], {"prompt_tokens": 9, "completion_tokens": 5, "total_tokens": 14})
        self.assertAlmostEqual(llm["total_estimated_cost"], (9 * 0.5 + 5 * 1.5) / 1e6)
        for span in detail["spans"]:
            self.assertEqual(span["status"], "ok")
            self.assertEqual(span["type"], "llm" if span is llm else "general")

    def test_every_span_points_at_the_def_line_of_its_function(self):
        llm_chain("Hello")
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        spans = by_name(detail)
        expected = {
            "my_llm_application": ("def llm_chain(", "llm_chain"),
            "preprocess_input": ("def preprocess_input(", "preprocess_input"),
            "generate_response": ("def generate_response(", "generate_response"),
            "postprocess_output": ("def postprocess_output(", "postprocess_output"),
        }
        for name, (text, function) in expected.items():
            self.assertEqual(
                spans[name]["code_location"], {"file": HERE, "line": line_of(HERE, text), "function": function}
            )
        # The LLM span points at the line that called create().
        self.assertEqual(
            spans["chat_completion_create"]["code_location"]["line"],
            line_of(HERE, "response = openai_client.chat.completions.create("),
        )
        self.assertEqual(spans["chat_completion_create"]["code_location"]["function"], "generate_response")

    def test_get_current_trace_and_span_update_them_and_log_a_feedback_score(self):
        updating_chain("hi")
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        self.assertIn("llm_chatbot", detail["trace"]["tags"])
        self.assertEqual(
            scores(detail["trace"]), {"user_feedback": (1.0, "The response was helpful and accurate.", "sdk")}
        )
        [span] = detail["spans"]
        self.assertEqual(span["name"], "llm_chain")
        self.assertEqual(span["code_location"]["line"], line_of(HERE, "def updating_chain("))


class Notebook(InProcessTest, unittest.TestCase):
    def test_a_wrapped_client_called_directly_makes_a_trace_of_one_llm_span(self):
        response = openai_client.chat.completions.create(
            model="gpt-3.5-turbo", messages=[{"role": "user", "content": "Hello, world!"}]
        )
        self.assertEqual(response.choices[0].message.content, "hello, i am fine.")
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        [span] = detail["spans"]
        self.assertEqual(
            (span["name"], span["type"], span.get("parent_span_id")), ("chat_completion_create", "llm", None)
        )
        self.assertEqual(detail["trace"]["name"], "chat_completion_create")
        self.assertEqual(detail["trace"]["input"], {"messages": [{"role": "user", "content": "Hello, world!"}]})
        self.assertEqual(detail["trace"]["usage"], {"prompt_tokens": 9, "completion_tokens": 5, "total_tokens": 14})

    def test_decorated_functions_nest_and_take_their_arguments_by_name(self):
        notebook_chain("Hello, how are you?")
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        self.assertEqual(
            tree(detail),
            [
                (
                    "my_llm_application",
                    [
                        ("retrieve_context", []),
                        ("generate_with_context", [("chat_completion_create", [])]),
                    ],
                )
            ],
        )
        spans = by_name(detail)
        self.assertEqual(
            spans["generate_with_context"]["input"],
            {
                "input_text": "Hello, how are you?",
                "context": [
                    "What specific information are you looking for?",
                    "How can I assist you with your interests today?",
                ],
            },
        )
        self.assertEqual(spans["retrieve_context"]["output"], spans["generate_with_context"]["input"]["context"])

    def test_update_current_trace_takes_the_dict_of_scores_and_update_current_span_renames(self):
        self.assertEqual(scored_chain("ok"), "OK")
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        self.assertEqual(
            scores(detail["trace"]), {"translation_quality": (0.95, None, "sdk"), "sentiment_score": (1, None, "sdk")}
        )
        self.assertEqual(detail["trace"]["tags"], ["llm_chatbot"])
        self.assertEqual(detail["trace"]["score_averages"]["translation_quality"], {"avg": 0.95, "count": 1})
        [span] = detail["spans"]
        self.assertEqual(span["name"], "renamed_chain")

    def test_project_name_on_the_decorator_wins_over_the_default(self):
        my_function("x")
        self.flush()
        traces = self.collector.wait(lambda: self.collector.traces("my_project_override"))
        self.assertTrue(any(t["name"] == "my_function" for t in traces))
        self.assertEqual(self.collector.traces(self.project), [])

    def test_flush_true_means_the_trace_is_there_when_the_call_returns(self):
        my_short_running_task()
        # No flush and no waiting: flush=True has delivered it already.
        [trace] = self.collector.traces(self.project)
        self.assertEqual(
            (trace["name"], trace["status"], trace["output_preview"]), ("my_short_running_task", "ok", "Done")
        )

    def test_capture_input_and_output_false_leave_them_out(self):
        private_chain("secret")
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        [span] = detail["spans"]
        self.assertNotIn("input", span)
        self.assertNotIn("output", span)
        self.assertEqual(span["status"], "ok")


class LowLevelClient(InProcessTest, unittest.TestCase):
    def test_a_trace_made_by_hand_with_two_spans(self):
        client = Client(project_name=self.project)

        # Create a trace
        trace = client.trace(
            name="my_trace", input={"user_question": "Hello, how are you?"}, output={"response": "Comment ça va?"}
        )

        # Add a span
        trace.span(
            name="Add prompt template",
            input={"text": "Hello, how are you?", "prompt_template": "Translate the following text to French: {text}"},
            output={"text": "Translate the following text to French: hello, how are you?"},
        )

        # Add an LLM call
        trace.span(
            name="llm_call",
            type="llm",
            input={"prompt": "Translate the following text to French: hello, how are you?"},
            output={"response": "Comment ça va?"},
        )

        # End the trace
        trace.end()
        client.flush()

        [detail] = self.collector.details(self.project, 1)
        self.assertEqual(detail["trace"]["id"], trace.id)
        self.assertEqual(detail["trace"]["name"], "my_trace")
        self.assertEqual(detail["trace"]["input"], {"user_question": "Hello, how are you?"})
        self.assertEqual(detail["trace"]["output"], {"response": "Comment ça va?"})
        self.assertEqual(detail["trace"]["status"], "ok")
        self.assertEqual(tree(detail), [("Add prompt template", []), ("llm_call", [])])
        spans = by_name(detail)
        self.assertEqual(spans["llm_call"]["type"], "llm")
        self.assertEqual(spans["Add prompt template"]["type"], "general")
        self.assertEqual(spans["llm_call"]["output"], {"response": "Comment ça va?"})
        # Spans never ended by hand end with their trace.
        self.assertEqual({s["status"] for s in detail["spans"]}, {"ok"})
        self.assertEqual(spans["llm_call"]["end_time"], detail["trace"]["end_time"])
        # A manual span points at the line that made it.
        here = "test_a_trace_made_by_hand_with_two_spans"
        if sys.version_info >= (3, 11):  # frames know their qualified name from 3.11 on
            here = "LowLevelClient." + here
        self.assertEqual(
            spans["Add prompt template"]["code_location"],
            {"file": HERE, "line": line_of(HERE, "# Add a span") + 1, "function": here},
        )
        self.assertEqual(
            spans["llm_call"]["code_location"],
            {"file": HERE, "line": line_of(HERE, "# Add an LLM call") + 1, "function": here},
        )

    def test_spans_of_spans_and_scores_by_id(self):
        client = Client(project_name=self.project)
        trace = client.trace(name="my_trace")
        client.log_traces_feedback_scores(
            scores=[
                {
                    "id": trace.id,
                    "name": "overall_quality",
                    "value": 0.85,
                    "reason": "The response was helpful and accurate.",
                },
                {"id": trace.id, "name": "coherence", "value": 0.75},
            ]
        )
        span = trace.span(name="my_span")
        child = span.span(name="child", type="tool")
        child.end()
        client.log_spans_feedback_scores(
            scores=[
                {
                    "id": span.id,
                    "name": "overall_quality",
                    "value": 0.85,
                    "reason": "The response was helpful and accurate.",
                },
                {"id": span.id, "name": "coherence", "value": 0.75},
            ]
        )
        trace.end()
        client.flush()
        [detail] = self.collector.details(self.project, 1)
        self.assertEqual(
            scores(detail["trace"]),
            {
                "overall_quality": (0.85, "The response was helpful and accurate.", "sdk"),
                "coherence": (0.75, None, "sdk"),
            },
        )
        spans = by_name(detail)
        self.assertEqual(scores(spans["my_span"]), scores(detail["trace"]))
        self.assertEqual(tree(detail), [("my_span", [("child", [])])])
        self.assertEqual(spans["child"]["type"], "tool")


class ClientSpansById(InProcessTest, unittest.TestCase):
    def test_client_span_by_ids_joins_a_trace_and_without_one_makes_its_own(self):
        client = Client(project_name=self.project)
        trace = client.trace(name="by ids")
        parent = trace.span(name="parent")
        child = client.span(
            trace_id=trace.id,
            parent_span_id=parent.id,
            name="child",
            type="tool",
            input={"q": 1},
            usage={"prompt_tokens": 3},
        )
        child.end(output={"a": 2})
        trace.end()
        lonely = client.span(name="lonely", input="x")
        lonely.end()
        client.flush()
        details = {d["trace"]["name"]: d for d in self.collector.details(self.project, 2)}
        self.assertEqual(tree(details["by ids"]), [("parent", [("child", [])])])
        child_span = by_name(details["by ids"])["child"]
        self.assertEqual(
            (child_span["type"], child_span["output"], child_span["usage"]), ("tool", {"a": 2}, {"prompt_tokens": 3})
        )
        self.assertEqual(tree(details["lonely"]), [("lonely", [])])
        self.assertEqual(details["lonely"]["trace"]["input"], "x")


class Scripts(unittest.TestCase):
    """Seeds that are about a whole script's life: run as one."""

    def setUp(self):
        from .support import shared_collector

        self.collector = shared_collector()
        self.project = unique_project("script")

    def test_a_trace_left_open_by_the_script_ends_when_the_script_does(self):
        result = run_script(
            """
            from spanscope import Client

            client = Client()

            trace = client.trace(name="my_trace")

            client.log_traces_feedback_scores(
                scores=[
                    {"id": trace.id, "name": "overall_quality", "value": 0.85, "reason": "The response was helpful and accurate."},
                    {"id": trace.id, "name": "coherence", "value": 0.75}
                ]
            )

            span = trace.span(name="my_span")
            client.log_spans_feedback_scores(
                scores=[
                    {"id": span.id, "name": "overall_quality", "value": 0.85, "reason": "The response was helpful and accurate."},
                    {"id": span.id, "name": "coherence", "value": 0.75}
                ]
            )
            client.flush()
        """,
            self.collector.url,
            SPANSCOPE_PROJECT=self.project,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, "")
        [detail] = self.collector.details(self.project, 1)
        self.assertEqual(detail["trace"]["status"], "ok")
        self.assertEqual([s["status"] for s in detail["spans"]], ["ok"])
        self.assertEqual(scores(detail["spans"][0])["coherence"], (0.75, None, "sdk"))

    def test_opik_project_name_from_the_environment(self):
        result = run_script(
            """
            import spanscope

            @spanscope.track
            def my_function(input):
                return input

            my_function("x")
        """,
            self.collector.url,
            OPIK_PROJECT_NAME=self.project,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        [trace] = self.collector.finished_traces(self.project, 1)
        self.assertEqual(trace["name"], "my_function")

    def test_opik_track_disable_turns_everything_off(self):
        result = run_script(
            """
            import os

            os.environ["OPIK_TRACK_DISABLE"] = "true"

            import spanscope

            @spanscope.track
            def llm_chain(input_text):
                return input_text

            print(llm_chain("x"), llm_chain.__module__, hasattr(llm_chain, "__wrapped__"))
        """,
            self.collector.url,
            SPANSCOPE_PROJECT=self.project,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(), "x __main__ False")
        self.assertEqual(self.collector.traces(self.project), [])


if __name__ == "__main__":
    unittest.main()
