"""Disabled means "the script runs exactly as before" (issue 13, item 11).

Two proofs, each in a fresh interpreter: the seeds' own code (Opik's pages and Braintrust's,
with the fake OpenAI client) prints the same with ``SPANSCOPE_DISABLE=1`` as traced into the
real collector, without an exception; and every public function and method of the SDK, and
of every handle it gives, called with arguments drawn from a pool of plausible and odd values,
never raises and never gives ``None`` where a trace or span is expected."""

import json
import os
import unittest

from .support import RecordingServer, run_script, shared_collector, unique_project

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))

# The seeds (../shared/seeds/*.md) as one script, with ``spanscope`` for ``opik``/``braintrust``.
# It prints what the user would see; never ids, which differ from run to run.
SEEDS = (
    """
    import sys
    sys.path.insert(0, %r)
    from types import SimpleNamespace

    from fake_openai import FakeOpenAI, Script
    from spanscope import Client, context, current_span, init_logger, start_span, track, traced, wrap_openai
    from spanscope.context import get_current_span, get_current_trace
    from spanscope.integrations.openai import track_openai
    import spanscope

    openai_client = track_openai(FakeOpenAI(Script(text="hello, i am fine.", usage=(9, 5))))

    # Opik: "Log using function annotators"
    @track
    def preprocess_input(text):
        return text.strip().lower()

    @track
    def generate_response(prompt):
        response = openai_client.chat.completions.create(
            model="gpt-3.5-turbo", messages=[{"role": "user", "content": prompt}])
        return response.choices[0].message.content

    @track
    def postprocess_output(response):
        return response.capitalize()

    @track(name="my_llm_application")
    def llm_chain(input_text):
        return postprocess_output(generate_response(preprocess_input(input_text)))

    print(llm_chain("Hello, how are you?"))

    # Opik: "Update trace and span attributes"
    @track
    def updating_chain(input_text):
        trace = get_current_trace()
        trace.update(tags=["llm_chatbot"])
        trace.log_feedback_score(name="user_feedback", value=1.0, reason="The response was helpful and accurate.")
        span = get_current_span()
        span.update(name="llm_chain")
        return input_text + " updated"

    print(updating_chain("chain"))

    # Opik notebook: "Scoring traces" and "Logging additional data"
    @track
    def scored_chain(input_text):
        context.update_current_trace({"scores": {"translation_quality": 0.95, "sentiment_score": 1}})
        context.update_current_trace(tags=["llm_chatbot"])
        context.update_current_span(name="llm_chain")
        return input_text.upper()

    print(scored_chain("scored"))

    @track(flush=True)
    def my_short_running_task():
        return "Done"

    @track(capture_input=False, capture_output=False)
    def private_chain(input_text):
        return input_text

    print(my_short_running_task(), private_chain("private"))

    # Opik: "Log traces and spans manually" and "Log scores to traces and spans"
    client = Client(project_name="test")
    trace = client.trace(name="my_trace", input={"user_question": "Hello, how are you?"},
                         output={"response": "Comment ça va?"})
    trace.span(name="Add prompt template", input={"text": "Hello"}, output={"text": "Translate: hello"})
    trace.span(name="llm_call", type="llm", input={"prompt": "Translate"}, output={"response": "Comment ça va?"})
    trace.end()
    trace = client.trace(name="my_trace")
    client.log_traces_feedback_scores(scores=[
        {"id": trace.id, "name": "overall_quality", "value": 0.85, "reason": "The response was helpful and accurate."},
        {"id": trace.id, "name": "coherence", "value": 0.75}])
    span = trace.span(name="my_span")
    client.log_spans_feedback_scores(scores=[{"id": span.id, "name": "overall_quality", "value": 0.85}])
    print("manual", type(trace.id).__name__, type(span.id).__name__, client.flush())

    # Braintrust: "Logging with invoke" and "Collecting multiple scores"
    logger = init_logger(project="My Project")
    bt_client = wrap_openai(FakeOpenAI(Script(text="question", usage=(20, 1))))

    @traced
    def some_llm_function(input):
        return bt_client.chat.completions.create(
            messages=[{"role": "system", "content": "Classify the following text as a question or a statement."},
                      {"role": "user", "content": input}], model="gpt-4o")

    def my_route_handler(req):
        with logger.start_span() as span:
            body = req.body
            result = some_llm_function(body)
            span.log(input=body, output=result)
            current_span().log(metadata={"route": "handler"})
            return {"result": result, "request_id": span.export()}

    def my_feedback_handler(req):
        with logger.start_span("feedback", parent=req.body.request_id) as span:
            logger.log_feedback(id=span.id, scores={"correctness": req.body.score}, comment=req.body.comment,
                                metadata={"user_id": req.user.id})

    reply = my_route_handler(SimpleNamespace(body="Is this a question?"))
    print(reply["result"].choices[0].message.content, type(reply["request_id"]).__name__)
    my_feedback_handler(SimpleNamespace(body=SimpleNamespace(request_id=reply["request_id"], score=1, comment="ok"),
                                        user=SimpleNamespace(id="u1")))
    logger.log_feedback(id=reply["request_id"], scores={"correctness": 0})
    with start_span("module level") as span:
        span.log(output="logged")
    print("flushed", spanscope.flush())
"""
    % TESTS_DIR
)

