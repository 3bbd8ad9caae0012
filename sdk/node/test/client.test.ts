// The Opik page's manual idiom (`Client`, `trace.span`, feedback scores by id) and the
// Braintrust page's logger idiom (`initLogger`, `startSpan`, `log`, `logFeedback`,
// `traced`), in this process against the real collector. The cross-process `export()` is
// in exitAndProcesses.test.ts.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  Client,
  configure,
  flush,
  getCurrentSpan,
  initLogger,
  track,
  trackOpenAI,
  updateCurrentSpan,
  updateCurrentTrace,
  withCurrent,
} from '../src/index';
import { startTestCollector, type TestCollector } from '../../../test/support/collector';
import { childrenOf, onlyTrace, spanNamed, traceDetail, tracesOf } from '../../../test/support/traces';

let c: TestCollector;
beforeAll(async () => {
  c = await startTestCollector();
  configure({ url: `http://127.0.0.1:${c.port}`, projectName: 'client-default' });
});
afterAll(async () => {
  await flush();
  configure({ disabled: true });
  await c.close();
});

describe('Client (the Opik idiom)', () => {
  it("logs the page's manual trace: spans with input and output, ended with the trace", async () => {
    const client = new Client({ projectName: 'opik-manual' });
    const trace = client.trace({
      name: 'my_trace',
      input: { user_question: 'Hello, how are you?' },
      output: { response: 'Comment ça va?' },
    });
    trace.span({
      name: 'Add prompt template',
      input: { text: 'Hello, how are you?', prompt_template: 'Translate the following text to French: {text}' },
      output: { text: 'Translate the following text to French: hello, how are you?' },
    });
    trace.span({
      name: 'llm_call',
      type: 'llm',
      input: { prompt: 'Translate the following text to French: hello, how are you?' },
      output: { response: 'Comment ça va?' },
    });
    trace.end();
    await client.flush();

    const detail = await onlyTrace(c, 'opik-manual');
    expect(detail.trace).toMatchObject({
      name: 'my_trace',
      status: 'ok',
      input: { user_question: 'Hello, how are you?' },
      output: { response: 'Comment ça va?' },
    });
    expect(childrenOf(detail, undefined).map((s) => [s.name, s.type, s.status])).toEqual([
      ['Add prompt template', 'general', 'ok'],
      ['llm_call', 'llm', 'ok'],
    ]);
    expect(spanNamed(detail, 'llm_call')).toMatchObject({
      input: { prompt: 'Translate the following text to French: hello, how are you?' },
      output: { response: 'Comment ça va?' },
    });
    expect(spanNamed(detail, 'llm_call').code_location).toMatchObject({ file: __filename });
  });

  it('scores traces and spans by id, as log_traces_feedback_scores / log_spans_feedback_scores do', async () => {
    const client = new Client({ projectName: 'opik-scores' });
    const trace = client.trace({ name: 'my_trace' });
    client.logTracesFeedbackScores([
      { id: trace.id, name: 'overall_quality', value: 0.85, reason: 'The response was helpful and accurate.' },
      { id: trace.id, name: 'coherence', value: 0.75 },
    ]);
    const span = trace.span({ name: 'my_span' });
    client.logSpansFeedbackScores([
      { id: span.id, name: 'overall_quality', value: 0.85, reason: 'The response was helpful and accurate.' },
      { id: span.id, name: 'coherence', value: 0.75 },
    ]);
    const child = span.span({ name: 'child', input: 'x' });
    child.end({ output: 'y' });
    span.end();
    trace.end();
    await client.flush();

    const detail = await onlyTrace(c, 'opik-scores');
    const byName = (scores: { name: string; value: number }[] | undefined) =>
      Object.fromEntries((scores ?? []).map((s) => [s.name, s.value]));
    expect(byName(detail.trace.feedback_scores)).toEqual({ overall_quality: 0.85, coherence: 0.75 });
    expect(detail.trace.feedback_scores!.find((s) => s.name === 'overall_quality')!.reason).toBe(
      'The response was helpful and accurate.',
    );
    expect(byName(spanNamed(detail, 'my_span').feedback_scores)).toEqual({ overall_quality: 0.85, coherence: 0.75 });
    expect(childrenOf(detail, spanNamed(detail, 'my_span'))).toMatchObject([
      { name: 'child', input: 'x', output: 'y' },
    ]);
  });

  it('warns, sends nothing and does not throw for a score without a numeric value', async () => {
    const client = new Client({ projectName: 'opik-bad-score' });
    const trace = client.trace({ name: 't' });
    expect(() =>
      client.logTracesFeedbackScores([{ id: trace.id, name: 'broken', value: 'high' as unknown as number }]),
    ).not.toThrow();
    trace.end();
    await flush();
    expect((await onlyTrace(c, 'opik-bad-score')).trace.feedback_scores).toBeUndefined();
  });
});

