// Span times are taken on the hot path as a plain number (epoch milliseconds with a
// sub-millisecond fraction) and formatted only when a batch is encoded. `timeOrigin +
// now()` has microsecond resolution where `Date.now()` has milliseconds, and a trivial
// tracked function takes a few microseconds.

import { performance } from 'node:perf_hooks';

const origin = performance.timeOrigin;

/** Epoch milliseconds with a fractional part; monotonic within the process. */
export function nowMs(): number {
  return origin + performance.now();
}

// Formatting a time is mostly the same second over and over, so the "YYYY-MM-DDTHH:MM:SS"
// prefix is cached and only the six fractional digits are built per call.
let cachedSecond = NaN;
let cachedPrefix = '';

/** ISO 8601 UTC with exactly six fractional digits, the model's canonical form. */
export function isoFromMs(ms: number): string {
  let second = Math.floor(ms / 1000);
  let micros = Math.round((ms - second * 1000) * 1000);
  if (micros >= 1_000_000) {
    second += 1;
    micros -= 1_000_000;
  }
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 19);
  }
  return `${cachedPrefix}.${String(micros + 1_000_000).slice(1)}Z`;
}

/** Accepts a Date, epoch milliseconds or ISO text from user code; NaN when it is none of these. */
export function msFromUser(value: unknown): number {
  let ms = NaN;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') ms = Date.parse(value);
  // Beyond what a Date can hold, no ISO text exists for it.
  return Math.abs(ms) <= 8.64e15 ? ms : NaN;
}
