// The waterfall's geometry: where a span's bar starts and how wide it is, as fractions of the
// trace's time range, and round tick marks for the axis above it. Times are microseconds
// (the model's precision); running spans end "now", so their bars grow while they run.

import { parseTimeMicros } from '../../src/core/model/time';

export interface TimeRange {
  start: number;
  end: number;
}

const parsed = new WeakMap<object, [number, number]>();

/** A record's start and end in microseconds; end is NaN while it runs. Cached per record. */
export function spanMicros(rec: { start_time: string; end_time?: string }): [number, number] {
  let hit = parsed.get(rec);
  if (!hit) {
    hit = [parseTimeMicros(rec.start_time), rec.end_time ? parseTimeMicros(rec.end_time) : NaN];
    parsed.set(rec, hit);
  }
  return hit;
}

export function rangeOf(
  bounds: { start: string; end: string | undefined; running: boolean },
  nowMicros: number,
): TimeRange {
  const start = parseTimeMicros(bounds.start);
  let end = bounds.end ? parseTimeMicros(bounds.end) : start;
  if (bounds.running || Number.isNaN(end)) end = Math.max(end || start, nowMicros);
  return { start, end: Math.max(end, start + 1) };
}

/** Left edge and width as fractions of the range; a bar is never narrower than `minWidth`. */
export function barGeometry(
  range: TimeRange,
  startMicros: number,
  endMicros: number,
  nowMicros: number,
  minWidth = 0.002,
): { left: number; width: number } {
  const span = range.end - range.start;
  const s = Number.isNaN(startMicros) ? range.start : startMicros;
  const e = Number.isNaN(endMicros) ? Math.max(s, nowMicros) : endMicros;
  const left = clamp((s - range.start) / span, 0, 1);
  const width = Math.max(minWidth, clamp((e - s) / span, 0, 1 - left));
  return { left: Math.min(left, 1 - minWidth), width };
}

/**
 * Where a streamed span's first token sits along its bar, as a fraction of the bar (0 at
 * its start, 1 at its end); undefined without a time to first token or a finished span.
 */
export function firstTokenFraction(
  startMicros: number,
  endMicros: number,
  ttftMs: number | undefined,
): number | undefined {
  if (
    typeof ttftMs !== 'number' ||
    !(ttftMs >= 0) ||
    Number.isNaN(startMicros) ||
    Number.isNaN(endMicros) ||
    endMicros <= startMicros
  )
    return undefined;
  return clamp((ttftMs * 1000) / (endMicros - startMicros), 0, 1);
}

/** Round tick offsets (ms from the start) so that about `maxTicks` fit. */
export function ticks(rangeMs: number, maxTicks: number): number[] {
  if (!(rangeMs > 0) || maxTicks < 1) return [0];
  const raw = rangeMs / maxTicks;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const out: number[] = [];
  for (let t = 0; t <= rangeMs + step * 1e-9; t += step) out.push(Math.round(t * 1e6) / 1e6);
  return out;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}
