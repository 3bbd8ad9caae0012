import { describe, expect, it } from 'vitest';
import { HeldUpdates, SpanIndex } from '../../src/store/heldUpdates';

describe('the span index', () => {
  it('keeps at least the newest half of its bound and forgets older spans', () => {
    const index = new SpanIndex(100);
    for (let i = 0; i <= 100; i++) index.set(`s${i}`, `t${i}`);
    expect(index.get('s0')).toBeUndefined();
    expect(index.get('s49')).toBeUndefined();
    expect(index.get('s50')).toBe('t50');
    expect(index.get('s100')).toBe('t100');
  });

  it('answers with the newest trace of a span set twice, and forgets a deleted span in every generation', () => {
    const index = new SpanIndex(10);
    index.set('a', 't1');
    for (let i = 0; i < 5; i++) index.set(`x${i}`, 't'); // 'a' moves to the older generation
    index.set('a', 't2');
    expect(index.get('a')).toBe('t2');
    index.delete('a');
    expect(index.get('a')).toBeUndefined();
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
