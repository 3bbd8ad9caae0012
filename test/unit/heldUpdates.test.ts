import { describe, expect, it } from 'vitest';
import { HeldUpdates, SpanIndex } from '../../src/store/heldUpdates';

describe('the span index', () => {
  it('forgets the oldest spans, a tenth at a time, past its bound', () => {
    const index = new SpanIndex(100);
    for (let i = 0; i <= 100; i++) index.set(`s${i}`, `t${i}`);
    expect(index.get('s0')).toBeUndefined();
    expect(index.get('s9')).toBeUndefined();
    expect(index.get('s10')).toBe('t10');
    expect(index.get('s100')).toBe('t100');
  });
});

describe('held updates', () => {
  it('hands out what waited for a key once, in arrival order', () => {
    const held = new HeldUpdates(10, () => {});
    const a = { kind: 'span' as const, span: { id: 's', output: 1 } };
    const b = { kind: 'span' as const, span: { id: 's', output: 2 } };
    held.hold('span:s', a);
    held.hold('span:s', b);
    expect(held.take('span:s')).toEqual([a, b]);
    expect(held.take('span:s')).toBeUndefined();
  });
});