# Every public callable, and every method of every handle it gives, called with values drawn
# from POOL (a seeded random choice per parameter, many rounds): nothing may raise, and no
# call that gives a trace or a span may give None. ``configure`` is left out: it is how a
# script sets up tracing, and a wrong setting there is the user's to see.
PROPERTY = """
    import asyncio, inspect, json, random, sys, types
    import spanscope
    from spanscope import context

    POOL = [None, "x", "", 0, 1.5, -1, True, float("nan"), {"a": 1}, {"name": "n", "value": 1}, ["t"],
            [{"id": "i", "name": "n", "value": 0.5}], (1, 2), object(), lambda *a, **k: None, b"bytes"]
    HANDLE_METHODS = {"trace", "span", "start_span", "get_current_span", "get_current_trace", "current_span",
                      "get_current_span_data", "get_current_trace_data"}
    rng = random.Random(1234)
    calls, failures, seen = 0, [], set()

    def public_callables(owner, label):
        names = dir(owner)
        if isinstance(owner, types.ModuleType):  # what it exports, not what it imports
            names = getattr(owner, "__all__", None) or [
                n for n in names if getattr(getattr(owner, n), "__module__", None) == owner.__name__]
        for name in sorted(names):
            if name.startswith("_") or name in ("configure",):
                continue
            value = getattr(owner, name)
            if inspect.isclass(value) or isinstance(value, types.ModuleType) or not callable(value):
                continue
            yield "%s.%s" % (label, name), name, value

    def draw(fn):
        try:
            params = list(inspect.signature(fn).parameters.values())
        except (TypeError, ValueError):
            params = []
        args, kwargs = [], {}
        for p in params:
            if p.kind == p.VAR_POSITIONAL:
                args.extend(rng.choice(POOL) for _ in range(rng.randint(0, 2)))
            elif p.kind == p.VAR_KEYWORD:
                if rng.random() < 0.5:
                    kwargs["extra_%d" % rng.randint(0, 9)] = rng.choice(POOL)
            elif p.default is p.empty or rng.random() < 0.6:
                if p.kind == p.POSITIONAL_ONLY or (p.default is p.empty and not kwargs):
                    args.append(rng.choice(POOL))
                else:
                    kwargs[p.name] = rng.choice(POOL)
        return args, kwargs

    def exercise(label, name, fn, depth):
        global calls
        for round_ in range(40):
            args, kwargs = ([], {}) if round_ == 0 else draw(fn)
            calls += 1
            try:
                result = fn(*args, **kwargs)
                if inspect.iscoroutine(result):
                    result = asyncio.run(result)
            except TypeError as exc:
                if round_ == 0:
                    continue  # the call needs arguments: the drawn rounds give them
                failures.append("%s%r: %s: %s" % (label, (args, kwargs), type(exc).__name__, exc))
                continue
            except Exception as exc:
                failures.append("%s%r: %s: %s" % (label, (args, kwargs), type(exc).__name__, exc))
                continue
            if name in HANDLE_METHODS and result is None:
                failures.append("%s gave None" % label)
            if depth < 2 and result is not None and hasattr(result, "log_feedback_score") and type(result) not in seen:
                seen.add(type(result))
                explore(result, "%s()" % label, depth + 1)
                if hasattr(result, "__enter__"):
                    with result as entered:
                        entered.log(output="in a with block")

    def explore(owner, label, depth):
        for sub_label, name, fn in public_callables(owner, label):
            exercise(sub_label, name, fn, depth)

    explore(spanscope, "spanscope", 0)
    explore(context, "context", 0)
    explore(spanscope.Client(), "Client()", 0)
    explore(spanscope.Logger(), "Logger()", 0)
    explore(context.get_current_span(), "get_current_span()", 1)
    explore(context.get_current_trace(), "get_current_trace()", 1)

    @spanscope.track
    def inside():
        context.get_current_trace().update(tags=["llm_chatbot"])
        spanscope.current_span().log(output=1)
        return context.get_current_span().span(name="child").end()

    inside()
    distinct = {f.split("[")[0].split("{")[0]: f[:300] for f in failures}
    handles = sorted(t.__name__ for t in seen)
    print(json.dumps({"calls": calls, "failures": sorted(distinct.values()), "handles": handles,
                      "flushed": spanscope.flush()}))
"""