describe('initLogger (the Braintrust idiom)', () => {
  it('runs the route handler of the page: a root span, a traced function under it, logged input and output', async () => {
    const logger = initLogger({ projectName: 'bt-handler' });
    const someLlmFunction = track(async function some_llm_function(input: string) {
      return input.endsWith('?') ? 'question' : 'statement';
    });
    async function myRouteHandler(req: { body: string }) {
      return logger.traced(
        async (span) => {
          const result = await someLlmFunction(req.body);
          span.log({ input: req.body, output: result, metadata: { route: '/classify' } });
          return { result, request_id: span.id };
        },
        { name: 'my_route_handler' },
      );
    }
    const reply = await myRouteHandler({ body: 'What is a proxy?' });
    expect(reply.result).toBe('question');
    logger.logFeedback({
      id: reply.request_id,
      scores: { correctness: 1 },
      comment: 'right on',
      metadata: { user_id: 'u7' },
    });
    await logger.flush();

    const detail = await onlyTrace(c, 'bt-handler');
    const root = spanNamed(detail, 'my_route_handler');
    expect(root.id).toBe(reply.request_id);
    expect(root).toMatchObject({
      input: 'What is a proxy?',
      output: 'question',
      metadata: { route: '/classify', user_id: 'u7' },
      status: 'ok',
    });
    expect(root.feedback_scores).toMatchObject([{ name: 'correctness', value: 1, reason: 'right on' }]);
    expect(childrenOf(detail, root)).toMatchObject([
      { name: 'some_llm_function', input: { input: 'What is a proxy?' }, output: 'question' },
    ]);
    // The root span stands for the trace.
    expect(detail.trace).toMatchObject({ name: 'my_route_handler', input: 'What is a proxy?', output: 'question' });
  });

  it('logs expected, scores and metrics with span.log, and nests startSpan children', async () => {
    const logger = initLogger({ project: 'bt-log' });
    const span = logger.startSpan({ name: 'request' });
    const child = span.startSpan({ name: 'retrieve', type: 'tool', event: { input: { q: 'x' } } });
    child.log({ output: ['doc1'], metrics: { prompt_tokens: 5, completion_tokens: 2 } });
    child.end();
    span.log({ input: 'x', output: 'y', expected: 'z', scores: { accuracy: 0 } });
    span.end();
    logger.logFeedback({ id: span.id, expected: 'corrected', comment: 'wrong answer' });
    await flush();

    const detail = await onlyTrace(c, 'bt-log');
    expect(spanNamed(detail, 'request')).toMatchObject({
      input: 'x',
      output: 'y',
      expected: 'corrected',
      metadata: { comment: 'wrong answer' },
      feedback_scores: [{ name: 'accuracy', value: 0 }],
    });
    expect(spanNamed(detail, 'retrieve')).toMatchObject({
      type: 'tool',
      input: { q: 'x' },
      output: ['doc1'],
      usage: { prompt_tokens: 5, completion_tokens: 2 },
    });
  });

  it('puts tracked calls under a started span with withCurrent', async () => {
    const logger = initLogger({ projectName: 'bt-with-current' });
    const step = track(function step(n: number) {
      return n * 2;
    });
    const span = logger.startSpan({ name: 'outer' });
    expect(withCurrent(span, () => step(21))).toBe(42);
    span.end();
    await flush();
    const detail = await onlyTrace(c, 'bt-with-current');
    expect(childrenOf(detail, spanNamed(detail, 'outer'))).toMatchObject([{ name: 'step', output: 42 }]);
  });

  it('records an error thrown inside logger.traced and rethrows it', async () => {
    const logger = initLogger({ projectName: 'bt-error' });
    const err = new SyntaxError('bad json');
    expect(() =>
      logger.traced(
        () => {
          throw err;
        },
        { name: 'parse' },
      ),
    ).toThrow(err);
    await flush();
    const detail = await onlyTrace(c, 'bt-error');
    expect(detail.spans).toMatchObject([
      { name: 'parse', status: 'error', error_info: { exception_type: 'SyntaxError', message: 'bad json' } },
    ]);
    expect(detail.trace.status).toBe('error');
  });

  it('starts a new trace, with a warning, for a parent that is not an export string', async () => {
    const logger = initLogger({ projectName: 'bt-bad-parent' });
    const span = logger.startSpan({ name: 'orphan', parent: 'not-an-export' });
    span.end();
    await flush();
    const traces = await tracesOf(c, 'bt-bad-parent');
    expect(traces).toHaveLength(1);
    const detail = await traceDetail(c, traces[0].id);
    expect(detail.spans).toMatchObject([{ name: 'orphan', status: 'ok' }]);
    expect(detail.spans[0].parent_span_id).toBeUndefined();
  });
});

