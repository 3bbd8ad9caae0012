// The function index over spans as the store's change events carry them: statistics over
// windows, live updates of a running call, renames, the same function name in two files,
// name-only spans, bounds, deleted traces.

import { describe, expect, it } from 'vitest';
import { percentile, statsOf } from '../../src/core/functions/callStats';
import { functionLikeName } from '../../src/core/functions/functionCall';
import { FunctionIndex, RUN_GAP_MS } from '../../src/core/functions/functionIndex';
import { withDerived } from '../../src/core/model/aggregates';
import type { Span, SpanRecord, TraceSummary } from '../../src/core/model/model';
import { formatMicros } from '../../src/core/model/time';

const T0 = Date.UTC(2026, 11, 7, 12, 0, 0);
const iso = (ms: number) => formatMicros((T0 + ms) * 1000);

/** A finished call of `fn` in `file`, starting `startMs` after T0 and lasting `durationMs`. */
function call(
  id: string,
  fn: string,
  startMs: number,
  durationMs: number | null,
  fields: Partial<SpanRecord> = {},
  file: string | null = '/work/app.py',
): Span {
  return withDerived({
    id,
    trace_id: fields.trace_id ?? `t-${id}`,
    project_name: 'p',
    name: fn,
    type: 'general',
    start_time: iso(startMs),
    ...(durationMs === null ? {} : { end_time: iso(startMs + durationMs) }),
    ...(file === null ? {} : { code_location: { file, line: 10, function: fn } }),
    ...fields,
  });
}

const trace = (id: string, status: TraceSummary['status'], name = 'my_app') => ({ id, name, status }) as TraceSummary;

describe('statistics', () => {
  it('takes nearest-rank percentiles', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(twenty, 0.95)).toBe(19);
    expect(percentile(twenty, 0.5)).toBe(10);
    expect(percentile([7], 0.95)).toBe(7);
  });

  it('leaves running calls out of the durations but counts them as calls', () => {
    const index = new FunctionIndex();
    index.observe([call('a', 'f', 0, 100), call('b', 'f', 10, null), call('c', 'f', 20, 300)]);
    const [f] = index.query({ file: '/work/app.py' });
    expect(f.calls).toBe(3);
    expect([f.p50_ms, f.p95_ms]).toEqual([100, 300]);
  });

  it('sums tokens and cost and averages each score over the calls that have it', () => {
    const s = statsOf([
      {
        span_id: 'a',
        trace_id: 't',
        start_time: '',
        start_ms: 0,
        duration_ms: 1,
        status: 'ok',
        tokens: 100,
        cost: 0.01,
        scores: { relevance: 1 },
      },
      {
        span_id: 'b',
        trace_id: 't',
        start_time: '',
        start_ms: 0,
        duration_ms: 1,
        status: 'error',
        tokens: 50,
        cost: 0.02,
        scores: { relevance: 0.5, tone: 0 },
      },
      {
        span_id: 'c',
        trace_id: 't',
        start_time: '',
        start_ms: 0,
        duration_ms: 1,
        status: 'ok',
        tokens: 0,
        cost: 0,
        scores: {},
      },
    ]);
    expect(s).toMatchObject({ calls: 3, errors: 1, tokens: 150, cost: 0.03, scores: { relevance: 0.75, tone: 0 } });
  });
});

