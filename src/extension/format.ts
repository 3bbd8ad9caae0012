// Short human forms of durations, token counts and scores, for one-line descriptions in the
// sidebar. Pure.

import type { FeedbackScore, ScoreAverages, Usage } from '../core/model';

export function formatDuration(ms: number | null | undefined): string | undefined {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return undefined;
  if (ms < 1) return `${ms < 0.1 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  return h ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}m ${String(s).padStart(2, '0')}s`;
}

/** Total tokens, from `total_tokens` or the sum of prompt and completion. */
export function totalTokens(usage: Usage | undefined): number | undefined {
  if (!usage) return undefined;
  if (typeof usage.total_tokens === 'number') return usage.total_tokens;
  const sum = (usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0);
  return sum > 0 ? sum : undefined;
}

export function formatTokens(n: number | undefined): string | undefined {
  if (n === undefined || !Number.isFinite(n) || n <= 0) return undefined;
  if (n < 1000) return `${n} tok`;
  if (n < 1_000_000) return `${trim(n / 1000)}k tok`;
  return `${trim(n / 1_000_000)}M tok`;
}

export function formatCost(usd: number | undefined): string | undefined {
  if (usd === undefined || !Number.isFinite(usd)) return undefined;
  if (usd === 0) return '$0';
  return usd < 0.01 ? `$${usd.toPrecision(2)}` : `$${usd.toFixed(2)}`;
}

export function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : trim(v);
}

function trim(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/**
 * Score badges: the thumbs score as 👍/👎 counts, every other name as `name value`. Averages
 * of 0/1 thumbs split back into counts exactly: ups = avg × count.
 */
export function scoreBadges(averages: ScoreAverages | undefined, thumbsName: string): string[] {
  if (!averages) return [];
  const out: string[] = [];
  const thumbs = averages[thumbsName];
  if (thumbs) {
    const ups = Math.round(thumbs.avg * thumbs.count);
    const downs = thumbs.count - ups;
    if (ups > 0) out.push(`👍 ${ups}`);
    if (downs > 0) out.push(`👎 ${downs}`);
  }
  for (const name of Object.keys(averages).sort()) {
    if (name === thumbsName) continue;
    out.push(`${name} ${formatNumber(averages[name].avg)}`);
  }
  return out;
}

/** A record's own scores as averages per name (a span has an SDK and a UI score of one name side by side). */
export function ownAverages(scores: FeedbackScore[] | undefined): ScoreAverages {
  const acc: Record<string, { sum: number; count: number }> = {};
  for (const s of scores ?? []) {
    const a = (acc[s.name] ??= { sum: 0, count: 0 });
    a.sum += s.value;
    a.count++;
  }
  const out: ScoreAverages = {};
  for (const [k, v] of Object.entries(acc)) out[k] = { avg: v.sum / v.count, count: v.count };
  return out;
}

/** A value to copy: strings as they are (a copied prompt pastes as text), the rest as indented JSON. */
export function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}
