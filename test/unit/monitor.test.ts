import { describe, expect, it } from 'vitest';
import { chooseBucketMs, MonitorRangeError, monitorTraces, percentile } from '../../src/core/queries/monitor';
import { compileFilter } from '../../src/core/queries/traceFilter';
import { formatDurationText, parseDurationText, parseInstantText } from '../../src/core/queries/timeText';
import { at, summary } from '../support/summaries';

const MIN = 60_000;
const t0 = Date.parse(at(0));

describe('monitor buckets', () => {
  it('chooses 30 to 100 buckets for the usual ranges', () => {
    expect(chooseBucketMs(60 * MIN)).toBe(MIN);
    expect(chooseBucketMs(24 * 60 * MIN)).toBe(15 * MIN);
    expect(chooseBucketMs(7 * 24 * 60 * MIN)).toBe(2 * 60 * MIN);
    expect(chooseBucketMs(30 * 24 * 60 * MIN)).toBe(12 * 60 * MIN);
    for (const range of [5 * MIN, 60 * MIN, 24 * 60 * MIN, 7 * 24 * 60 * MIN, 30 * 24 * 60 * MIN]) {
      const n = range / chooseBucketMs(range);
      expect(n).toBeGreaterThanOrEqual(30);
      expect(n).toBeLessThanOrEqual(100);
    }
  });

  it('gives empty buckets, not errors, for a range with no traces', () => {
    const r = monitorTraces([], { from: t0, to: t0 + 10 * MIN, bucketMs: MIN });
    expect(r.buckets).toHaveLength(10);
    expect(r.buckets[0]).toEqual({
      start: at(0),
      end: at(1),
      trace_count: 0,
      running_count: 0,
      error_count: 0,
      error_rate: null,
      latency_p50_ms: null,
      latency_p95_ms: null,
      ttft_p50_ms: null,
      ttft_p95_ms: null,
      prompt_tokens: 0,
      completion_tokens: 0,
      total_tokens: 0,
      cost: 0,
      scores: {},
    });
    expect(r.score_names).toEqual([]);
    expect(monitorTraces([summary({ start_time: at(0) })], { from: t0, to: t0 }).buckets).toEqual([]);
  });

  it('aligns buckets to their size and widens the range to whole buckets', () => {
    const r = monitorTraces([], { from: t0 + 30_000, to: t0 + 2 * MIN + 1, bucketMs: MIN });
    expect(r.from).toBe(at(0));
    expect(r.to).toBe(at(3));
    expect(r.buckets.map((b) => b.start)).toEqual([at(0), at(1), at(2)]);
  });

  it('counts running traces but leaves them out of latency', () => {
    const traces = [
      summary({ start_time: at(0.1), durationMs: 100 }),
      summary({ start_time: at(0.2), durationMs: 300 }),
      summary({ start_time: at(0.3) }), // running
      summary({ start_time: at(0.4), status: 'error', durationMs: 200, error_info: { exception_type: 'E' } }),
    ];
    const [b] = monitorTraces(traces, { from: t0, to: t0 + MIN, bucketMs: MIN }).buckets;
    expect(b.trace_count).toBe(4);
    expect(b.running_count).toBe(1);
    expect(b.error_count).toBe(1);
    expect(b.error_rate).toBe(0.25);
    expect(b.latency_p50_ms).toBe(200);
    expect(b.latency_p95_ms).toBe(300);
  });

  it('gives p50 and p95 of the time to first token over the traces that streamed', () => {
    const traces = [10, 20, 30, 40, 500].map((ttft, i) =>
      summary({ start_time: at(0.1 * (i + 1)), durationMs: 1000, time_to_first_token_ms: ttft }),
    );
    traces.push(summary({ start_time: at(0.7), durationMs: 5 }));
    const [b] = monitorTraces(traces, { from: t0, to: t0 + MIN, bucketMs: MIN }).buckets;
    expect(b.ttft_p50_ms).toBe(30);
    expect(b.ttft_p95_ms).toBe(500);
  });

  it('gives a bucket of only running traces a count and no latency', () => {
    const [b] = monitorTraces([summary({ start_time: at(0.5) })], { from: t0, to: t0 + MIN, bucketMs: MIN }).buckets;
    expect(b.trace_count).toBe(1);
    expect(b.latency_p50_ms).toBeNull();
    expect(b.error_rate).toBe(0);
  });

  it('sums tokens and cost and averages each score weighted by how often it was given', () => {
    const traces = [
      summary({
        start_time: at(0),
        durationMs: 1,
        usage: { prompt_tokens: 10, completion_tokens: 5 },
        total_estimated_cost: 0.1,
        score_averages: { q: { avg: 1, count: 3 } },
      }),
      summary({
        start_time: at(0.5),
        durationMs: 1,
        usage: { total_tokens: 100, prompt_tokens: 60, completion_tokens: 40 },
        total_estimated_cost: 0.2,
        score_averages: { q: { avg: 0, count: 1 }, r: { avg: 0.5, count: 1 } },
      }),
    ];
    const r = monitorTraces(traces, { from: t0, to: t0 + MIN, bucketMs: MIN });
    const [b] = r.buckets;
    expect(b.prompt_tokens).toBe(70);
    expect(b.completion_tokens).toBe(45);
    expect(b.total_tokens).toBe(115);
    expect(b.cost).toBe(0.3);
    expect(b.scores).toEqual({ q: { avg: 0.75, count: 4 }, r: { avg: 0.5, count: 1 } });
    expect(r.score_names).toEqual(['q', 'r']);
  });

  it('puts each trace in the bucket of its start time, counts only the project asked for, and skips traces outside', () => {
    const traces = [
      summary({ start_time: at(-1), durationMs: 1 }),
      summary({ start_time: at(0), durationMs: 1 }),
      summary({ start_time: at(1.999), durationMs: 1 }),
      summary({ start_time: at(2), durationMs: 1 }),
      summary({ start_time: at(2.5), durationMs: 1, project_name: 'Other' }),
      summary({ start_time: at(3), durationMs: 1 }),
    ];
    const r = monitorTraces(traces, { from: t0, to: t0 + 3 * MIN, bucketMs: MIN, project: 'Default Project' });
    expect(r.buckets.map((b) => b.trace_count)).toEqual([1, 1, 1]);
    const all = monitorTraces(traces, { from: t0, to: t0 + 3 * MIN, bucketMs: MIN });
    expect(all.buckets.map((b) => b.trace_count)).toEqual([1, 1, 2]);
  });

  it("counts exactly the traces the bucket's time-range filter shows", () => {
    const traces = Array.from({ length: 200 }, (_, i) => summary({ start_time: at(i * 0.37), durationMs: i }));
    const r = monitorTraces(traces, { from: t0, to: t0 + 80 * MIN });
    for (const b of r.buckets) {
      expect(traces.filter(compileFilter(`after:${b.start} before:${b.end}`))).toHaveLength(b.trace_count);
    }
    expect(r.buckets.reduce((n, b) => n + b.trace_count, 0)).toBe(200);
  });

  it('refuses a range that ends before it starts, or that holds too many buckets', () => {
    expect(() => monitorTraces([], { from: t0, to: t0 - 1 })).toThrow(MonitorRangeError);
    expect(() => monitorTraces([], { from: t0, to: t0 + 365 * 24 * 60 * MIN, bucketMs: 1000 })).toThrow(/at most 2000/);
    expect(() => monitorTraces([], { from: t0, to: t0 + MIN, bucketMs: 0 })).toThrow(MonitorRangeError);
  });
});

