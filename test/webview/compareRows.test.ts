// What the Compare tab shows for two aligned traces: each pair's sides, deltas and status.

import { describe, expect, it } from 'vitest';
import { derive, withDerived } from '../../src/core/model/aggregates';
import { alignTraces } from '../../src/core/compare/alignTraces';
import type { Span, SpanRecord, TraceDetail } from '../../src/core/model/model';
import { formatMicros } from '../../src/core/model/time';
import { compareCells, totalsText } from '../../webview/compare/compareRows';

const T0 = Date.UTC(2026, 11, 7);
const iso = (ms: number) => formatMicros((T0 + ms) * 1000);
const span = (id: string, name: string, duration: number, fields: Partial<SpanRecord> = {}): Span =>
  withDerived({
    id,
    trace_id: 't',
    project_name: 'p',
    name,
    type: 'general',
    start_time: iso(0),
    end_time: iso(duration),
    ...fields,
  });
const trace = (id: string, spans: Span[]): TraceDetail => ({
  trace: {
    ...derive({ id, project_name: 'p', name: 'chain', start_time: iso(0), end_time: iso(2000) }),
    span_count: spans.length,
    error_count: 0,
    usage: {},
    score_averages: {},
    last_updated_at: iso(0),
  },
  spans,
});

describe('compareCells', () => {
  it('shows each side, the delta and a status change, and offers a diff only for pairs', () => {
    const a = alignTraces(
      trace('a', [
        span('a1', 'generate', 800, { usage: { total_tokens: 100 }, total_estimated_cost: 0.01 }),
        span('a2', 'rerank', 20),
      ]),
      trace('b', [
        span('b1', 'generate', 1300, {
          usage: { total_tokens: 160 },
          total_estimated_cost: 0.016,
          error_info: { exception_type: 'Timeout' },
        }),
      ]),
    );
    expect(compareCells(a).map((c) => [c.name, c.left, c.right, c.delta, c.status, c.diffable])).toEqual([
      [
        'generate',
        '800 ms · 100 tok · $0.010',
        '1.30 s · 160 tok · $0.016',
        '+500 ms · +60 tok · +$0.0060',
        'ok → error',
        true,
      ],
      ['rerank', '20 ms', '—', '', 'only left', false],
    ]);
    expect(totalsText(a)).toEqual({
      left: 'chain · ok · 2.00 s · 2 spans',
      right: 'chain · ok · 2.00 s · 1 spans',
      delta: '',
    });
  });
});