describe('bad input', () => {
  it('never throws into user code, and says nothing about internal errors, whatever it is given', async () => {
    const writes: string[] = [];
    const spy = vi
      .spyOn(process.stderr, 'write')
      .mockImplementation((chunk: unknown) => (writes.push(String(chunk)), true));
    const junk = [null, undefined, 42, 'text', [], () => 1] as unknown[];
    try {
      const client = new Client(null as never);
      const logger = initLogger(null as never);
      for (const j of junk) {
        const trace = client.trace(j as never);
        const span = trace.span(j as never);
        span.update(j as never);
        span.log(j as never);
        span.span(j as never).end(j as never);
        span.startSpan(j as never).end();
        span.logFeedbackScore(j as never);
        trace.update(j as never);
        trace.logFeedbackScore(j as never, j as never);
        client.logSpansFeedbackScores(j as never);
        logger.startSpan(j as never).end(j as never);
        logger.logFeedback(j as never);
        updateCurrentSpan(j as never);
        updateCurrentTrace(j as never);
        trackOpenAI(j);
        span.end();
        trace.end(j as never);
      }
      expect(getCurrentSpan()).toBeUndefined();
      await flush({ timeoutMs: null as never });
    } finally {
      spy.mockRestore();
    }
    expect(writes.filter((w) => w.includes('internal error'))).toEqual([]);
  });

  it('keeps ill-typed user values out of the batch, so nothing else in it is lost', async () => {
    configure({ projectName: 'bad-values' });
    const odd = track(
      { name: 42 as never, type: 'robot' as never, projectName: {} as never, tags: [1, null] as never },
      function odd_fn(x: number) {
        updateCurrentSpan({
          model: 7 as never,
          provider: [] as never,
          startTime: Infinity,
          usage: { prompt_tokens: NaN, completion_tokens: 2 } as never,
        });
        return x;
      },
    );
    expect(odd(1)).toBe(1);
    const client = new Client({ projectName: 'bad-values' });
    const t = client.trace({ id: 'x'.repeat(500), name: 'long id refused' });
    client.logTracesFeedbackScores([
      { id: t.id, name: 'nan', value: NaN },
      { id: 'bad\nid', name: 'ok', value: 1 },
    ]);
    t.span({ id: '\u0000', name: 'fresh id' }).end();
    t.end();
    const fine = track(function fine() {
      return 'kept';
    });
    fine();
    await flush();
    const traces = await tracesOf(c, 'bad-values');
    expect(traces.map((x) => x.name).sort()).toEqual(['fine', 'long id refused', 'odd_fn']);
    const odd1 = await traceDetail(c, traces.find((x) => x.name === 'odd_fn')!.id);
    expect(odd1.spans[0]).toMatchObject({
      name: 'odd_fn',
      type: 'general',
      tags: ['1', 'null'],
      usage: { completion_tokens: 2 },
    });
    const manual = await traceDetail(c, traces.find((x) => x.name === 'long id refused')!.id);
    expect(manual.trace.id).toHaveLength(36);
    expect(manual.trace.feedback_scores).toBeUndefined();
    expect(manual.spans[0].id).toHaveLength(36);
  });
});
