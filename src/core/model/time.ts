// Times in the model are ISO 8601 UTC strings with exactly six fractional digits
// ("2026-01-02T03:04:05.123456Z"). Six digits because the Python SDK and OTLP both have
// sub-millisecond precision and a trivial tracked function takes microseconds; one fixed
// shape because then times order as plain strings, which the tree and the store rely on.

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Years outside this range can not be written in the canonical shape (four-digit year). */
const MIN_MICROS = Date.parse('0001-01-01T00:00:00Z') * 1000;
// The first microsecond of year 10000, as an exclusive bound: the last one of 9999 has no exact
// double (2.5e17 is past 2^53), and `<=` it let year 10000's first moment through, malformed.
const END_MICROS = Date.parse('+010000-01-01T00:00:00Z') * 1000;

/** Days in each month of a non-leap year. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * Microseconds since the epoch, or NaN when the text is not an ISO 8601 date-time. A text
 * without an offset is read as UTC (what Opik's Python SDK sends). Out-of-range fields
 * (month 13, 25:00, February 30) are rejected rather than rolled over.
 */
export function parseTimeMicros(text: string): number {
  if (isCanonicalTime(text)) return canonicalMicros(text);
  const m = ISO_RE.exec(text.length === 27 ? text : text.trim());
  if (!m) return NaN;
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const year = +y,
    month = +mo,
    day = +d,
    hour = +h,
    minute = +mi,
    second = +s;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return NaN;
  if (day > MONTH_DAYS[month - 1] + (month === 2 && isLeap(year) ? 1 : 0)) return NaN;
  // Date.UTC maps years 0–99 to 1900–1999; the offset below undoes that for them.
  let ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (year < 100) ms = Date.UTC(year + 400, month - 1, day, hour, minute, second) - 400 * 365.2425 * 86_400_000;
  let offsetMin = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = +digits.slice(0, 2),
      om = digits.length > 2 ? +digits.slice(2, 4) : 0;
    if (oh > 23 || om > 59) return NaN;
    offsetMin = sign * (oh * 60 + om);
  }
  const micros = frac.length === 6 ? +frac : +(frac + '000000').slice(0, 6);
  return (ms - offsetMin * 60_000) * 1000 + micros;
}

/**
 * True for text already in the canonical shape with valid fields: what our SDKs send, so the
 * common case is checked by character codes, without a regex or a Date.
 */
export function isCanonicalTime(text: string): boolean {
  if (text.length !== 27) return false;
  for (let i = 0; i < 27; i++) {
    const c = text.charCodeAt(i);
    const expected = SHAPE.charCodeAt(i);
    if (expected === 100 /* d */ ? c < 48 || c > 57 : c !== expected) return false;
  }
  const year = digits(text, 0, 4),
    month = digits(text, 5, 2),
    day = digits(text, 8, 2);
  if (
    year < 1 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    digits(text, 11, 2) > 23 ||
    digits(text, 14, 2) > 59 ||
    digits(text, 17, 2) > 59
  )
    return false;
  return day <= MONTH_DAYS[month - 1] + (month === 2 && isLeap(year) ? 1 : 0);
}
const SHAPE = 'dddd-dd-ddTdd:dd:dd.ddddddZ';

/** The number written by `len` ASCII digits of `text` from `at`. */
function digits(text: string, at: number, len: number): number {
  let v = 0;
  for (let i = at; i < at + len; i++) v = v * 10 + text.charCodeAt(i) - 48;
  return v;
}

/** Microseconds of a text isCanonicalTime accepted, read by character codes. */
function canonicalMicros(text: string): number {
  const year = digits(text, 0, 4);
  const mo = digits(text, 5, 2) - 1,
    d = digits(text, 8, 2),
    h = digits(text, 11, 2),
    mi = digits(text, 14, 2),
    s = digits(text, 17, 2);
  // Date.UTC reads years 0–99 as 1900–1999; 400 years later has the same calendar.
  const ms =
    year < 100 ? Date.UTC(year + 400, mo, d, h, mi, s) - 400 * 365.2425 * 86_400_000 : Date.UTC(year, mo, d, h, mi, s);
  return ms * 1000 + digits(text, 20, 6);
}

/** The canonical text of a time in microseconds since the epoch (rounded to a whole microsecond). */
export function formatMicros(micros: number): string {
  const whole = Math.round(micros);
  const second = Math.floor(whole / 1_000_000);
  const dateAndTime = new Date(second * 1000).toISOString().slice(0, 19); // 2026-01-02T03:04:05
  return `${dateAndTime}.${String(whole - second * 1_000_000 + 1_000_000).slice(1)}Z`;
}

/** Whether a time in epoch microseconds is one the model can write (years 0001–9999). */
export function isInTimeRange(micros: number): boolean {
  return Number.isFinite(micros) && micros >= MIN_MICROS && micros < END_MICROS;
}

/**
 * Accepts ISO text (any offset, any fraction), epoch milliseconds, or a Date, and returns the
 * canonical form; undefined for anything else (or a year outside 0001–9999), so callers can
 * report a clear error.
 */
export function normaliseTime(value: unknown): string | undefined {
  let micros: number;
  if (typeof value === 'string') {
    if (isCanonicalTime(value)) return value;
    micros = parseTimeMicros(value);
  } else if (typeof value === 'number') micros = value * 1000;
  else if (value instanceof Date) micros = value.getTime() * 1000;
  else return undefined;
  if (!isInTimeRange(micros)) return undefined;
  return formatMicros(micros);
}

export function nowIso(): string {
  return formatMicros(Date.now() * 1000);
}

/** Milliseconds between two canonical times, with microsecond precision; null while running or with no start yet. */
export function durationMs(start: string | undefined, end: string | undefined): number | null {
  if (!end || !start) return null; // a span seen only through its end has no start yet
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
  const ta = parseTimeMicros(a),
    tb = parseTimeMicros(b);
  if (Number.isNaN(ta) || Number.isNaN(tb)) return a < b ? -1 : 1;
  return ta - tb;
}
