import { describe, expect, it } from 'vitest';
import {
  compareTimes,
  durationMs,
  formatMicros,
  isCanonicalTime,
  normaliseTime,
  parseTimeMicros,
} from '../../src/core/model/time';

describe('canonical times', () => {
  it('turns ISO text with any offset and fraction into UTC with six digits', () => {
    expect(normaliseTime('2026-01-02T03:04:05Z')).toBe('2026-01-02T03:04:05.000000Z');
    expect(normaliseTime('2026-01-02T03:04:05.1Z')).toBe('2026-01-02T03:04:05.100000Z');
    expect(normaliseTime('2026-01-02T03:04:05.123456789Z')).toBe('2026-01-02T03:04:05.123456Z');
    expect(normaliseTime('2026-01-02T05:04:05.5+02:00')).toBe('2026-01-02T03:04:05.500000Z');
    expect(normaliseTime('2026-01-01T22:34:05-0430')).toBe('2026-01-02T03:04:05.000000Z');
    expect(normaliseTime('2026-01-02T04:04:05+01')).toBe('2026-01-02T03:04:05.000000Z');
    expect(normaliseTime('2026-01-02 03:04:05,25')).toBe('2026-01-02T03:04:05.250000Z');
  });

  it('reads text without an offset as UTC, as the Opik Python SDK sends it', () => {
    expect(normaliseTime('2026-01-02T03:04:05.123456')).toBe('2026-01-02T03:04:05.123456Z');
  });

  it('takes epoch milliseconds, fractions included, and Dates', () => {
    const ms = Date.UTC(2026, 0, 2, 3, 4, 5, 123);
    expect(normaliseTime(ms)).toBe('2026-01-02T03:04:05.123000Z');
    expect(normaliseTime(ms + 0.4567)).toBe('2026-01-02T03:04:05.123457Z');
    expect(normaliseTime(new Date(ms))).toBe('2026-01-02T03:04:05.123000Z');
  });

  it('formats times across seconds, days and the epoch as a Date would, whatever it formatted before', () => {
    const reference = (micros: number) => {
      const ms = Math.floor(micros / 1000);
      return `${new Date(ms).toISOString().slice(0, 23)}${String(micros - ms * 1000).padStart(3, '0')}Z`;
    };
    const starts = [Date.UTC(2025, 11, 31, 23, 59, 59) * 1000, -2_000_000, Date.UTC(2026, 0, 2) * 1000 - 7];
    for (const start of starts) {
      for (let micros = start; micros < start + 3_000_000; micros += 99_991)
        expect(formatMicros(micros)).toBe(reference(micros));
    }
    expect(formatMicros(Date.UTC(2026, 0, 2) * 1000 + 5)).toBe('2026-01-02T00:00:00.000005Z');
    expect(formatMicros(Date.UTC(2024, 5, 1) * 1000 + 5)).toBe('2024-06-01T00:00:00.000005Z'); // another second in between
  });

  it('never writes a fraction of 1000 when rounding carries', () => {
    expect(formatMicros(Date.UTC(2026, 0, 2) * 1000 + 999.9996)).toBe('2026-01-02T00:00:00.001000Z');
  });

  it('rejects what is not a date-time instead of rolling it over', () => {
    for (const bad of [
      '2026-13-01T00:00:00Z',
      '2026-02-30T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T00:60:00Z',
      'yesterday',
      '',
      '2026-01-01',
      '2026-01-01T00:00:00+25:00',
    ]) {
      expect(normaliseTime(bad), bad).toBeUndefined();
    }
    for (const bad of [NaN, Infinity, null, undefined, {}, [], true, 1e20]) expect(normaliseTime(bad)).toBeUndefined();
  });

  it('keeps the last moment of year 9999 and refuses the first of 10000 (no exact double lies between)', () => {
    expect(normaliseTime(Date.UTC(9999, 11, 31, 23, 59, 59))).toBe('9999-12-31T23:59:59.000000Z');
    expect(normaliseTime(Date.parse('+010000-01-01T00:00:00Z'))).toBeUndefined();
    expect(normaliseTime('+010000-01-01T00:00:00Z')).toBeUndefined();
  });

  it('takes canonical text as it is, and checks its fields all the same', () => {
    expect(isCanonicalTime('2026-01-02T03:04:05.123456Z')).toBe(true);
    for (const bad of [
      '2026-01-02T03:04:05.123456+',
      '2026-02-29T00:00:00.000000Z',
      '0000-01-01T00:00:00.000000Z',
      '2026-01-02T24:04:05.123456Z',
      '2026-01-0xT03:04:05.123456Z',
    ]) {
      expect(isCanonicalTime(bad), bad).toBe(false);
      expect(normaliseTime(bad), bad).toBeUndefined();
    }
    expect(normaliseTime('2024-02-29T00:00:00.000000Z')).toBe('2024-02-29T00:00:00.000000Z');
  });

  it('refuses a time whose fraction or date is wrong, whatever time was checked before it', () => {
    expect(isCanonicalTime('2026-01-02T03:04:05.123456Z')).toBe(true);
    for (const bad of [
      '2026-01-02T03:04:05.12345xZ',
      '2026-01-02T03:04:05,123456Z',
      '2026-01-02T03:04:05.123456z',
      '2026-01-02T03:04:05.1234567',
    ]) {
      expect(isCanonicalTime(bad), bad).toBe(false);
    }
    expect(isCanonicalTime('2026-01-02T03:04:05.000001Z')).toBe(true);
    expect(isCanonicalTime('2026-02-30T03:04:05.000001Z')).toBe(false);
    expect(isCanonicalTime('2026-01-02T03:04:05.999999Z')).toBe(true);
  });

  it('accepts leap days and keeps microseconds exact', () => {
    expect(normaliseTime('2024-02-29T23:59:59.999999Z')).toBe('2024-02-29T23:59:59.999999Z');
    expect(parseTimeMicros('1970-01-01T00:00:00.000001Z')).toBe(1);
    expect(normaliseTime('0050-03-01T00:00:00Z')).toBe('0050-03-01T00:00:00.000000Z');
    expect(normaliseTime('2100-02-29T00:00:00Z')).toBeUndefined();
  });

  it('measures durations in milliseconds with microsecond precision, null while running', () => {
    expect(durationMs('2026-01-02T03:04:05.000000Z', '2026-01-02T03:04:05.001500Z')).toBe(1.5);
    expect(durationMs('2026-01-02T03:04:05.000000Z', undefined)).toBeNull();
    expect(durationMs(undefined, '2026-01-02T03:04:05.000000Z')).toBeNull();
    expect(durationMs('', '2026-01-02T03:04:05.000000Z')).toBeNull();
    expect(durationMs('2026-01-02T03:04:06.000000Z', '2026-01-02T03:04:05.000000Z')).toBe(0);
  });

  it('orders canonical and non-canonical times alike, missing ones last', () => {
    expect(compareTimes('2026-01-02T03:04:05.000001Z', '2026-01-02T03:04:05.000002Z')).toBeLessThan(0);
    expect(compareTimes('2026-01-02T03:04:05.5Z', '2026-01-02T03:04:05.400000Z')).toBeGreaterThan(0);
    expect(compareTimes(undefined, '2026-01-02T03:04:05.000000Z')).toBeGreaterThan(0);
  });
});
