// Which failed calls reach Problems and where: the raise line in the workspace, the function's
// line otherwise, warnings for errors the code caught, cleared by a later success.

import { describe, expect, it } from 'vitest';
import type { FunctionSummary, RecentCall } from '../../src/core/functions/functionIndex';
import { problemsOf } from '../../src/extension/editor/problemsModel';

const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);
const TB = `Traceback (most recent call last):
  File "/w/app.py", line 40, in main
    boom()
  File "/w/app.py", line 31, in boom
    raise ValueError("kaboom")
ValueError: kaboom`;

const call = (id: string, fields: Partial<RecentCall> = {}): RecentCall => ({
  span_id: id,
  trace_id: `t-${id}`,
  start_time: new Date(NOW - 60_000).toISOString(),
  duration_ms: 5,
  status: 'error',
  output_preview: null,
  error: 'ValueError: kaboom',
  traceback: TB,
  tokens: 0,
  cost: 0,
  scores: {},
  line: 29,
  trace_name: 'my_app',
  trace_status: 'error',
  caught: false,
  ...fields,
});
const fn = (recent: RecentCall[], fields: Partial<FunctionSummary> = {}): FunctionSummary => ({
  file: '/w/app.py',
  function: 'boom',
  line: 29,
  calls: recent.length,
  running: 0,
  errors: 0,
  p50_ms: 1,
  p95_ms: 1,
  tokens: 0,
  cost: 0,
  scores: {},
  recent,
  ...fields,
});
const inW = (f: string) => f.startsWith('/w/');

describe('problemsOf', () => {
  it('puts a failed call at the raise line with every frame, as an error when it left the code', () => {
    const [p, ...rest] = problemsOf([fn([call('a')])], inW, NOW);
    expect(rest).toEqual([]);
    expect(p).toMatchObject({
      file: '/w/app.py',
      line: 31,
      severity: 'error',
      message: 'ValueError: kaboom — in boom (trace my_app, 1 min ago)',
      traceId: 't-a',
      spanId: 'a',
    });
    expect(p.frames.map((f) => f.line)).toEqual([31, 40]);
  });

  it('makes an error the code caught a warning', () => {
    expect(problemsOf([fn([call('a', { caught: true })])], inW, NOW)[0].severity).toBe('warning');
  });

  it('clears failures older than the latest success', () => {
    expect(problemsOf([fn([call('new', { status: 'ok', error: null }), call('old')])], inW, NOW)).toEqual([]);
    expect(
      problemsOf(
        [fn([call('new', { error: 'KeyError: x' }), call('ok', { status: 'ok', error: null }), call('old')])],
        inW,
        NOW,
      ).map((p) => p.spanId),
    ).toEqual(['new']);
  });

  it('falls back to the function line outside the workspace, and shows one entry for the same error repeated', () => {
    expect(problemsOf([fn([call('a')])], () => false, NOW)[0].line).toBe(29);
    expect(problemsOf([fn([call('a'), call('b')])], inW, NOW).map((p) => p.spanId)).toEqual(['a']);
  });

  it('skips a name-only function whose traceback has no frame in the workspace', () => {
    expect(
      problemsOf([fn([call('a', { traceback: undefined, line: undefined })], { file: null, line: null })], inW, NOW),
    ).toEqual([]);
  });
});
