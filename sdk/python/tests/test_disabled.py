"""``SPANSCOPE_DISABLE`` (and Opik's ``OPIK_TRACK_DISABLE``): decorated functions run
untouched and nothing is sent. Checked with a recording server, which would see any batch."""

import unittest

from .support import RecordingServer, run_script

SCRIPT = """
    import asyncio
    import spanscope
    from spanscope import Client, context, init_logger, track, wrap_openai

    def original(x):
        return x + 1

    tracked = track(original)
    named = track(name="n", type="tool")(original)

    @track
    async def async_function():
        return context.get_current_span() is not None  # a do-nothing span, not None

    class Completions:
        def create(self, **kwargs):
            return "reply"

    class Client_:
        chat = type("Chat", (), {"completions": Completions()})()

    client = wrap_openai(Client_())
    trace = Client().trace(name="manual")
    trace.span(name="child").end()
    trace.log_feedback_score("q", 1)
    trace.end()
    with init_logger(project="p").start_span() as span:
        span.log(input=1, output=2, scores={"s": 1})
    context.update_current_trace(tags=["x"])
    print(tracked is original, named is original, tracked(1), asyncio.run(async_function()),
          client.chat.completions.create(model="m"), spanscope.flush())
"""


class Disabled(unittest.TestCase):
    def setUp(self):
        self.server = RecordingServer()
        self.addCleanup(self.server.close)

    def test_every_spelling_of_disable_turns_everything_off(self):
        for env in (
            {"SPANSCOPE_DISABLE": "1"},
            {"SPANSCOPE_DISABLE": "true"},
            {"SPANSCOPE_DISABLE": "TRUE"},
            {"OPIK_TRACK_DISABLE": "true"},
        ):
            with self.subTest(env=env):
                result = run_script(SCRIPT, self.server.url, **env)
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual(result.stdout.split(), ["True", "True", "2", "True", "reply", "True"])
                self.assertEqual(self.server.batches, [])
                # Not even the warning about update_current_trace outside a span: while
                # disabled, tracked functions are not wrapped, so it may well be inside one.
                self.assertEqual(result.stderr, "")

    def test_without_it_the_same_script_is_traced(self):
        result = run_script(SCRIPT, self.server.url, SPANSCOPE_DISABLE="0")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.split()[:3], ["False", "False", "2"])
        self.assertTrue(self.server.events)

    def test_configure_can_turn_tracing_off_at_run_time(self):
        result = run_script(
            """
            import spanscope
            from spanscope import track

            @track
            def f(x):
                return x

            spanscope.configure(disabled=True)
            f(1)
            print(spanscope.flush())
        """,
            self.server.url,
        )
        self.assertEqual((result.returncode, result.stdout.strip()), (0, "True"), result.stderr)
        self.assertEqual(self.server.batches, [])


if __name__ == "__main__":
    unittest.main()
