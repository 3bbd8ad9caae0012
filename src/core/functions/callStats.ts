// Statistics over a function's recent calls, for a time window: how many, how many failed,
// p50/p95 of their durations, tokens and cost summed, each score's average. Pure: the calls
// come from the function index (functionIndex.ts), the window's bounds from the caller.

import { byName } from '../model/aggregates';

/** One call of a function, as the index keeps it (small: previews, not whole values). */
export interface FunctionCall {
  span_id: string;
  trace_id: string;
  /** ISO 8601 UTC, as the span has it. */
  start_time: string;
  /** start_time in ms since the epoch, for windows and ordering. */
  start_ms: number;
  /** null while the call is running. */
  duration_ms: number | null;
  status: 'running' | 'ok' | 'error';
  /** The span's own line (code_location), when it has one. */
  line?: number;
  input_preview?: string;
  output_preview?: string;
  /** `ValueError: kaboom` for a failed call. */
  error?: string;
  /** The failed call's traceback, shortened (see MAX_TRACEBACK_CHARS in functionIndex.ts). */
  traceback?: string;
  tokens: number;
  cost: number;
  /** The span's own feedback scores, by name. */
  scores: Record<string, number>;
  /** The span has no parent: its trace's root. */
  root?: boolean;
}

/** `run`: the calls of the latest run (see FunctionIndex.runStart); `all`: every call kept. */
export type StatsWindow = 'run' | 'hour' | 'day' | 'all';
export const STATS_WINDOWS: readonly StatsWindow[] = ['run', 'hour', 'day', 'all'];

export function isStatsWindow(text: unknown): text is StatsWindow {
  return typeof text === 'string' && (STATS_WINDOWS as readonly string[]).includes(text);
}

export interface CallStats {
  /** Running calls included. */
  calls: number;
  /** Of `calls`, those still running. */
  running: number;
  errors: number;
  /** Over the calls that ended; null when none has. */
  p50_ms: number | null;
  p95_ms: number | null;
  tokens: number;
  cost: number;
  /** Average of each score name over the calls that have it. */
  scores: Record<string, number>;
}

/** The earliest start (ms) a window admits; `runStart` is where the latest run began. */
export function windowStart(window: StatsWindow, now: number, runStart: number): number {
  switch (window) {
    case 'hour':
      return now - 3_600_000;
    case 'day':
      return now - 86_400_000;
    case 'run':
      return runStart;
    case 'all':
      return -Infinity;
  }
}

/** Statistics over `calls` (any order). */
export function statsOf(calls: readonly FunctionCall[]): CallStats {
  const durations: number[] = [];
  let errors = 0;
  let running = 0;
  let tokens = 0;
  let cost = 0;
  const sums = byName<{ sum: number; count: number }>();
  for (const c of calls) {
    if (c.status === 'error') errors++;
    if (c.status === 'running') running++;
    if (c.duration_ms !== null && c.status !== 'running') durations.push(c.duration_ms);
    tokens += c.tokens;
    cost += c.cost;
    for (const name in c.scores) {
      const s = (sums[name] ??= { sum: 0, count: 0 });
      s.sum += c.scores[name];
      s.count++;
    }
  }
  durations.sort((a, b) => a - b);
  const scores = byName<number>();
  for (const name in sums) scores[name] = Math.round((sums[name].sum / sums[name].count) * 1e6) / 1e6;
  return {
    calls: calls.length,
    running,
    errors,
    p50_ms: percentile(durations, 0.5),
    p95_ms: percentile(durations, 0.95),
    tokens,
    cost: Math.round(cost * 1e9) / 1e9,
    scores,
  };
}

/**
 * The nearest-rank percentile of ascending `sorted`: the smallest value with at least `q` of
 * the values at or below it (so p50 of [1, 2, 3, 4] is 2, p95 of 20 values is the 19th).
 */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}
