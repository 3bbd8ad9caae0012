import { describe, expect, it } from 'vitest';
import {
  addSpanToTotals,
  derive,
  emptyTotals,
  rollupScores,
  statusOf,
  summariseSpans,
  summariseTrace,
} from '../../src/core/model/aggregates';
import type { FeedbackScore, TraceRecord } from '../../src/core/model/model';
import { buildSpanTree } from '../../src/core/model/spanTree';
import { at, spanRecord } from '../support/builders';

const score = (name: string, value: number): FeedbackScore => ({ name, value, source: 'sdk', created_at: at(0) });
const trace = (fields: Partial<TraceRecord> = {}): TraceRecord => ({
  id: 't',
  project_name: 'p',
  name: 'chain',
  start_time: at(0),
  ...fields,
});
const facts = { implicit: false, lastUpdatedAt: at(5000) };

describe('trace aggregates', () => {
  it('sums usage and cost and counts spans and errors', () => {
    const totals = summariseSpans([
      spanRecord('a', {
        usage: { prompt_tokens: 10, total_tokens: 15 },
        total_estimated_cost: 0.001,
        end_time: at(10),
      }),
      spanRecord('b', {
        usage: { prompt_tokens: 5, total_tokens: 7, cached: 2 },
        total_estimated_cost: 0.002,
        error_info: { exception_type: 'ValueError' },
        end_time: at(20),
      }),
      spanRecord('c'),
    ]);
    const summary = summariseTrace(trace({ end_time: at(30) }), totals, facts);
    expect(summary.span_count).toBe(3);
    expect(summary.error_count).toBe(1);
    expect(summary.usage).toEqual({ prompt_tokens: 15, total_tokens: 22, cached: 2 });
    expect(summary.total_estimated_cost).toBe(0.003);
    expect(summary.status).toBe('error');
    expect(summary.duration_ms).toBe(30);
  });

  it("counts a given cost over the collector's estimate, and says which a reader sees", () => {
    const given = spanRecord('a', { total_estimated_cost: 0.01, estimated_cost: 0.002 });
    const estimated = spanRecord('b', { estimated_cost: 0.002 });
    const totals = summariseSpans([given, estimated]);
    expect(summariseTrace(trace({}), totals, facts).total_estimated_cost).toBe(0.012);
    expect(derive(given)).toMatchObject({ total_estimated_cost: 0.01, cost_source: 'given' });
    expect(derive(estimated)).toMatchObject({ total_estimated_cost: 0.002, cost_source: 'estimated' });
    expect(derive(estimated)).not.toHaveProperty('estimated_cost');
    expect(derive(spanRecord('c'))).not.toHaveProperty('cost_source');
  });

  it('gives the trace the time from its start to the first token of its earliest stream', () => {
    const totals = summariseSpans([
      spanRecord('a', { start_time: at(100), time_to_first_token_ms: 250 }),
      spanRecord('b', { start_time: at(50), time_to_first_token_ms: 400 }),
      spanRecord('c', { start_time: at(10) }),
    ]);
    expect(summariseTrace(trace({ start_time: at(0) }), totals, facts).time_to_first_token_ms).toBe(350);
    expect(summariseTrace(trace({ start_time: at(0) }), summariseSpans([spanRecord('c')]), facts)).not.toHaveProperty(
      'time_to_first_token_ms',
    );
  });

  it('replacing a span by its newer version changes the totals by the difference', () => {
    const totals = emptyTotals();
    const running = spanRecord('a', { usage: { total_tokens: 5 } });
    addSpanToTotals(totals, running);
    expect(totals.running_count).toBe(1);
    const ended = { ...running, end_time: at(5), usage: { total_tokens: 8 }, feedback_scores: [score('q', 1)] };
    addSpanToTotals(totals, running, -1);
    addSpanToTotals(totals, ended);
    expect(totals).toMatchObject({
      span_count: 1,
      running_count: 0,
      usage: { total_tokens: 8 },
      scores: { q: { sum: 1, count: 1 } },
    });
    // Incremental totals equal totals summed from scratch.
    expect(totals).toEqual(summariseSpans([ended]));
  });

  it('a trace is running until its own end arrives, then ok', () => {
    const totals = summariseSpans([spanRecord('a', { end_time: at(3) })]);
    expect(summariseTrace(trace(), totals, facts).status).toBe('running');
    expect(summariseTrace(trace(), totals, facts).duration_ms).toBeNull();
    expect(summariseTrace(trace({ end_time: at(4) }), totals, facts).status).toBe('ok');
  });

  it('an implicit trace (spans only) takes name, times and previews from its first root span and ends with its last span', () => {
    const root = spanRecord('r', {
      name: 'agent',
      start_time: at(1),
      end_time: at(50),
      input: { q: 'hi' },
      output: 'hello',
    });
    const child = spanRecord('c', { parent_span_id: 'r', start_time: at(2), end_time: at(60) });
    const implicit = trace({ name: '', start_time: '' });
    const running = summariseTrace(
      implicit,
      summariseSpans([root, spanRecord('c', { parent_span_id: 'r', start_time: at(2) })]),
      { implicit: true, rootSpan: root, lastUpdatedAt: at(70) },
    );
    expect(running.status).toBe('running');
    const done = summariseTrace(implicit, summariseSpans([root, child]), {
      implicit: true,
      rootSpan: root,
      lastUpdatedAt: at(70),
    });
    expect(done).toMatchObject({
      name: 'agent',
      start_time: at(1),
      end_time: at(60),
      status: 'ok',
      duration_ms: 59,
      input_preview: '{"q":"hi"}',
      output_preview: 'hello',
    });
  });

  it('averages scores over the trace and all its spans', () => {
    const totals = summariseSpans([
      spanRecord('a', { feedback_scores: [score('q', 1)] }),
      spanRecord('b', { feedback_scores: [score('q', 0), score('tone', 0.5)] }),
    ]);
    const summary = summariseTrace(trace({ feedback_scores: [score('q', 0.5)] }), totals, facts);
    expect(summary.score_averages).toEqual({ q: { avg: 0.5, count: 3 }, tone: { avg: 0.5, count: 1 } });
  });

  it('shortens long inputs to a 300-character preview', () => {
    const summary = summariseTrace(trace({ input: 'x'.repeat(1000) }), emptyTotals(), facts);
    expect(summary.input_preview).toHaveLength(300);
    expect(summary.input_preview!.endsWith('…')).toBe(true);
  });

  it('rolls scores up the span tree', () => {
    const tree = buildSpanTree([
      spanRecord('r', { feedback_scores: [score('q', 1)] }),
      spanRecord('a', { parent_span_id: 'r', feedback_scores: [score('q', 0)] }),
      spanRecord('b', { parent_span_id: 'a', feedback_scores: [score('q', 0.5)] }),
    ]);
    const rolled = rollupScores(tree);
    expect(rolled.get('r')).toEqual({ q: { avg: 0.5, count: 3 } });
    expect(rolled.get('a')).toEqual({ q: { avg: 0.25, count: 2 } });
  });

  it('sums 10k spans in one pass', () => {
    const spans = Array.from({ length: 10_000 }, (_, i) =>
      spanRecord(`s${i}`, { usage: { total_tokens: 1 }, end_time: at(i + 1) }),
    );
    const totals = summariseSpans(spans);
    expect(totals.usage.total_tokens).toBe(10_000);
    expect(totals.last_end).toBe(at(10_000));
  });

  it('derives status from end time and error', () => {
    expect(statusOf({})).toBe('running');
    expect(statusOf({ end_time: at(1) })).toBe('ok');
    expect(statusOf({ error_info: { exception_type: 'E' } })).toBe('error');
  });
});

