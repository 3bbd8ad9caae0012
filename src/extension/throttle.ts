// Spans arrive by the thousand per second; views must not redraw that often. A Throttle runs
// its task at most once per interval: the first request after a quiet period runs on the next
// tick (so one change shows at once, and a burst in the same tick is one run), later ones
// coalesce into one run at the end of the interval.

import type { DisposableLike } from './lifecycle';

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class Throttle implements DisposableLike {
  private timer: unknown;
  private lastRun = -Infinity;
  private disposed = false;

  constructor(
    private readonly task: () => void,
    private readonly intervalMs: number,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Asks for a run; returns at once. */
  schedule(): void {
    if (this.disposed || this.timer !== undefined) return;
    const wait = Math.max(0, this.lastRun + this.intervalMs - this.clock.now());
    this.timer = this.clock.setTimeout(() => this.run(), wait);
  }

  /** Runs now if a run is pending (e.g. before the view goes away). */
  flush(): void {
    if (this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.run();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private run(): void {
    this.timer = undefined;
    if (this.disposed) return;
    this.lastRun = this.clock.now();
    this.task();
  }
}
