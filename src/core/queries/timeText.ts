// Times and durations as people type them, shared by the filter language (`duration > 2s`,
// `last:15m`, `after:2026-01-01T10:00`) and the monitor's `from=`, `to=` and `bucket=`.

import { parseTimeMicros } from '../model/time';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION_RE = /^(\d+(?:\.\d+)?|\.\d+)(ms|s|min|m|h|d|w)?$/i;

/**
 * Milliseconds, or undefined when the text is not a duration. A bare number is taken in
 * `bareUnit` (milliseconds unless told), or refused when `bareUnit` is null.
 */
export function parseDurationText(text: string, bareUnit: string | null = 'ms'): number | undefined {
  const m = DURATION_RE.exec(text.trim());
  if (!m) return undefined;
  const unit = m[2]?.toLowerCase() ?? bareUnit;
  if (unit === null) return undefined;
  return Number(m[1]) * UNIT_MS[unit];
}

/** The shortest exact spelling: 90000 → `90s`, 3600000 → `1h`, 1500 → `1500ms`. */
export function formatDurationText(ms: number): string {
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit];
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

const DATE_ONLY_RE = /^\d{4}-\d{2}-\d{2}$/;
const NO_SECONDS_RE = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2})(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Microseconds since the epoch for `2026-01-02`, `2026-01-02T03:04`, `2026-01-02T03:04:05.123`
 * with or without an offset; undefined for anything else. Text without an offset is UTC,
 * like every time the store keeps, so a filter means the same on every machine.
 */
export function parseInstantText(text: string): number | undefined {
  let t = text.trim();
  if (DATE_ONLY_RE.test(t)) t += 'T00:00:00';
  const m = NO_SECONDS_RE.exec(t);
  if (m) t = `${m[1]}:00${m[2] ?? ''}`;
  const micros = parseTimeMicros(t);
  if (Number.isNaN(micros)) return undefined;
  // Date.UTC rolls 2026-02-31 over into March and 25:00 into the next day; a typo should be
  // an error, not another time.
  const [y, mo, d] = t.slice(0, 10).split('-').map(Number);
  const [h, mi, s] = t.slice(11, 19).split(':').map(Number);
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  return micros;
}
