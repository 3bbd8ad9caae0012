"""``trace.end()`` ends the spans made through the trace that the user left open (issue 13,
item 12): at the trace's end time, marked ``metadata["spanscope.ended_by"] = "trace_end"`` so
the UI can tell they did not end on their own; spans the user ended keep their own end and no
mark. Against the real collector, read back through its read API."""

import unittest
from datetime import datetime, timedelta, timezone

from spanscope import Client, init_logger

from .support import InProcessTest, by_name

MARK = {"spanscope.ended_by": "trace_end"}


class TraceEndClosesOpenSpans(InProcessTest, unittest.TestCase):
    def test_open_spans_end_at_the_traces_end_marked_and_ended_ones_are_left_alone(self):
        client = Client(project_name=self.project)
        trace = client.trace(name="my_trace")
        done = trace.span(name="done", metadata={"mine": 1})
        done.end()
        left_open = trace.span(name="left open", metadata={"mine": 2})
        child = left_open.span(name="open child")
        self.flush()  # they reach the collector as running spans first
        running = self.collector.trace(trace.id)
        self.assertEqual(by_name(running)["left open"]["status"], "running")

        end = datetime.now(timezone.utc) + timedelta(seconds=1)
        trace.end(end_time=end)
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        spans = by_name(detail)
        self.assertEqual(detail["trace"]["end_time"], spans["left open"]["end_time"])
        self.assertTrue(detail["trace"]["end_time"].startswith(end.strftime("%Y-%m-%dT%H:%M:%S")))
        self.assertEqual(spans["left open"]["metadata"], dict(MARK, mine=2))
        self.assertEqual(spans["open child"]["metadata"], MARK)
        self.assertEqual(spans["open child"]["end_time"], detail["trace"]["end_time"])
        self.assertEqual(spans["done"]["metadata"], {"mine": 1})
        self.assertLess(spans["done"]["end_time"], detail["trace"]["end_time"])
        self.assertEqual({s["status"] for s in detail["spans"]}, {"ok"})
        self.assertTrue(child.ended)

    def test_spans_never_sent_before_the_end_carry_the_mark_too(self):
        trace = Client(project_name=self.project).trace(name="quick")
        trace.span(name="never ended")
        trace.end()
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        self.assertEqual(by_name(detail)["never ended"]["metadata"], MARK)

    def test_a_root_start_span_ending_ends_its_open_children(self):
        logger = init_logger(project=self.project, set_current=False)
        root = logger.start_span(name="request")
        child = root.start_span(name="step")
        root.end()
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        spans = by_name(detail)
        self.assertTrue(child.ended)
        self.assertEqual(spans["step"]["metadata"], MARK)
        self.assertEqual(spans["step"]["end_time"], spans["request"]["end_time"])
        self.assertNotIn("metadata", spans["request"])


if __name__ == "__main__":
    unittest.main()
