// Times in the model are ISO 8601 UTC strings with exactly six fractional digits
// ("2026-01-02T03:04:05.123456Z"). Six digits because the Python SDK and OTLP both have
// sub-millisecond precision and a trivial tracked function takes microseconds; one fixed
// shape because then times order as plain strings, which the tree and the store rely on.

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Years outside this range can not be written in the canonical shape (four-digit year). */
const MIN_MICROS = Date.UTC(1, 0, 1) * 1000;
const MAX_MICROS = Date.UTC(9999, 11, 31, 23, 59, 59, 999) * 1000 + 999;

/**
 * Microseconds since the epoch, or NaN when the text is not an ISO 8601 date-time. A text
 * without an offset is read as UTC (what Opik's Python SDK sends). Out-of-range fields
 * (month 13, 25:00, February 30) are rejected rather than rolled over.
 */
export function parseTimeMicros(text: string): number {
  const m = ISO_RE.exec(text.trim());
  if (!m) return NaN;
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const year = +y, month = +mo, day = +d, hour = +h, minute = +mi, second = +s;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return NaN;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCDate() !== day) return NaN; // February 30 and the like
  date.setUTCHours(hour, minute, second, 0);
  let offsetMin = 0;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = +digits.slice(0, 2), om = digits.length > 2 ? +digits.slice(2, 4) : 0;
    if (oh > 23 || om > 59) return NaN;
    offsetMin = sign * (oh * 60 + om);
  }
  const micros = +(frac + '000000').slice(0, 6);
  return (date.getTime() - offsetMin * 60_000) * 1000 + micros;
}

/** The canonical text of a time in microseconds since the epoch (rounded to a whole microsecond). */
export function formatMicros(micros: number): string {
  const whole = Math.round(micros);
  const ms = Math.floor(whole / 1000);
  const rest = whole - ms * 1000;
  const base = new Date(ms).toISOString(); // 2026-01-02T03:04:05.123Z
  return `${base.slice(0, 23)}${String(rest).padStart(3, '0')}Z`;
}

/**
 * Accepts ISO text (any offset, any fraction), epoch milliseconds, or a Date, and returns the
 * canonical form; undefined for anything else (or a year outside 0001–9999), so callers can
 * report a clear error.
 */
export function normaliseTime(value: unknown): string | undefined {
  let micros: number;
  if (typeof value === 'string') micros = parseTimeMicros(value);
  else if (typeof value === 'number') micros = value * 1000;
  else if (value instanceof Date) micros = value.getTime() * 1000;
  else return undefined;
  if (!Number.isFinite(micros) || micros < MIN_MICROS || micros > MAX_MICROS) return undefined;
  return formatMicros(micros);
}

export function nowIso(): string {
  return formatMicros(Date.now() * 1000);
}

/** Milliseconds between two canonical times, with microsecond precision; null while running. */
export function durationMs(start: string, end: string | undefined): number | null {
  if (!end) return null;
  const a = parseTimeMicros(start);
  const b = parseTimeMicros(end);
  if (Number.isNaN(a) || Number.isNaN(b)) return null;
  return Math.max(0, b - a) / 1000;
}

/** Orders two times: canonical ones compare as text, anything else is parsed. Undefined sorts last. */
export function compareTimes(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  if (a.length === b.length && a.length === 27) return a < b ? -1 : 1;
  const ta = parseTimeMicros(a), tb = parseTimeMicros(b);
  if (Number.isNaN(ta) || Number.isNaN(tb)) return a < b ? -1 : 1;
  return ta - tb;
}