class DisabledRunsTheSeedsAsBefore(unittest.TestCase):
    def test_the_seeds_print_the_same_disabled_as_traced_and_raise_nothing(self):
        collector = shared_collector()
        project = unique_project("seeds-traced")
        traced = run_script(SEEDS, collector.url, SPANSCOPE_PROJECT=project)
        self.assertEqual(traced.returncode, 0, traced.stderr)
        self.assertNotIn("Traceback", traced.stderr)
        # The traced run really traced (so the comparison means something).
        self.assertTrue(collector.wait(lambda: collector.traces(project), what="the seeds' traces"))

        recorder = RecordingServer()
        self.addCleanup(recorder.close)
        for env in ({"SPANSCOPE_DISABLE": "1"}, {"SPANSCOPE_DISABLE": "true"}, {"OPIK_TRACK_DISABLE": "true"}):
            with self.subTest(env=env):
                disabled = run_script(SEEDS, recorder.url, SPANSCOPE_PROJECT=project, **env)
                self.assertEqual((disabled.returncode, disabled.stderr), (0, ""))
                self.assertEqual(disabled.stdout, traced.stdout)
        self.assertIn("Hello, i am fine.", traced.stdout)
        self.assertEqual(recorder.batches, [])


class EveryPublicCallWhileDisabled(unittest.TestCase):
    def test_no_public_function_or_method_raises_or_gives_none_for_a_handle(self):
        recorder = RecordingServer()
        self.addCleanup(recorder.close)
        result = run_script(PROPERTY, recorder.url, SPANSCOPE_DISABLE="1", timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        report = json.loads(result.stdout.strip().splitlines()[-1])
        self.assertEqual(report["failures"], [])
        # The enumeration reached the handles, not just the module's functions.
        self.assertIn("NoopSpan", report["handles"])
        self.assertIn("NoopTrace", report["handles"])
        self.assertGreater(report["calls"], 1000)
        self.assertTrue(report["flushed"])
        self.assertEqual(recorder.batches, [])

    def test_enabled_outside_a_trace_keeps_opiks_none_and_braintrusts_no_op_span(self):
        recorder = RecordingServer()
        self.addCleanup(recorder.close)
        result = run_script(
            """
            import spanscope
            from spanscope import context
            print(context.get_current_span(), context.get_current_trace(), spanscope.current_span().id == "")
            spanscope.current_span().log(output=1)
            context.update_current_trace(tags=["x"])
        """,
            recorder.url,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.split(), ["None", "None", "True"])
        self.assertIn("outside any tracked function", result.stderr)


if __name__ == "__main__":
    unittest.main()