describe('percentiles', () => {
  it('uses the nearest rank', () => {
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(ten, 50)).toBe(5);
    expect(percentile(ten, 95)).toBe(10);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNull();
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 95)).toBe(95);
  });
});

describe('times and durations as typed', () => {
  it('reads durations with units', () => {
    expect(parseDurationText('250ms')).toBe(250);
    expect(parseDurationText('2s')).toBe(2000);
    expect(parseDurationText('1.5m')).toBe(90_000);
    expect(parseDurationText('7d')).toBe(7 * 86_400_000);
    expect(parseDurationText('300')).toBe(300);
    expect(parseDurationText('300', null)).toBeUndefined();
    expect(parseDurationText('2 fortnights')).toBeUndefined();
    expect(formatDurationText(3_600_000)).toBe('1h');
    expect(formatDurationText(90_000)).toBe('90s');
    expect(formatDurationText(1500)).toBe('1500ms');
  });

  it('reads dates, minutes and full times, UTC unless an offset is given', () => {
    expect(parseInstantText('2026-01-02')).toBe(Date.UTC(2026, 0, 2) * 1000);
    expect(parseInstantText('2026-01-02T03:04')).toBe(Date.UTC(2026, 0, 2, 3, 4) * 1000);
    expect(parseInstantText('2026-01-02T03:04+01:00')).toBe(Date.UTC(2026, 0, 2, 2, 4) * 1000);
    expect(parseInstantText('2026-01-02T03:04:05.000007Z')).toBe(Date.UTC(2026, 0, 2, 3, 4, 5) * 1000 + 7);
    expect(parseInstantText('2026-02-30')).toBeUndefined();
    expect(parseInstantText('2026-01-02T24:00')).toBeUndefined();
    expect(parseInstantText('soon')).toBeUndefined();
  });
});
