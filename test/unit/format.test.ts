import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatCost,
  formatCount,
  formatDuration,
  formatScore,
  formatTokens,
  totalTokens,
} from '../../src/core/display/format';

// One set of rules for the panel, the sidebar and the editor: the same span reads the same everywhere.
describe('format', () => {
  it('writes durations with units that fit their size', () => {
    expect(
      [0.012, 0.5, 3.456, 12.4, 532, 999, 1234, 12_345, 65_000, 125_000, 3_700_000, 7_300_000].map(formatDuration),
    ).toEqual([
      '12 µs',
      '500 µs',
      '3.46 ms',
      '12 ms',
      '532 ms',
      '999 ms',
      '1.23 s',
      '12.3 s',
      '1m 05s',
      '2m 05s',
      '1h 01m',
      '2h 01m',
    ]);
  });

  it('writes nothing for a duration that is missing or not a number', () => {
    expect([null, undefined, Number.NaN, Number.POSITIVE_INFINITY].map(formatDuration)).toEqual(['', '', '', '']);
  });

  it('writes counts and tokens short', () => {
    expect([0, 350, 1234, 12_345, 125_000, 2_500_000].map(formatCount)).toEqual([
      '0',
      '350',
      '1.2k',
      '12k',
      '125k',
      '2.5M',
    ]);
    expect([undefined, 0, 350, 12_345, 2_500_000].map(formatTokens)).toEqual([
      '',
      '',
      '350 tok',
      '12k tok',
      '2.5M tok',
    ]);
  });

  it('keeps fractions of a cent in costs', () => {
    expect([undefined, 0, 0.000123, 0.1234, 0.5, 12.345].map(formatCost)).toEqual([
      '',
      '$0',
      '$0.00012',
      '$0.1234',
      '$0.5000',
      '$12.35',
    ]);
  });

  it('writes scores with at most two decimals and no trailing zeros', () => {
    expect([1, 0, 0.5, 0.8234, 12.345, -0.25].map(formatScore)).toEqual(['1', '0', '0.5', '0.82', '12.3', '-0.25']);
  });

  it('totals tokens from total_tokens, or prompt plus completion', () => {
    expect(totalTokens({ total_tokens: 9, prompt_tokens: 1 })).toBe(9);
    expect(totalTokens({ prompt_tokens: 3, completion_tokens: 4 })).toBe(7);
    expect(totalTokens({})).toBeUndefined();
  });

  it('says how long ago, then the date', () => {
    const now = Date.parse('2026-01-02T12:00:00Z');
    expect(
      ['2026-01-02T11:59:58Z', '2026-01-02T11:59:00Z', '2026-01-02T11:30:00Z', '2026-01-02T07:00:00Z'].map((t) =>
        formatAgo(t, now),
      ),
    ).toEqual(['now', '1m ago', '30m ago', '5h ago']);
  });
});
