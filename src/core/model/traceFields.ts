// The numbers a logs table, a filter and a monitor read off a trace summary, read the same
// way everywhere: a filter `tokens > 1000`, a sort by tokens and the monitor's token chart
// must agree on what "tokens" means for a trace whose client only sent prompt and completion
// counts.

import type { TraceSummary } from './model';

export function promptTokens(t: TraceSummary): number | undefined {
  return finite(t.usage?.prompt_tokens);
}

export function completionTokens(t: TraceSummary): number | undefined {
  return finite(t.usage?.completion_tokens);
}

/** `total_tokens` when the client sent it, else prompt + completion; undefined when neither is known. */
export function totalTokens(t: TraceSummary): number | undefined {
  const total = finite(t.usage?.total_tokens);
  if (total !== undefined) return total;
  const p = promptTokens(t);
  const c = completionTokens(t);
  return p === undefined && c === undefined ? undefined : (p ?? 0) + (c ?? 0);
}

export function costOf(t: TraceSummary): number | undefined {
  return finite(t.total_estimated_cost);
}

/** Time from the trace's start to the first token of its earliest stream; undefined without a stream. */
export function ttftOf(t: TraceSummary): number | undefined {
  return finite(t.time_to_first_token_ms);
}

/** Null while running, like `duration_ms`. */
export function durationOf(t: TraceSummary): number | undefined {
  return finite(t.duration_ms);
}

/** The average of one score name over the trace and its spans; undefined when never scored. */
export function scoreOf(t: TraceSummary, name: string): number | undefined {
  const s = t.score_averages?.[name];
  return s ? finite(s.avg) : undefined;
}

function finite(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
