// Two traces aligned by span name path: pairs, deltas, spans on one side only, repeated calls
// paired in order, and a status that changed.

import { describe, expect, it } from 'vitest';
import { derive, withDerived } from '../../src/core/model/aggregates';
import { alignTraces } from '../../src/core/compare/alignTraces';
import type { Span, SpanRecord, TraceDetail } from '../../src/core/model/model';
import { formatMicros } from '../../src/core/model/time';

const T0 = Date.UTC(2026, 11, 7);
const iso = (ms: number) => formatMicros((T0 + ms) * 1000);

function span(id: string, name: string, start: number, duration: number, fields: Partial<SpanRecord> = {}): Span {
  return withDerived({
    id,
    trace_id: 't',
    project_name: 'p',
    name,
    type: 'general',
    start_time: iso(start),
    end_time: iso(start + duration),
    ...fields,
  });
}

function trace(id: string, spans: Span[], fields: Partial<TraceDetail['trace']> = {}): TraceDetail {
  return {
    trace: {
      ...derive({ id, project_name: 'p', name: 'chain', start_time: iso(0), end_time: iso(1000) }),
      span_count: spans.length,
      error_count: 0,
      usage: { total_tokens: 100 },
      total_estimated_cost: 0.01,
      score_averages: {},
      last_updated_at: iso(0),
      ...fields,
    },
    spans,
  };
}

describe('alignTraces', () => {
  it('pairs spans by name path with their deltas, and keeps one-sided spans in place', () => {
    const left = trace('a', [
      span('a0', 'chain', 0, 1000),
      span('a1', 'retrieve', 10, 100, { parent_span_id: 'a0' }),
      span('a2', 'generate', 120, 800, {
        parent_span_id: 'a0',
        usage: { total_tokens: 100 },
        total_estimated_cost: 0.01,
      }),
      span('a3', 'rerank', 50, 20, { parent_span_id: 'a1' }),
    ]);
    const right = trace(
      'b',
      [
        span('b0', 'chain', 0, 1500),
        span('b1', 'retrieve', 10, 50, { parent_span_id: 'b0' }),
        span('b2', 'generate', 70, 1300, {
          parent_span_id: 'b0',
          usage: { total_tokens: 160 },
          total_estimated_cost: 0.016,
          error_info: { exception_type: 'Timeout' },
        }),
        span('b3', 'cite', 1400, 10, { parent_span_id: 'b0' }),
      ],
      { usage: { total_tokens: 160 }, total_estimated_cost: 0.016 },
    );
    const a = alignTraces(left, right);
    expect(a.rows.map((r) => [r.path.join('/'), r.left?.id ?? null, r.right?.id ?? null, r.change])).toEqual([
      ['chain', 'a0', 'b0', 'same'],
      ['chain/retrieve', 'a1', 'b1', 'same'],
      ['chain/retrieve/rerank', 'a3', null, 'left_only'],
      ['chain/generate', 'a2', 'b2', 'changed'],
      ['chain/cite', null, 'b3', 'right_only'],
    ]);
    expect(a.rows[3].delta).toEqual({ duration_ms: 500, tokens: 60, cost: 0.006 });
    expect(a.rows[2].delta).toEqual({ duration_ms: null, tokens: null, cost: null });
    expect(a.rows[3].depth).toBe(1);
    expect(a.delta).toEqual({ duration_ms: 0, tokens: 60, cost: 0.006 });
  });

  it('pairs repeated calls under one parent in start order', () => {
    const left = trace('a', [span('a1', 'step', 0, 10), span('a2', 'step', 20, 30)]);
    const right = trace('b', [span('b2', 'step', 25, 5), span('b1', 'step', 0, 11), span('b3', 'step', 40, 1)]);
    expect(
      alignTraces(left, right).rows.map((r) => [r.left?.id ?? null, r.right?.id ?? null, r.delta.duration_ms]),
    ).toEqual([
      ['a1', 'b1', 1],
      ['a2', 'b2', -25],
      [null, 'b3', null],
    ]);
  });
});