describe('FunctionIndex', () => {
  it('gives p50/p95 over the last hour, the last day, the last run and everything kept', () => {
    const index = new FunctionIndex();
    const now = 30 * 3_600_000; // 30 h after T0
    const spans: Span[] = [];
    // 10 calls 25 h ago of 1 s, 10 calls 5 h ago of 2 s, 10 calls in the last half hour of 100 ms … 1 s.
    for (let i = 0; i < 10; i++) spans.push(call(`old${i}`, 'answer', now - 25 * 3_600_000 + i * 1000, 1000));
    for (let i = 0; i < 10; i++) spans.push(call(`mid${i}`, 'answer', now - 5 * 3_600_000 + i * 1000, 2000));
    for (let i = 0; i < 10; i++) spans.push(call(`new${i}`, 'answer', now - 1_800_000 + i * 1000, (i + 1) * 100));
    index.observe(spans);
    const q = (window: 'run' | 'hour' | 'day' | 'all') =>
      index.query({ file: '/work/app.py', window, now: T0 + now })[0];
    expect(q('hour')).toMatchObject({ calls: 10, p50_ms: 500, p95_ms: 1000 });
    expect(q('run')).toMatchObject({ calls: 10, p50_ms: 500 });
    expect(q('day')).toMatchObject({ calls: 20, p50_ms: 1000, p95_ms: 2000 });
    expect(q('all')).toMatchObject({ calls: 30, p50_ms: 1000, p95_ms: 2000 });
    expect(
      q('hour')
        .recent.map((r) => r.span_id)
        .slice(0, 2),
    ).toEqual(['new9', 'new8']);
  });

  it('starts a new run after a pause with no span anywhere', () => {
    const index = new FunctionIndex();
    index.observe([call('a', 'f', 0, 100), call('b', 'g', 200, 100)]);
    expect(index.runStart).toBe(T0);
    index.observe([call('c', 'f', 300 + RUN_GAP_MS + 1, 100)]);
    expect(index.runStart).toBe(T0 + 300 + RUN_GAP_MS + 1);
    expect(index.query({ file: '/work/app.py', window: 'run' }).map((f) => [f.function, f.calls])).toEqual([
      ['f', 1],
      ['g', 0],
    ]);
  });

  it('updates a running call in place when its end arrives, and tells listeners which function changed', () => {
    const index = new FunctionIndex();
    const told: string[][] = [];
    index.onChange((keys) => told.push(keys.map((k) => `${k.file}#${k.function}${k.ended ? ' (ended)' : ''}`)));
    index.observe([call('a', 'chat', 0, null)]);
    expect(index.query({ file: '/work/app.py' })[0]).toMatchObject({
      calls: 1,
      running: 1,
      p50_ms: null,
      recent: [{ status: 'running' }],
    });
    index.observe([call('a', 'chat', 0, 1200, { output: 'Bonjour!' })]);
    expect(index.query({ file: '/work/app.py' })[0]).toMatchObject({
      calls: 1,
      p50_ms: 1200,
      recent: [{ status: 'ok', output_preview: 'Bonjour!', duration_ms: 1200 }],
    });
    expect(told).toEqual([['/work/app.py#chat'], ['/work/app.py#chat (ended)']]);
  });

  it('moves a renamed span to its new function', () => {
    const index = new FunctionIndex();
    index.observe([call('a', 'draft', 0, 10, { code_location: undefined }, null)]);
    expect(index.query({ names: ['draft'] })).toHaveLength(1);
    index.observe([call('a', 'final_answer', 0, 10, { code_location: undefined }, null)]);
    expect(index.query({ names: ['draft'] })).toEqual([]);
    expect(index.query({ names: ['final_answer'] })[0].calls).toBe(1);
    // Given a code location later, it leaves the name-only entry for the file's.
    index.observe([call('a', 'final_answer', 0, 10)]);
    expect(index.query({ names: ['final_answer'] })).toEqual([]);
    expect(index.query({ file: '/work/app.py' })[0]).toMatchObject({ function: 'final_answer', calls: 1 });
  });

  it('keeps functions of the same name in two files apart', () => {
    const index = new FunctionIndex();
    index.observe([
      call('a', 'run', 0, 10),
      call('b', 'run', 5, 20, {}, '/work/other.py'),
      call('c', 'run', 9, 30, {}, '/work/other.py'),
    ]);
    expect(index.query({ file: '/work/app.py' }).map((f) => f.calls)).toEqual([1]);
    expect(index.query({ file: '/work/other.py' }).map((f) => [f.file, f.calls, f.p95_ms])).toEqual([
      ['/work/other.py', 2, 30],
    ]);
  });

  it('files a span without a code location by its name, found by the last part of a dotted name', () => {
    const index = new FunctionIndex();
    index.observe([call('a', 'Agent.run', 0, 10, {}, null), call('b', 'OpenAI chat completion', 0, 10, {}, null)]);
    expect(index.query({ names: ['run'] }).map((f) => [f.file, f.function])).toEqual([[null, 'Agent.run']]);
    expect(index.size).toBe(1);
    expect(functionLikeName('chat()')).toBe('chat');
    expect(functionLikeName('OpenAI chat completion')).toBeUndefined();
  });

  it('keeps the last calls of each function and the most recently called functions', () => {
    const index = new FunctionIndex({ maxCalls: 3, maxFunctions: 2 });
    index.observe([1, 2, 3, 4, 5].map((i) => call(`a${i}`, 'f', i * 10, i)));
    expect(index.query({ file: '/work/app.py' })[0].recent.map((r) => r.span_id)).toEqual(['a5', 'a4', 'a3']);
    index.observe([call('g1', 'g', 100, 1)]);
    index.observe([call('h1', 'h', 200, 1)]); // f was called longest ago: it goes
    expect(
      index
        .query({ file: '/work/app.py' })
        .map((f) => f.function)
        .sort(),
    ).toEqual(['g', 'h']);
  });

  it('forgets the calls of deleted traces', () => {
    const index = new FunctionIndex();
    index.observe([
      call('a', 'f', 0, 10, { trace_id: 't1' }),
      call('b', 'f', 20, 10, { trace_id: 't2' }),
      call('c', 'g', 30, 10, { trace_id: 't1' }),
    ]);
    index.removeTraces(['t1']);
    expect(index.query({ file: '/work/app.py' }).map((f) => [f.function, f.calls])).toEqual([['f', 1]]);
    index.removeTraces(['t2']);
    expect(index.query({ file: '/work/app.py' })).toEqual([]);
  });

  it('tells an error the code caught from one that left the code (the trace failed, or its root span did)', () => {
    const index = new FunctionIndex();
    const failed = (id: string, traceId: string, fields: Partial<SpanRecord> = {}) =>
      call(id, 'lookup', 0, 5, {
        trace_id: traceId,
        parent_span_id: 'root',
        error_info: { exception_type: 'KeyError', message: "'wikipedia'", traceback: 'Traceback…' },
        ...fields,
      });
    // Caught: the trace ends without an error of its own (its status is `error` all the same: a span failed).
    index.observe([failed('a', 't1')], [trace('t1', 'running')]);
    expect(index.query({ file: '/work/app.py' })[0].recent[0].caught).toBe(false); // not known while the trace runs
    index.observe([], [trace('t1', 'error', 'llm_chain')]);
    // Left the code: the trace has an error of its own.
    index.observe([failed('b', 't2')], [{ ...trace('t2', 'error'), error_info: { exception_type: 'KeyError' } }]);
    // Left the code: the root span (not a tracked function here) failed.
    index.observe([failed('c', 't3')], [trace('t3', 'running')]);
    index.observe(
      [
        call(
          'r3',
          'OpenAI chat completion',
          0,
          9,
          { trace_id: 't3', error_info: { exception_type: 'KeyError' } },
          null,
        ),
      ],
      [trace('t3', 'error')],
    );
    // The tracked function is the root and failed.
    index.observe([failed('d', 't4', { parent_span_id: undefined })], [trace('t4', 'error')]);
    const [f] = index.query({ file: '/work/app.py' });
    expect(f.errors).toBe(4);
    expect(f.recent.map((r) => [r.span_id, r.error, r.trace_status, r.caught])).toEqual([
      ['d', "KeyError: 'wikipedia'", 'error', false],
      ['c', "KeyError: 'wikipedia'", 'error', false],
      ['b', "KeyError: 'wikipedia'", 'error', false],
      ['a', "KeyError: 'wikipedia'", 'error', true],
    ]);
    expect(f.recent[3].trace_name).toBe('llm_chain');
    expect(f.recent[0].traceback).toBe('Traceback…');
  });

  it('skips spans it has already when told only new ones count (read back at start-up)', () => {
    const index = new FunctionIndex();
    index.observe([call('a', 'f', 0, 500)]);
    index.observe([call('a', 'f', 0, null), call('b', 'f', -1000, 5)], [], { onlyNew: true });
    const [f] = index.query({ file: '/work/app.py' });
    expect(f.recent.map((r) => [r.span_id, r.duration_ms])).toEqual([
      ['a', 500],
      ['b', 5],
    ]);
  });
});