describe('score names that are object keys', () => {
  it('are averaged like any other name and leave Object.prototype alone', () => {
    const names = ['__proto__', 'constructor', 'toString'];
    try {
      const totals = summariseSpans([
        spanRecord('a', { feedback_scores: names.map((n) => score(n, 1)) }),
        spanRecord('b', { feedback_scores: names.map((n) => score(n, 0)) }),
      ]);
      const summary = summariseTrace(trace(), totals, facts);
      expect(Object.keys(Object.prototype)).toEqual([]);
      for (const name of names)
        expect(Object.getOwnPropertyDescriptor(summary.score_averages, name)?.value).toEqual({ avg: 0.5, count: 2 });
      const tree = buildSpanTree([
        spanRecord('root', { feedback_scores: [score('__proto__', 1)] }),
        spanRecord('child', { parent_span_id: 'root', feedback_scores: [score('__proto__', 0)] }),
      ]);
      expect(Object.getOwnPropertyDescriptor(rollupScores(tree).get('root'), '__proto__')?.value).toEqual({
        avg: 0.5,
        count: 2,
      });
      expect(Object.keys(Object.prototype)).toEqual([]);
    } finally {
      // A failure here must not leave the rest of this process's tests on a polluted prototype.
      for (const key of Object.keys(Object.prototype)) delete (Object.prototype as Record<string, unknown>)[key];
    }
  });
});
