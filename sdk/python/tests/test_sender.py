"""What goes over the wire (docs/protocol.md), seen raw by a recording server: live
``span_start`` then ``span_end``, complete spans in one event, a collector that rejects some
events, a full queue."""

import re
import unittest
import uuid

from .support import RecordingServer, run_script

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


class Wire(unittest.TestCase):
    def setUp(self):
        self.server = RecordingServer()
        self.addCleanup(self.server.close)

    def test_a_slow_span_is_sent_at_start_and_again_at_end_a_fast_one_once(self):
        result = run_script(
            """
            import time
            from spanscope import track

            @track
            def fast():
                return 1

            @track
            def slow():
                fast()
                time.sleep(0.5)  # ten sender intervals
                return 2

            slow()
        """,
            self.server.url,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        kinds = [(e["event"], (e.get("span") or e.get("trace")).get("name")) for e in self.server.events]
        self.assertEqual(kinds[:3], [("trace_start", "slow"), ("span_start", "slow"), ("span_end", "fast")])
        self.assertEqual(sorted(k for k, _ in kinds[3:]), ["span_end", "trace_end"])
        start, fast = self.server.events[1]["span"], self.server.events[2]["span"]
        self.assertNotIn("end_time", start)
        self.assertEqual(start["code_location"]["function"], "slow")
        self.assertTrue(ISO.match(fast["start_time"]) and ISO.match(fast["end_time"]))
        self.assertEqual(fast["parent_span_id"], start["id"])
        self.assertEqual(uuid.UUID(start["id"]).version, 7)
        # Batches went out while slow() was still sleeping: the first batch holds its start.
        self.assertGreaterEqual(len(self.server.batches), 2)
        self.assertIn("span_start", [e["event"] for e in self.server.batches[0]["events"]])

    def test_after_a_fork_the_parent_keeps_sending_live(self):
        result = run_script(
            """
            import os, time
            import spanscope
            from spanscope import track

            @track
            def before():
                return 0

            @track
            def slow():
                time.sleep(0.5)

            before()
            pid = os.fork()
            if pid == 0:
                os._exit(0)
            os.waitpid(pid, 0)
            spanscope.flush()
            slow()
        """,
            self.server.url,
        )
        self.assertEqual((result.returncode, result.stderr), (0, ""))

        # slow() was sent as running while it slept (by the sender thread, restarted after the
        # fork), then its end in a later batch.
        def batches_with(event, predicate):
            return [
                i
                for i, b in enumerate(self.server.batches)
                for e in b["events"]
                if e["event"] == event and predicate(e["span"])
            ]

        [start] = batches_with("span_start", lambda s: s.get("name") == "slow")
        slow_id = next(
            e["span"]["id"]
            for e in self.server.batches[start]["events"]
            if e["event"] == "span_start" and e["span"]["name"] == "slow"
        )
        [end] = batches_with("span_end", lambda s: s["id"] == slow_id)
        self.assertGreater(end, start)

    def test_events_the_collector_rejects_are_dropped_with_one_warning_and_the_rest_resent(self):
        def reply(batch):
            names = [(e.get("span") or e.get("trace") or {}).get("name") for e in batch["events"]]
            if "reject-me" in names and len(batch["events"]) > 1:
                index = names.index("reject-me")
                return 400, {
                    "error": "invalid batch: 1 events rejected",
                    "details": [{"index": index, "path": "span.name", "message": "is not allowed"}],
                }
            return 200, {"accepted": len(batch["events"])}

        self.server.reply = reply
        result = run_script(
            """
            import spanscope
            from spanscope import Client

            client = Client()
            trace = client.trace(name="kept")
            trace.span(name="reject-me").end()
            trace.span(name="also-kept").end()
            trace.end()
            print(spanscope.flush())
        """,
            self.server.url,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(), "True")
        self.assertEqual(result.stderr.count("the collector rejected 1 event(s): span.name is not allowed"), 1)
        first, resent = self.server.batches[0]["events"], self.server.batches[1]["events"]
        self.assertEqual(len(resent), len(first) - 1)
        names = [(e.get("span") or e.get("trace")).get("name") for e in resent]
        self.assertNotIn("reject-me", names)
        self.assertIn("also-kept", names)

    def test_a_full_queue_drops_counts_and_says_so_once_then_gives_the_total_at_exit(self):
        result = run_script(
            """
            import spanscope
            from spanscope import track

            @track
            def step(i):
                return i

            for i in range(5000):
                step(i)
        """,
            self.server.url,
            SPANSCOPE_QUEUE_SIZE="50",
            SPANSCOPE_FLUSH_INTERVAL_MS="60000",
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stderr.splitlines()
        self.assertEqual(len(lines), 2, result.stderr)
        self.assertIn("the send queue is full (50 records)", lines[0])
        dropped = int(
            re.match(r"spanscope: (\d+) spans were dropped because the send queue was full", lines[1]).group(1)
        )
        delivered = [e for e in self.server.events if e["event"] == "span_end"]
        self.assertEqual(len(delivered), 50)  # what the queue held when it filled
        self.assertEqual(dropped + len(delivered), 5000)


if __name__ == "__main__":
    unittest.main()
