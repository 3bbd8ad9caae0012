import { describe, expect, it } from 'vitest';
import { isolatedPoints } from '../../webview/monitor/chartData';

describe('dots on a monitor line', () => {
  it('marks only the values a line can not draw: those with no value on either side', () => {
    expect(isolatedPoints([null, 3, null, 1, 2, null, 0])).toEqual([1, 6]);
    expect(isolatedPoints([0, 0, 0, 0])).toEqual([]);
    expect(isolatedPoints([5])).toEqual([0]);
    expect(isolatedPoints([])).toEqual([]);
  });
});
