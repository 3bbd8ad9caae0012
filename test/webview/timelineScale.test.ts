import { describe, expect, it } from 'vitest';
import { barGeometry, firstTokenFraction, rangeOf, spanMicros, ticks } from '../../webview/trace/timelineScale';

describe('timeline geometry', () => {
  const range = { start: 1_000_000, end: 2_000_000 }; // one second

  it('places a bar by its start and duration within the trace', () => {
    expect(barGeometry(range, 1_250_000, 1_750_000, 0)).toEqual({ left: 0.25, width: 0.5 });
  });

  it('grows a running span up to now, and keeps tiny spans visible', () => {
    expect(barGeometry(range, 1_500_000, NaN, 1_900_000).width).toBeCloseTo(0.4);
    expect(barGeometry(range, 1_500_000, 1_500_001, 0).width).toBe(0.002);
  });

  it('extends a running trace to now', () => {
    const r = rangeOf(
      { start: '2026-01-02T03:04:05.000000Z', end: undefined, running: true },
      spanMicros({ start_time: '2026-01-02T03:04:07.000000Z' })[0],
    );
    expect(r.end - r.start).toBe(2_000_000);
  });

  it('puts round ticks on the axis', () => {
    expect(ticks(1000, 5)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(ticks(2.4, 4)).toEqual([0, 1, 2]);
    expect(ticks(0, 4)).toEqual([0]);
  });
});

describe('the first-token marker', () => {
  it('sits at the time to first token along the bar, and only on a finished span that has one', () => {
    expect(firstTokenFraction(1_000_000, 1_400_000, 100)).toBe(0.25);
    expect(firstTokenFraction(1_000_000, 1_400_000, 900)).toBe(1);
    expect(firstTokenFraction(1_000_000, NaN, 100)).toBeUndefined();
    expect(firstTokenFraction(1_000_000, 1_400_000, undefined)).toBeUndefined();
  });
});
