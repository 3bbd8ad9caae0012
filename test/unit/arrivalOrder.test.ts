import { describe, expect, it } from 'vitest';
import { ACTIVE_MS, ArrivalOrder } from '../../src/store/arrivalOrder';

/** Drops the oldest droppable until none is left or `count` went; returns them. */
function drop(order: ArrivalOrder, now: number, count = Infinity, spared?: (id: string) => boolean): string[] {
  const out: string[] = [];
  while (out.length < count) {
    const id = order.oldestDroppable(now, spared);
    if (id === undefined) break;
    order.remove(id);
    out.push(id);
  }
  return out;
}

describe('arrival order (retention by count)', () => {
  it('drops by arrival, whatever else happened to a trace since', () => {
    const order = new ArrivalOrder();
    order.load(['a', 'b']);
    order.touch('c', false, 1000);
    order.touch('a', false, 1001); // an update does not move it
    expect(drop(order, 2000)).toEqual(['a', 'b', 'c']);
  });

  it('never drops a running trace that received data within a minute, and drops it once that minute passed', () => {
    const order = new ArrivalOrder();
    order.touch('long', true, 0);
    for (let i = 0; i < 5; i++) order.touch(`t${i}`, false, 10);
    expect(drop(order, 20, 2)).toEqual(['t0', 't1']);
    order.touch('long', true, 30_000); // still receiving
    expect(drop(order, 40_000, 1)).toEqual(['t2']);
    expect(drop(order, 30_000 + ACTIVE_MS, 1)).toEqual(['long']); // quiet for a minute
  });

  it('a running trace that finishes is droppable at once, though the walk had stepped past it', () => {
    const order = new ArrivalOrder();
    order.touch('r', true, 0);
    order.touch('x', false, 0);
    expect(drop(order, 10, 1)).toEqual(['x']);
    expect(order.oldestDroppable(10)).toBeUndefined();
    order.touch('y', false, 10);
    order.touch('r', false, 20);
    expect(drop(order, 30)).toEqual(['r', 'y']);
  });

  it('spares what it is told to for one walk only', () => {
    const order = new ArrivalOrder();
    order.touch('a', false, 0);
    order.touch('b', false, 0);
    expect(order.oldestDroppable(1, (id) => id === 'a')).toBe('b');
    expect(order.oldestDroppable(2)).toBe('a');
  });

  it('steps over the running traces at the old end once, not once per drop', () => {
    const order = new ArrivalOrder();
    for (let i = 0; i < 1000; i++) order.touch(`run${i}`, true, 0);
    for (let i = 0; i < 1000; i++) {
      order.touch(`t${i}`, false, 1);
      expect(order.oldestDroppable(2)).toBe(`t${i}`);
      order.remove(`t${i}`);
    }
    expect(order.visits).toBe(2000); // each running trace looked at once, each dropped one once (not 1000 × 1000)
  });
});