describe('FunctionIndex.list', () => {
  it('lists every function of every file and of no file', () => {
    const index = new FunctionIndex();
    index.observe([call('a', 'f', 0, 1), call('b', 'g', 0, 1, {}, '/work/b.py'), call('c', 'plan', 0, 1, {}, null)]);
    expect(
      index
        .list()
        .map((f) => `${f.file}:${f.function}`)
        .sort(),
    ).toEqual(['/work/app.py:f', '/work/b.py:g', 'null:plan']);
  });
});

describe('recent calls asked for', () => {
  it('lists none when asked for none, and the newest n otherwise', () => {
    const index = new FunctionIndex();
    index.observe([1, 2, 3].map((i) => call(`a${i}`, 'f', i, 1)));
    expect(index.query({ file: '/work/app.py', recent: 0 })[0]).toMatchObject({ calls: 3, recent: [] });
    expect(index.query({ file: '/work/app.py', recent: 2 })[0].recent.map((r) => r.span_id)).toEqual(['a3', 'a2']);
  });
});

describe('what a call keeps', () => {
  it('keeps 200 characters of a long output and the last 8000 of a long traceback', () => {
    const index = new FunctionIndex();
    const output = 'x'.repeat(1_000_000);
    const traceback = `${'frame\n'.repeat(5000)}ValueError: kaboom`;
    index.observe([
      call('a', 'f', 0, 1, { output }),
      call('b', 'f', 5, 1, { error_info: { exception_type: 'ValueError', message: 'kaboom', traceback } }),
    ]);
    const [b, a] = index.query({ file: '/work/app.py' })[0].recent;
    expect(a.output_preview).toBe(`${'x'.repeat(199)}…`);
    expect(b.traceback).toHaveLength(8000);
    expect(b.traceback!.endsWith('ValueError: kaboom')).toBe(true);
  });
});
