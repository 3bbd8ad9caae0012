// How many traces are stored and how many are running, for the status bar. Running traces are
// the ones seen running during this session: a trace left "running" by a script killed last
// week is not news, and one whose script went silent for long stops counting.

import type { StoreChange, TraceStoreApi } from '../store/types';

const SILENT_AFTER_MS = 10 * 60_000;

export class TraceCounter {
  private readonly running = new Map<string, number>();

  constructor(
    private readonly store: TraceStoreApi,
    private readonly now: () => number = Date.now,
  ) {}

  apply(change: Pick<StoreChange, 'traces' | 'removed'>): void {
    const t = this.now();
    for (const s of change.traces) {
      if (s.status === 'running') this.running.set(s.id, t);
      else this.running.delete(s.id);
    }
    for (const id of change.removed) this.running.delete(id);
  }

  counts(): { traces: number; running: number } {
    const cutoff = this.now() - SILENT_AFTER_MS;
    for (const [id, seen] of this.running) if (seen < cutoff) this.running.delete(id);
    let traces = 0;
    for (const p of this.store.listProjects()) traces += p.trace_count;
    return { traces, running: this.running.size };
  }
}
