"""How a traced script ends: nothing lost on a normal exit, an uncaught exception,
``sys.exit``, SIGTERM, after ``os.fork`` and in ``multiprocessing`` children; one warning
and a bounded exit when the collector is down or hangs. Each case is a real script in its
own interpreter, checked through the collector's read API."""

import functools
import signal
import subprocess
import sys
import time
import unittest

from .support import (
    RecordingServer,
    closed_port_url,
    run_script,
    scores,
    script_env,
    shared_collector,
    tree,
    unique_project,
    write_script,
)


class ExitPaths(unittest.TestCase):
    def setUp(self):
        self.collector = shared_collector()
        self.project = unique_project("exit")

    def run_traced(self, code, **env):
        return run_script(code, self.collector.url, SPANSCOPE_PROJECT=self.project, **env)

    def test_a_normal_exit_sends_everything_recorded_just_before_it(self):
        result = self.run_traced("""
            from spanscope import Client, track

            @track
            def step(i):
                return i

            for i in range(300):
                step(i)
            Client().trace(name="last", input="x").end()
        """)
        self.assertEqual((result.returncode, result.stderr), (0, ""))
        traces = self.collector.finished_traces(self.project, 301)
        self.assertEqual(len(traces), 301)
        self.assertEqual(sorted(t["name"] for t in traces).count("step"), 300)

    def test_an_uncaught_exception_is_recorded_and_the_script_fails_as_usual(self):
        result = self.run_traced("""
            from spanscope import track

            @track
            def crash():
                raise RuntimeError("boom")

            crash()
        """)
        self.assertEqual(result.returncode, 1)
        self.assertIn("RuntimeError: boom", result.stderr)
        self.assertNotIn("spanscope:", result.stderr)
        [trace] = self.collector.finished_traces(self.project, 1)
        self.assertEqual((trace["status"], trace["error_info"]["message"]), ("error", "boom"))

    def test_sys_exit_keeps_its_code_and_the_trace(self):
        result = self.run_traced("""
            import sys
            from spanscope import track

            @track
            def main():
                work()
                sys.exit(3)

            @track
            def work():
                return "done"

            main()
        """)
        self.assertEqual(result.returncode, 3)
        [detail] = self.collector.details(self.project, 1)
        self.assertEqual(tree(detail), [("main", [("work", [])])])
        self.assertEqual(detail["trace"]["error_info"]["exception_type"], "SystemExit")

    def test_sigterm_sends_everything_marks_the_running_spans_and_kills_as_before(self):
        path = write_script("""
            import sys, time
            from spanscope import track

            @track
            def finished(i):
                return i

            @track
            def main():
                for i in range(50):
                    finished(i)
                print("ready", flush=True)
                time.sleep(30)

            main()
        """)
        process = subprocess.Popen(
            [sys.executable, path],
            env=script_env(self.collector.url, SPANSCOPE_PROJECT=self.project),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            self.assertEqual(process.stdout.readline().strip(), "ready")
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)
            elapsed = time.monotonic() - started
        finally:
            if process.poll() is None:
                process.kill()
            process.stdout.close()
            stderr = process.stderr.read()
            process.stderr.close()
        self.assertEqual(process.returncode, -signal.SIGTERM)  # died of SIGTERM, as without us
        self.assertLess(elapsed, 5)
        self.assertEqual(stderr, "")
        [detail] = self.collector.details(self.project, 1)
        self.assertEqual(len(detail["spans"]), 51)
        main = next(s for s in detail["spans"] if s["name"] == "main")
        self.assertEqual(main["status"], "error")
        self.assertEqual(main["error_info"]["exception_type"], "Interrupted")
        self.assertIn("SIGTERM", main["error_info"]["message"])
        self.assertEqual(detail["trace"]["status"], "error")

    def test_a_sigterm_handler_the_user_set_is_left_in_charge(self):
        path = write_script("""
            import signal, sys, time

            def on_term(signum, frame):
                print("user handler", flush=True)
                sys.exit(0)

            signal.signal(signal.SIGTERM, on_term)

            from spanscope import track

            @track
            def main():
                print("ready", flush=True)
                time.sleep(30)

            main()
        """)
        process = subprocess.Popen(
            [sys.executable, path],
            env=script_env(self.collector.url, SPANSCOPE_PROJECT=self.project),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            self.assertEqual(process.stdout.readline().strip(), "ready")
            process.send_signal(signal.SIGTERM)
            out, _ = process.communicate(timeout=10)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        self.assertEqual(process.returncode, 0)
        self.assertEqual(out.strip(), "user handler")
        [trace] = self.collector.finished_traces(self.project, 1)
        self.assertEqual(trace["status"], "ok")  # SystemExit(0) is a clean end

    def test_a_forked_child_sends_its_own_spans_under_the_parent_span(self):
        result = self.run_traced("""
            import os, sys
            from spanscope import track

            @track
            def child_work():
                return os.getpid()

            @track
            def parent_work():
                return "parent"

            @track
            def main():
                parent_work()
                pid = os.fork()
                if pid == 0:
                    child_work()
                    sys.exit(0)  # through atexit, in the child
                os.waitpid(pid, 0)
                parent_work()

            main()
        """)
        self.assertEqual((result.returncode, result.stderr), (0, ""))
        detail = self.collector.wait(lambda: _with_spans(self.collector.details(self.project, 1)[0], 4))
        self.assertEqual(tree(detail), [("main", [("parent_work", []), ("child_work", []), ("parent_work", [])])])
        self.assertEqual(len({s["id"] for s in detail["spans"]}), 4)
        self.assertEqual(detail["trace"]["status"], "ok")

    def test_multiprocessing_children_send_their_spans_with_fork_and_spawn(self):
        for method in ("fork", "spawn"):
            with self.subTest(method=method):
                project = unique_project("mp-" + method)
                result = run_script(
                    """
                    import multiprocessing
                    from spanscope import track

                    @track
                    def work(i):
                        return i * i

                    @track
                    def main():
                        ctx = multiprocessing.get_context(%r)
                        with ctx.Pool(2) as pool:
                            squares = pool.map(work, range(4))
                        procs = [ctx.Process(target=work, args=(10 + i,)) for i in range(2)]
                        for p in procs:
                            p.start()
                        for p in procs:
                            p.join()
                        return squares

                    if __name__ == "__main__":
                        print(main())
                """
                    % method,
                    self.collector.url,
                    SPANSCOPE_PROJECT=project,
                )
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual(result.stdout.strip(), "[0, 1, 4, 9]")
                inputs = self.collector.wait(functools.partial(_work_inputs, self.collector, project, 6), timeout=20)
                self.assertEqual(inputs, [0, 1, 2, 3, 10, 11])


def _with_spans(detail, count):
    return detail if len(detail["spans"]) == count and all(s["status"] != "running" for s in detail["spans"]) else None


def _work_inputs(collector, project, count):
    found = []
    for summary in collector.traces(project):
        for span in collector.trace(summary["id"])["spans"]:
            if span["name"] == "work" and span["status"] == "ok":
                found.append(span["input"]["i"])
    return sorted(found) if len(found) >= count else None


class CollectorUnavailable(unittest.TestCase):
    SCRIPT = """
        import time
        from spanscope import Client, track

        @track
        def step(i):
            return i

        for i in range(2000):
            step(i)
        client = Client()
        client.trace(name="manual").end()
        print("flushed:", client.flush(timeout=0.5))
        print("done")
    """

    def test_when_the_collector_is_down_the_script_runs_warns_once_and_exits_quickly(self):
        result = run_script(self.SCRIPT, closed_port_url())
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.splitlines(), ["flushed: False", "done"])
        lines = result.stderr.splitlines()
        self.assertEqual(len([line for line in lines if "can not reach the collector" in line]), 1, result.stderr)
        self.assertTrue(all(line.startswith("spanscope: ") for line in lines), result.stderr)
        # A correctness bound (exit must not hang), not a speed target.
        self.assertLess(result.seconds, 5)

    def test_when_the_collector_hangs_the_exit_flush_gives_up_in_time(self):
        server = RecordingServer(hang=True)
        try:
            result = run_script(self.SCRIPT, server.url, SPANSCOPE_EXIT_TIMEOUT="1")
        finally:
            server.close()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("done", result.stdout)
        self.assertLess(result.seconds, 5)
        self.assertLessEqual(result.stderr.count("can not reach the collector"), 1)

    def test_spans_recorded_while_it_was_down_arrive_once_it_is_up(self):
        collector = shared_collector()
        project = unique_project("late")
        server_script = (
            """
            import time
            import spanscope
            from spanscope import track

            @track
            def early():
                return 1

            early()
            print("flushed while down:", spanscope.flush(timeout=0.5), flush=True)
            spanscope.configure(url=%r)  # the collector "comes up" at this address
            print("flushed when up:", spanscope.flush(timeout=5))
        """
            % collector.url
        )
        result = run_script(server_script, closed_port_url(), SPANSCOPE_PROJECT=project)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.splitlines(), ["flushed while down: False", "flushed when up: True"])
        [trace] = collector.finished_traces(project, 1)
        self.assertEqual(trace["name"], "early")


class SdkScores(unittest.TestCase):
    def test_scores_logged_in_a_script_carry_source_sdk(self):
        collector = shared_collector()
        project = unique_project("src")
        result = run_script(
            """
            from spanscope import track, context

            @track
            def f():
                context.get_current_span().log_feedback_score("relevance", 0.9, reason="on topic")

            f()
        """,
            collector.url,
            SPANSCOPE_PROJECT=project,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        [detail] = collector.details(project, 1)
        self.assertEqual(scores(detail["spans"][0]), {"relevance": (0.9, "on topic", "sdk")})


if __name__ == "__main__":
    unittest.main()
