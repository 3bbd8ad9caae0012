// `track` in this process against the real collector: what a user sees in the read API
// after the SDK flushed.

import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  configure,
  flush,
  getCurrentSpan,
  getCurrentTrace,
  track,
  traced,
  updateCurrentSpan,
  updateCurrentTrace,
} from '../src/index';
import { startTestCollector, type TestCollector } from '../../../test/support/collector';
import { childrenOf, onlyTrace, spanNamed, traceDetail, tracesOf } from '../../../test/support/traces';

const SDK_SRC = join(__dirname, '../src/');

let c: TestCollector;
beforeAll(async () => {
  c = await startTestCollector();
  configure({ url: `http://127.0.0.1:${c.port}` });
});
afterAll(async () => {
  await flush();
  configure({ disabled: true });
  await c.close();
});

let projects = 0;
/** A fresh project per test, so each test reads only its own traces. */
function project(): string {
  const name = `track-${++projects}`;
  configure({ projectName: name });
  return name;
}

/** The line this is called from, read the same way the SDK reads its stack. */
function lineHere(): number {
  const line = new Error().stack!.split('\n')[2];
  return Number(/:(\d+):\d+\)?$/.exec(line)![1]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('track', () => {
  it("nests the Opik page's chain into one trace, with inputs by parameter name and source lines", async () => {
    const p = project();
    // The SDK records the line a `track(…)` call starts on: each is read one line above it.
    const preLine = lineHere() + 1;
    const preprocess = track(function preprocess_input(text: string) {
      return text.trim().toLowerCase();
    });
    const genLine = lineHere() + 1;
    const generate = track(async function generate_response(prompt: string) {
      await sleep(2);
      return `echo: ${prompt}`;
    });
    const postprocess = track(function postprocess_output(response: string) {
      return response.toUpperCase();
    });
    // A multi-line `track(…)` call: the location is the line the call starts on.
    const chainLine = lineHere() + 1;
    const chain = track({ name: 'my_llm_application' }, async function llm_chain(input_text: string) {
      const pre = preprocess(input_text);
      const generated = await generate(pre);
      return postprocess(generated);
    });

    expect(await chain('  Hello, how are you?  ')).toBe('ECHO: HELLO, HOW ARE YOU?');
    await flush();

    const detail = await onlyTrace(c, p);
    expect(detail.trace).toMatchObject({
      name: 'my_llm_application',
      status: 'ok',
      input: { input_text: '  Hello, how are you?  ' },
      output: 'ECHO: HELLO, HOW ARE YOU?',
      span_count: 4,
    });
    const [root] = childrenOf(detail, undefined);
    expect(root).toMatchObject({
      name: 'my_llm_application',
      code_location: { file: __filename, line: chainLine, function: 'llm_chain' },
    });
    expect(childrenOf(detail, root).map((s) => s.name)).toEqual([
      'preprocess_input',
      'generate_response',
      'postprocess_output',
    ]);
    expect(spanNamed(detail, 'preprocess_input')).toMatchObject({
      input: { text: '  Hello, how are you?  ' },
      output: 'hello, how are you?',
      code_location: { file: __filename, line: preLine },
    });
    const gen = spanNamed(detail, 'generate_response');
    expect(gen).toMatchObject({
      input: { prompt: 'hello, how are you?' },
      output: 'echo: hello, how are you?',
      code_location: { line: genLine, function: 'generate_response' },
    });
    expect(gen.duration_ms).toBeGreaterThanOrEqual(1);
    for (const s of detail.spans) expect(s.start_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('sends the start of a span that is still running, so it shows as running', async () => {
    const p = project();
    let release!: () => void;
    const waiting = new Promise<void>((r) => (release = r));
    const slow = track(async function slow_step() {
      await waiting;
      return 'done';
    });
    const result = slow();
    await flush();
    const running = await onlyTrace(c, p);
    expect(running.trace.status).toBe('running');
    expect(running.spans).toMatchObject([{ name: 'slow_step', status: 'running', duration_ms: null }]);

    release();
    expect(await result).toBe('done');
    await flush();
    const done = await traceDetail(c, running.trace.id);
    expect(done.spans).toMatchObject([{ name: 'slow_step', status: 'ok', output: 'done' }]);
    expect(done.trace.status).toBe('ok');
  });

  it('keeps two concurrent requests in separate trees', async () => {
    const p = project();
    const lookup = track(async function lookup(key: string) {
      await sleep(key === 'a' ? 15 : 5);
      return `value-${key}`;
    });
    const render = track(async function render(value: string) {
      await sleep(3);
      return `<${value}>`;
    });
    const handle = track(async function handle_request(key: string) {
      const value = await lookup(key);
      return render(value);
    });

    const results = await Promise.all([handle('a'), handle('b')]);
    expect(results).toEqual(['<value-a>', '<value-b>']);
    await flush();

    const traces = await tracesOf(c, p);
    expect(traces).toHaveLength(2);
    for (const summary of traces) {
      const detail = await traceDetail(c, summary.id);
      const [root] = childrenOf(detail, undefined);
      const key = (root.input as { key: string }).key;
      const children = childrenOf(detail, root);
      expect(children.map((s) => [s.name, s.input])).toEqual([
        ['lookup', { key }],
        ['render', { value: `value-${key}` }],
      ]);
      expect(detail.trace.output).toBe(`<value-${key}>`);
    }
  });

  it('records an error with its type, message and stack, and rethrows the very same error', async () => {
    const p = project();
    class QuotaError extends Error {}
    let thrown: unknown;
    const check = track(function check_quota(n: number) {
      if (n > 1) throw (thrown = new QuotaError('out of tokens'));
      return n;
    });
    const run = track(async function run_job() {
      check(1);
      await sleep(1);
      return check(2);
    });

    const caught = await run().catch((e: unknown) => e);
    expect(caught).toBe(thrown);
    await flush();

    const detail = await onlyTrace(c, p);
    expect(detail.trace.status).toBe('error');
    expect(detail.trace.error_count).toBe(2);
    const failed = detail.spans.filter((s) => s.status === 'error');
    expect(failed.map((s) => s.name).sort()).toEqual(['check_quota', 'run_job']);
    for (const s of failed) {
      expect(s.error_info).toMatchObject({ exception_type: 'QuotaError', message: 'out of tokens' });
      expect(s.error_info!.traceback).toContain('check_quota');
    }
    expect(detail.spans.filter((s) => s.status === 'ok')).toMatchObject([{ name: 'check_quota', output: 1 }]);
  });

  it("keeps the user's frames in an error's stack and drops the SDK's own", async () => {
    const p = project();
    const parse = track(function parse_reply(text: string) {
      return JSON.parse(text) as unknown;
    });
    const answer = track(function answer_question() {
      return parse('{oops');
    });
    expect(() => answer()).toThrow(SyntaxError);
    await flush();

    const detail = await onlyTrace(c, p);
    const stack = spanNamed(detail, 'answer_question').error_info!.traceback!;
    const frames = stack.split('\n').filter((l) => /^\s+at /.test(l));
    expect(stack.split('\n')[0]).toMatch(/^SyntaxError: /);
    expect(
      frames.filter((l) => l.includes(SDK_SRC)),
      stack,
    ).toEqual([]);
    expect(
      frames.filter((l) => l.includes('node:async_hooks')),
      stack,
    ).toEqual([]);
    // The user's own frames, innermost first, with nothing of ours between them.
    const mine = frames
      .map((l) => /at (?:Object\.)?(\w+) \(/.exec(l)?.[1])
      .filter((f) => f === 'parse_reply' || f === 'answer_question');
    expect(mine).toEqual(['parse_reply', 'answer_question']);
    const i = frames.findIndex((l) => l.includes('parse_reply'));
    expect(frames[i + 1]).toContain('answer_question');
  });

  it("covers an async generator's whole iteration; the output is what was yielded", async () => {
    const p = project();
    const tokenize = track(function tokenize(word: string) {
      return word.toUpperCase();
    });
    const stream = track(async function* stream_words(words: string[]) {
      for (const w of words) {
        await sleep(10);
        yield `${tokenize(w)} `;
      }
    });

    const seen: string[] = [];
    for await (const piece of stream(['a', 'b', 'c'])) seen.push(piece);
    expect(seen).toEqual(['A ', 'B ', 'C ']);
    await flush();

    const detail = await onlyTrace(c, p);
    const root = spanNamed(detail, 'stream_words');
    expect(root).toMatchObject({ status: 'ok', output: 'A B C ', input: { words: ['a', 'b', 'c'] } });
    expect(root.duration_ms).toBeGreaterThanOrEqual(25);
    expect(childrenOf(detail, root).map((s) => s.output)).toEqual(['A', 'B', 'C']);
  });

  it('ends a generator span with what was yielded so far when the loop breaks early', async () => {
    const p = project();
    const numbers = traced(function* numbers() {
      let i = 0;
      for (;;) yield { n: i++ };
    });
    const taken: number[] = [];
    for (const item of numbers()) {
      if (item.n === 3) break;
      taken.push(item.n);
    }
    expect(taken).toEqual([0, 1, 2]);
    await flush();
    const detail = await onlyTrace(c, p);
    expect(detail.spans).toMatchObject([
      { name: 'numbers', status: 'ok', output: [{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }] },
    ]);
  });

  it('records an error thrown inside a generator and rethrows it', async () => {
    const p = project();
    const failing = track(async function* failing() {
      yield 'first';
      throw new RangeError('no more');
    });
    const seen: string[] = [];
    const caught = await (async () => {
      for await (const x of failing()) seen.push(x);
    })().catch((e: unknown) => e);
    expect(seen).toEqual(['first']);
    expect(caught).toBeInstanceOf(RangeError);
    await flush();
    const detail = await onlyTrace(c, p);
    expect(detail.spans).toMatchObject([
      { status: 'error', error_info: { exception_type: 'RangeError', message: 'no more' } },
    ]);
  });

  it('covers the iteration of a stream a tracked function returns, keeping the stream itself', async () => {
    const p = project();
    const open = track(function open_stream() {
      return Readable.from(['one ', 'two']);
    });
    const stream = open();
    expect(stream).toBeInstanceOf(Readable);
    let text = '';
    for await (const chunk of stream) text += chunk;
    expect(text).toBe('one two');
    await flush();
    const detail = await onlyTrace(c, p);
    expect(detail.spans).toMatchObject([{ name: 'open_stream', status: 'ok', output: 'one two' }]);
  });

  it('updates the current span and trace and scores them, as in the Opik page', async () => {
    const p = project();
    const chain = track(function llm_chain(input_text: string) {
      const trace = getCurrentTrace()!;
      trace.update({ tags: ['llm_chatbot'] });
      trace.logFeedbackScore({ name: 'user_feedback', value: 1.0, reason: 'The response was helpful and accurate.' });
      const span = getCurrentSpan()!;
      span.update({ name: 'renamed_chain' });
      span.logFeedbackScore('relevance', 0.5);
      updateCurrentSpan({ metadata: { step: 1 }, usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } });
      updateCurrentTrace({ metadata: { user: 'u1' } });
      return input_text.length;
    });
    expect(chain('hello')).toBe(5);
    expect(getCurrentSpan()).toBeUndefined();
    await flush();

    const detail = await onlyTrace(c, p);
    expect(detail.trace).toMatchObject({ tags: ['llm_chatbot'], metadata: { user: 'u1' }, output: 5 });
    expect(detail.trace.feedback_scores).toMatchObject([
      { name: 'user_feedback', value: 1, reason: 'The response was helpful and accurate.', source: 'sdk' },
    ]);
    expect(detail.spans).toMatchObject([
      {
        name: 'renamed_chain',
        metadata: { step: 1 },
        usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
        feedback_scores: [{ name: 'relevance', value: 0.5 }],
      },
    ]);
  });

  it('snapshots arguments and results when they are captured: later mutation does not leak in', async () => {
    const p = project();
    const keep = track(function keep(list: number[]) {
      const out = { seen: [...list] };
      list.push(99);
      return out;
    });
    const input = [1, 2];
    const result = keep(input);
    result.seen.push(42);
    input.push(100);
    await flush();
    const detail = await onlyTrace(c, p);
    expect(detail.spans[0]).toMatchObject({ input: { list: [1, 2] }, output: { seen: [1, 2] } });
  });

  it('turns values JSON can not hold into readable stand-ins, and never throws', async () => {
    const p = project();
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    const nasty = {
      get broken(): never {
        throw new Error('getter exploded');
      },
      fine: 1,
    };
    // biome-ignore lint/correctness/noUnusedFunctionParameters: the names are what the span records as its input
    const weird = track(function weird(a: unknown, b: unknown, c2: unknown, d: unknown, e: unknown, f: unknown) {
      return new Map([['k', 1n]]);
    });
    expect(weird(circular, 10n, () => 1, Buffer.from('abc'), nasty, new Set([1, 2]))).toBeInstanceOf(Map);
    await flush();
    const detail = await onlyTrace(c, p);
    expect(detail.spans[0].input).toEqual({
      a: { name: 'loop', self: '[Circular]' },
      b: '10',
      c2: '[Function: anonymous]',
      d: '[Buffer(3 bytes)]',
      e: { broken: '[getter threw: Error: getter exploded]', fine: 1 },
      f: [1, 2],
    });
    expect(detail.spans[0].output).toEqual({ k: '1' });
  });

  it('cuts very large values with a marker', async () => {
    const p = project();
    configure({ maxValueLength: 100 });
    try {
      const big = track(function big(text: string) {
        return { text };
      });
      big('x'.repeat(1000));
      await flush();
    } finally {
      configure({ maxValueLength: 1_000_000 });
    }
    const span = (await onlyTrace(c, p)).spans[0];
    expect(span.input).toEqual({ text: `${'x'.repeat(100)}… [truncated 900 characters]` });
    expect(span.output).toMatch(/^\{"text":"x+… \[truncated 911 characters\]$/);
  });

  it('applies name, type, tags and metadata options, and can leave input and output out', async () => {
    const p = project();
    const secret = track(
      {
        name: 'guard',
        type: 'guardrail',
        tags: ['safety'],
        metadata: { version: 2 },
        captureInput: false,
        captureOutput: false,
      },
      function check(password: string) {
        return password.length > 8;
      },
    );
    expect(secret('hunter2hunter2')).toBe(true);
    await flush();
    const detail = await onlyTrace(c, p);
    expect(detail.spans).toHaveLength(1);
    const span = detail.spans[0];
    expect(span).toMatchObject({ name: 'guard', type: 'guardrail', tags: ['safety'], metadata: { version: 2 } });
    expect(span.input).toBeUndefined();
    expect(span.output).toBeUndefined();
    expect(detail.trace).toMatchObject({ name: 'guard', tags: ['safety'], metadata: { version: 2 } });
  });

  it('keeps `this` for methods and collects rest parameters by name', async () => {
    const p = project();
    const greeter = {
      greeting: 'hi',
      greet: track(function greet(this: { greeting: string }, name: string, ...others: string[]) {
        return `${this.greeting} ${[name, ...others].join(' & ')}`;
      }),
    };
    expect(greeter.greet('ann', 'bob', 'cy')).toBe('hi ann & bob & cy');
    await flush();
    const detail = await onlyTrace(c, p);
    expect(detail.spans).toMatchObject([
      { name: 'greet', input: { name: 'ann', others: ['bob', 'cy'] }, output: 'hi ann & bob & cy' },
    ]);
  });
});
