"""The examples of Braintrust's "Write logs" page (../shared/seeds/braintrust-write-logs.md),
with ``spanscope`` in place of ``braintrust``, traced into the real collector."""

import base64
import json
import os
import subprocess
import unittest
from types import SimpleNamespace

from spanscope import init_logger, traced, wrap_openai

from .fake_openai import FakeOpenAI, Script
from .support import (
    NODE_SDK,
    InProcessTest,
    by_name,
    ensure_collector_built,
    line_of,
    run_script,
    scores,
    script_env,
    shared_collector,
    tree,
    unique_project,
)

HERE = os.path.abspath(__file__)
client = wrap_openai(FakeOpenAI(Script(text="question", usage=(20, 1), model="gpt-4o-2024-08-06")))


@traced
def some_llm_function(input):
    return client.chat.completions.create(
        messages=[
            {
                "role": "system",
                "content": "Classify the following text as a question or a statement.",
            },
            {
                "role": "user",
                "content": input,
            },
        ],
        model="gpt-4o",
    )


def request(body, **more):
    return SimpleNamespace(body=body, user=SimpleNamespace(id="user-7"), **more)


class LoggingWithInvoke(InProcessTest, unittest.TestCase):
    def setUp(self):
        super().setUp()
        self.logger = init_logger(project=self.project)

    def my_route_handler(self, req):
        with self.logger.start_span() as span:
            body = req.body
            result = some_llm_function(body)
            span.log(input=body, output=result)
            return {
                "result": result,
                "request_id": span.id,
            }

    def my_feedback_handler(self, req):
        self.logger.log_feedback(
            id=req.body.request_id,
            scores={
                "correctness": req.body.score,
            },
            comment=req.body.comment,
            metadata={
                "user_id": req.user.id,
            },
        )

    def test_a_request_span_holds_the_traced_function_and_the_llm_call(self):
        reply = self.my_route_handler(request("Is this a question?"))
        self.assertEqual(reply["result"].choices[0].message.content, "question")
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        self.assertEqual(
            tree(detail), [("my_route_handler", [("some_llm_function", [("chat_completion_create", [])])])]
        )
        spans = by_name(detail)
        root = spans["my_route_handler"]
        self.assertEqual(root["id"], reply["request_id"])
        self.assertEqual(root["input"], "Is this a question?")
        self.assertEqual(root["output"]["choices"][0]["message"]["content"], "question")
        self.assertEqual(root["code_location"]["line"], line_of(HERE, "with self.logger.start_span() as span:"))
        self.assertEqual(detail["trace"]["name"], "my_route_handler")
        self.assertEqual(detail["trace"]["input"], "Is this a question?")
        self.assertEqual(spans["some_llm_function"]["input"], {"input": "Is this a question?"})
        self.assertEqual(spans["some_llm_function"]["code_location"]["line"], line_of(HERE, "def some_llm_function("))
        llm = spans["chat_completion_create"]
        self.assertEqual(llm["input"]["messages"][1], {"role": "user", "content": "Is this a question?"})
        self.assertEqual(llm["model"], "gpt-4o-2024-08-06")
        self.assertAlmostEqual(llm["total_estimated_cost"], (20 * 2.5 + 1 * 10.0) / 1e6)

    def test_feedback_by_request_id_scores_the_span_with_the_comment_as_reason(self):
        reply = self.my_route_handler(request("hello"))
        self.my_feedback_handler(request(SimpleNamespace(request_id=reply["request_id"], score=1, comment="spot on")))
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        root = by_name(detail)["my_route_handler"]
        self.collector.wait(
            lambda: (
                scores(self.collector.trace(detail["trace"]["id"])["spans"][0])
                or scores(by_name(self.collector.trace(detail["trace"]["id"]))["my_route_handler"])
            )
        )
        root = by_name(self.collector.trace(detail["trace"]["id"]))["my_route_handler"]
        self.assertEqual(scores(root), {"correctness": (1, "spot on", "sdk")})
        self.assertEqual(root["metadata"], {"user_id": "user-7"})

    def test_feedback_can_set_expected_and_metrics_become_usage(self):
        with self.logger.start_span(name="answer") as span:
            span.log(
                input="2+2",
                output="5",
                metrics={"prompt_tokens": 3, "completion_tokens": 1, "tokens": 4, "latency": 0.25},
                metadata={"step": 1},
                scores={"format": 1.0},
            )
        self.logger.log_feedback(id=span.id, expected="4", scores={"correctness": 0}, comment="wrong sum")
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        answer = self.collector.wait(lambda: _with_expected(self.collector.trace(detail["trace"]["id"])))
        self.assertEqual(answer["expected"], "4")
        self.assertEqual(answer["usage"], {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4})
        self.assertEqual(answer["metadata"], {"step": 1, "metrics": {"latency": 0.25}})
        self.assertEqual(scores(answer), {"format": (1.0, None, "sdk"), "correctness": (0, "wrong sum", "sdk")})


def _with_expected(detail):
    span = detail["spans"][0]
    return span if "expected" in span and len(span.get("feedback_scores") or []) == 2 else None


