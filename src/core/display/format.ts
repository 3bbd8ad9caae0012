// How numbers read wherever Spanscope shows them: the panel, the sidebar, CodeLens, hovers.
// One set of rules, so the same span reads the same everywhere. Pure; a missing or
// non-finite value formats as '' so callers can drop empty parts with `filter(Boolean)`.

import type { Usage } from '../model/model';

/** `12 µs`, `3.46 ms`, `532 ms`, `1.23 s`, `12.3 s`, `2m 05s`, `2h 01m`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '';
  if (ms < 1) return `${Math.max(0, Math.round(ms * 1000))} µs`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  return h ? `${h}h ${pad2(m)}m` : `${m}m ${pad2(s)}s`;
}

/** `350`, `12.3k`, `125k`, `2.5M`. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '';
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** A token count with its unit, or '' when there are none. */
export function formatTokens(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n) || n <= 0) return '';
  return `${formatCount(n)} tok`;
}

/**
 * US dollars. Below a dollar four decimals: one LLM call costs fractions of a cent, and
 * `$0.12` would hide the difference between two prompts. Below a cent, two significant digits.
 */
export function formatCost(usd: number | undefined): string {
  if (usd == null || !Number.isFinite(usd)) return '';
  if (usd === 0) return '$0';
  if (usd < 0.01) return `$${usd.toPrecision(2)}`;
  return `$${usd.toFixed(usd < 1 ? 4 : 2)}`;
}

/** A score or any other small number: integers as they are, otherwise at most two decimals, trailing zeros dropped. */
export function formatScore(value: number): string {
  if (!Number.isFinite(value)) return '';
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toFixed(Math.abs(value) < 10 ? 2 : 1)));
}

/** Total tokens of a usage record: its `total_tokens`, or prompt + completion. */
export function totalTokens(usage: Usage | undefined): number | undefined {
  if (!usage) return undefined;
  if (typeof usage.total_tokens === 'number') return usage.total_tokens;
  const sum = (usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0);
  return sum > 0 ? sum : undefined;
}

/** Local wall-clock time with milliseconds, the way a log line shows it. */
export function formatClock(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** `now`, `42s ago`, `3m ago`, `5h ago`, then the local date. */
export function formatAgo(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const s = Math.round((now - t) / 1000);
  if (s < 5) return 'now';
  if (s < 60) return `${s}s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m}m ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h}h ago`;
  return new Date(t).toLocaleDateString();
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
