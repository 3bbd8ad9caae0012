// Times in the model are ISO 8601 UTC strings with exactly six fractional digits
// ("2026-01-02T03:04:05.123456Z"). Six digits because the Python SDK and OTLP both have
// sub-millisecond precision and a trivial tracked function takes microseconds; one fixed
// shape because then times order as plain strings, which the tree and the store rely on.

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Microseconds since the epoch, or NaN when the text is not an ISO 8601 date-time. */
export function parseTimeMicros(text: string): number {
  const m = ISO_RE.exec(text.trim());
  if (!m) return NaN;
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  if (Number.isNaN(ms)) return NaN;
  let offsetMin = 0;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMin = sign * (+digits.slice(0, 2) * 60 + +digits.slice(2, 4));
  }
  const micros = +(frac + '000000').slice(0, 6);
  return (ms - offsetMin * 60_000) * 1000 + micros;
}

export function formatMicros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const rest = Math.round(micros - ms * 1000);
  const base = new Date(ms).toISOString(); // 2026-01-02T03:04:05.123Z
  return `${base.slice(0, 23)}${String(rest).padStart(3, '0')}Z`;
}

/**
 * Accepts ISO text (any offset, any fraction), epoch milliseconds, or a Date, and returns the
 * canonical form; undefined for anything else, so callers can report a clear error.
 */
export function normaliseTime(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const micros = parseTimeMicros(value);
    return Number.isNaN(micros) ? undefined : formatMicros(micros);
  }
  if (typeof value === 'number' && Number.isFinite(value)) return formatMicros(value * 1000);
  if (value instanceof Date && !Number.isNaN(value.getTime())) return formatMicros(value.getTime() * 1000);
  return undefined;
}

export function nowIso(): string {
  return formatMicros(Date.now() * 1000);
}

/** Milliseconds between two canonical times, with microsecond precision. */
export function durationMs(start: string, end: string | undefined): number | null {
  if (!end) return null;
  const a = parseTimeMicros(start);
  const b = parseTimeMicros(end);
  if (Number.isNaN(a) || Number.isNaN(b)) return null;
  return Math.max(0, b - a) / 1000;
}