class CollectingMultipleScores(InProcessTest, unittest.TestCase):
    def setUp(self):
        super().setUp()
        self.logger = init_logger(project=self.project)

    def my_route_handler(self, req):
        with self.logger.start_span() as span:
            body = req.body
            result = some_llm_function(body)
            span.log(input=body, output=result)
            return {
                "result": result,
                "request_id": span.export(),
            }

    def my_feedback_handler(self, req):
        with self.logger.start_span("feedback", parent=req.body.request_id) as span:
            self.logger.log_feedback(
                id=span.id,  # Use the newly created span's id, instead of the original request's id
                scores={
                    "correctness": req.body.score,
                },
                comment=req.body.comment,
                metadata={
                    "user_id": req.user.id,
                },
            )

    def test_each_feedback_is_a_span_under_the_exported_request_span(self):
        reply = self.my_route_handler(request("What is a proxy?"))
        for score, comment in ((1, "good"), (0, "bad"), (1, "fine")):
            self.my_feedback_handler(
                request(SimpleNamespace(request_id=reply["request_id"], score=score, comment=comment))
            )
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        self.assertEqual(
            tree(detail),
            [
                (
                    "my_route_handler",
                    [
                        ("some_llm_function", [("chat_completion_create", [])]),
                        ("feedback", []),
                        ("feedback", []),
                        ("feedback", []),
                    ],
                )
            ],
        )
        detail = self.collector.wait(lambda: _scored(self.collector.trace(detail["trace"]["id"]), 3))
        feedback = [s for s in detail["spans"] if s["name"] == "feedback"]
        self.assertEqual(
            sorted(scores(s)["correctness"] for s in feedback),
            [(0, "bad", "sdk"), (1, "fine", "sdk"), (1, "good", "sdk")],
        )
        self.assertEqual({s["metadata"]["user_id"] for s in feedback}, {"user-7"})
        self.assertAlmostEqual(detail["trace"]["score_averages"]["correctness"]["avg"], 2 / 3)
        self.assertEqual(detail["trace"]["score_averages"]["correctness"]["count"], 3)


def _scored(detail, count):
    done = [s for s in detail["spans"] if s["name"] == "feedback" and s.get("feedback_scores")]
    return detail if len(done) == count else None


class ExportAcrossProcesses(unittest.TestCase):
    def setUp(self):
        self.collector = shared_collector()
        self.project = unique_project("export")

    def python_request(self):
        first = run_script(
            """
            from spanscope import init_logger

            logger = init_logger(project=%r)
            with logger.start_span(name="request") as span:
                span.log(input="q", output="a")
                print(span.export())
        """
            % self.project,
            self.collector.url,
        )
        self.assertEqual(first.returncode, 0, first.stderr)
        return first.stdout.strip()

    def assert_feedback_under_request(self, reason):
        [trace] = self.collector.finished_traces(self.project, 1)
        detail = self.collector.wait(lambda: _scored(self.collector.trace(trace["id"]), 1))
        self.assertEqual(tree(detail), [("request", [("feedback", [])])])
        feedback = by_name(detail)["feedback"]
        self.assertEqual(scores(feedback), {"correctness": (1, reason, "sdk")})
        self.assertEqual(feedback["project_name"], self.project)

    def test_a_span_started_in_another_process_from_an_export_lands_under_it(self):
        exported = self.python_request()
        second = run_script(
            """
            from spanscope import init_logger

            logger = init_logger(project="some other project")
            with logger.start_span("feedback", parent=%r) as span:
                logger.log_feedback(id=span.id, scores={"correctness": 1}, comment="from the other process")
        """
            % exported,
            self.collector.url,
        )
        self.assertEqual(second.returncode, 0, second.stderr)
        self.assert_feedback_under_request("from the other process")
        self.assertEqual(self.collector.traces("some other project"), [])

    def test_the_export_is_the_documented_cross_sdk_form(self):
        exported = self.python_request()
        self.assertTrue(exported.startswith("ss1."))
        self.assertNotIn("=", exported)
        body = json.loads(base64.urlsafe_b64decode(exported[4:] + "=" * (-len(exported[4:]) % 4)))
        self.assertEqual(set(body), {"t", "s", "p"})
        self.assertEqual(body["p"], self.project)
        [trace] = self.collector.finished_traces(self.project, 1)
        self.assertEqual(body["t"], trace["id"])

    def test_the_node_sdk_continues_a_python_export_and_python_a_node_one(self):
        """Both SDKs for real: the Node one from sdk/node/dist (built with the collector)."""
        exported = self.python_request()
        node = _run_node(
            """
            const { initLogger, flush } = require(%s);
            (async () => {
              const logger = initLogger({ projectName: "some other project" });
              const span = logger.startSpan({ name: "feedback", parent: %s });
              logger.logFeedback({ id: span.id, scores: { correctness: 1 }, comment: "from node" });
              span.end();
              await flush();
            })();
        """
            % (json.dumps(str(NODE_SDK)), json.dumps(exported)),
            self.collector.url,
        )
        self.assertEqual(node.returncode, 0, node.stderr)
        self.assert_feedback_under_request("from node")

        self.project = unique_project("export-node")
        node = _run_node(
            """
            const { initLogger, flush } = require(%s);
            (async () => {
              const logger = initLogger({ projectName: %s });
              const span = logger.startSpan({ name: "request" });
              span.end();
              console.log(span.export());
              await flush();
            })();
        """
            % (json.dumps(str(NODE_SDK)), json.dumps(self.project)),
            self.collector.url,
        )
        self.assertEqual(node.returncode, 0, node.stderr)
        python = run_script(
            """
            from spanscope import init_logger

            logger = init_logger(project="some other project")
            with logger.start_span("feedback", parent=%r) as span:
                logger.log_feedback(id=span.id, scores={"correctness": 1}, comment="from python")
        """
            % node.stdout.strip(),
            self.collector.url,
        )
        self.assertEqual(python.returncode, 0, python.stderr)
        self.assert_feedback_under_request("from python")


def _run_node(code, url):
    import textwrap

    ensure_collector_built()  # the same build makes sdk/node/dist
    return subprocess.run(
        ["node", "-e", textwrap.dedent(code)], env=script_env(url), capture_output=True, text=True, timeout=60
    )


if __name__ == "__main__":
    unittest.main()
