// How a project behaves over time: trace summaries grouped into time buckets by start time,
// each bucket reduced to the figures the monitor charts (count, errors, latency percentiles,
// tokens, cost, average scores). Computed next to the store, so a month of traces reaches
// the page as ~100 small objects.
//
// Buckets are aligned to multiples of their size since the epoch (UTC), so refreshing a
// "last hour" view moves the window without reshuffling which traces share a bucket. The
// range asked for is widened to whole buckets, and each bucket counts every trace that
// started inside it, so clicking a bucket and filtering `after:start before:end` shows
// exactly the traces it counted.

import type { ScoreAverages, TraceSummary } from '../model/model';
import { formatMicros, parseTimeMicros } from '../model/time';
import { completionTokens, costOf, durationOf, promptTokens, totalTokens, ttftOf } from '../model/traceFields';
import { byName } from '../model/aggregates';

export interface MonitorParams {
  /** Epoch milliseconds; the range is [from, to), widened to whole buckets. */
  from: number;
  to: number;
  /** Bucket size in ms; chosen from the range when absent (see `chooseBucketMs`). */
  bucketMs?: number;
  /** Only this project's traces (exact name); every project together when absent. */
  project?: string;
}

export interface MonitorBucket {
  /** ISO UTC; the bucket is [start, end). */
  start: string;
  end: string;
  /** Every trace that started in the bucket, running ones included. */
  trace_count: number;
  running_count: number;
  error_count: number;
  /** error_count / trace_count; null for an empty bucket. */
  error_rate: number | null;
  /** Nearest-rank percentiles over the durations of the finished traces; null when none finished. */
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  /** Over the bucket's traces with a streamed call; null when none had one. */
  ttft_p50_ms: number | null;
  ttft_p95_ms: number | null;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Sum of the traces' estimated cost, USD. */
  cost: number;
  /** Per score name, the average over every score given in the bucket (each trace weighs by its count). */
  scores: ScoreAverages;
}

export interface MonitorResult {
  from: string;
  to: string;
  bucket_ms: number;
  buckets: MonitorBucket[];
  /** Every score name seen in the range, sorted; one chart each. */
  score_names: string[];
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Bucket sizes a chart reads well at, smallest first. */
export const BUCKET_SIZES_MS: readonly number[] = [
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  30 * DAY,
];

/** Enough buckets to see a shape, few enough to hover each one. */
export const MAX_AUTO_BUCKETS = 100;
/** A hard cap for sizes asked for explicitly, so a request can not ask for millions. */
export const MAX_BUCKETS = 2000;

/** The smallest size in `BUCKET_SIZES_MS` giving at most 100 buckets: 1h → 1m, 24h → 15m, 7d → 2h, 30d → 12h. */
export function chooseBucketMs(rangeMs: number): number {
  for (const size of BUCKET_SIZES_MS) if (rangeMs / size <= MAX_AUTO_BUCKETS) return size;
  return BUCKET_SIZES_MS[BUCKET_SIZES_MS.length - 1];
}

export class MonitorRangeError extends Error {}

/** Throws `MonitorRangeError` when `to` is before `from`, or the buckets asked for are too many. */
export function monitorTraces(summaries: Iterable<TraceSummary>, params: MonitorParams): MonitorResult {
  const { from, to, project } = params;
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new MonitorRangeError('from and to must be times');
  if (to < from) throw new MonitorRangeError('to is before from');
  const bucketMs = params.bucketMs ?? chooseBucketMs(to - from);
  if (!(bucketMs >= 1) || !Number.isInteger(bucketMs))
    throw new MonitorRangeError('bucket must be a whole number of milliseconds, at least 1');
  const first = Math.floor(from / bucketMs) * bucketMs;
  const count = to === from ? 0 : Math.ceil((to - first) / bucketMs);
  if (count > MAX_BUCKETS)
    throw new MonitorRangeError(`the range holds ${count} buckets of ${bucketMs} ms; at most ${MAX_BUCKETS}`);

  const acc = Array.from({ length: count }, () => new BucketAccumulator());
  const fromIso = formatMicros(first * 1000);
  const toIso = formatMicros((first + count * bucketMs) * 1000);
  const names = new Set<string>();
  for (const t of summaries) {
    if (project !== undefined && t.project_name !== project) continue;
    // Canonical times order as strings: most traces are rejected without parsing a date.
    if (t.start_time < fromIso || t.start_time >= toIso) continue;
    const i = Math.floor((startMs(t.start_time) - first) / bucketMs);
    if (i < 0 || i >= count) continue;
    acc[i].add(t);
    for (const name in t.score_averages) names.add(name);
  }
  return {
    from: fromIso,
    to: toIso,
    bucket_ms: bucketMs,
    buckets: acc.map((a, i) => a.result(first + i * bucketMs, first + (i + 1) * bucketMs)),
    score_names: [...names].sort((a, b) => a.localeCompare(b)),
  };
}

class BucketAccumulator {
  private traces = 0;
  private running = 0;
  private errors = 0;
  private durations: number[] = [];
  private ttfts: number[] = [];
  private prompt = 0;
  private completion = 0;
  private total = 0;
  private cost = 0;
  private scores = byName<{ sum: number; count: number }>();

  add(t: TraceSummary): void {
    this.traces++;
    if (t.status === 'running') this.running++;
    if (t.status === 'error') this.errors++;
    const d = durationOf(t);
    if (t.status !== 'running' && d !== undefined) this.durations.push(d);
    const ttft = ttftOf(t);
    if (ttft !== undefined) this.ttfts.push(ttft);
    this.prompt += promptTokens(t) ?? 0;
    this.completion += completionTokens(t) ?? 0;
    this.total += totalTokens(t) ?? 0;
    this.cost += costOf(t) ?? 0;
    for (const [name, s] of Object.entries(t.score_averages ?? {})) {
      if (!Number.isFinite(s.avg) || !(s.count > 0)) continue;
      const a = (this.scores[name] ??= { sum: 0, count: 0 });
      a.sum += s.avg * s.count;
      a.count += s.count;
    }
  }

  result(startMs: number, endMs: number): MonitorBucket {
    const sorted = Float64Array.from(this.durations).sort();
    const ttfts = Float64Array.from(this.ttfts).sort();
    const scores: ScoreAverages = byName();
    for (const [name, a] of Object.entries(this.scores)) scores[name] = { avg: a.sum / a.count, count: a.count };
    return {
      start: formatMicros(startMs * 1000),
      end: formatMicros(endMs * 1000),
      trace_count: this.traces,
      running_count: this.running,
      error_count: this.errors,
      error_rate: this.traces === 0 ? null : this.errors / this.traces,
      latency_p50_ms: percentile(sorted, 50),
      latency_p95_ms: percentile(sorted, 95),
      ttft_p50_ms: percentile(ttfts, 50),
      ttft_p95_ms: percentile(ttfts, 95),
      prompt_tokens: this.prompt,
      completion_tokens: this.completion,
      total_tokens: this.total,
      cost: Math.round(this.cost * 1e9) / 1e9,
      scores,
    };
  }
}

/** Epoch ms of a canonical time; Date.parse is several times faster than the general parser and reads the canonical form. */
function startMs(iso: string): number {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? parseTimeMicros(iso) / 1000 : ms;
}

/** Nearest rank: the smallest value with at least p% of the values at or below it. */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}
