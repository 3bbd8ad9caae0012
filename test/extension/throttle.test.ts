import { describe, expect, it } from 'vitest';
import { Throttle, type Clock } from '../../src/extension/throttle';

/** A clock the test moves by hand: timers fire when `advance` passes their time. */
class ManualClock implements Clock {
  time = 1000;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  now = () => this.time;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, fn, id });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.timers = this.timers.filter((t) => t.id !== id);
  };
  advance(ms: number) {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.fn();
    }
    this.time = end;
  }
}

describe('Throttle', () => {
  it('runs the first request on the next tick', () => {
    const clock = new ManualClock();
    let runs = 0;
    const t = new Throttle(() => runs++, 100, clock);
    t.schedule();
    expect(runs).toBe(0);
    clock.advance(0);
    expect(runs).toBe(1);
  });

  it('coalesces a burst into one run per interval', () => {
    const clock = new ManualClock();
    const runsAt: number[] = [];
    const t = new Throttle(() => runsAt.push(clock.now()), 100, clock);
    for (let ms = 0; ms < 1000; ms += 5) {
      t.schedule();
      clock.advance(5);
    }
    clock.advance(200);
    expect(runsAt.length).toBeLessThanOrEqual(11);
    expect(runsAt.length).toBeGreaterThanOrEqual(10);
    for (let i = 1; i < runsAt.length; i++) expect(runsAt[i] - runsAt[i - 1]).toBeGreaterThanOrEqual(100);
    // The last request is never lost.
    expect(runsAt[runsAt.length - 1]).toBeGreaterThanOrEqual(1000 + 995);
  });

  it('runs nothing after dispose, and flush runs a pending request now', () => {
    const clock = new ManualClock();
    let runs = 0;
    const t = new Throttle(() => runs++, 100, clock);
    t.schedule();
    t.flush();
    expect(runs).toBe(1);
    t.schedule();
    t.dispose();
    clock.advance(500);
    t.schedule();
    clock.advance(500);
    expect(runs).toBe(1);
  });
});
