// Taking traces out of the store: a deletion (asked for, or retention's), and retention by
// count. A deleted trace's events stay in their packs until the packs go whole, so its
// deletion is logged too, and the index keeps a tombstone while other packs hold its events:
// a rebuild of the index from the packs finds the one, a rebuild of only the packs after
// `covered` relies on the other (docs/store.md, "Deleting and retention").

import { nowIso } from '../core/model/time';
import type { ArrivalOrder } from './arrivalOrder';
import { encodeDeletion } from './logEntry';
import type { PackLog } from './packLog';
import type { TraceIndex } from './traceIndex';
import type { WorkingSet } from './workingSet';

export interface RemovalDeps {
  log: PackLog;
  index: TraceIndex;
  arrivals: ArrivalOrder;
  working: WorkingSet;
  /** The seq of the next log entry, taken. */
  takeSeq(): number;
  scheduleFlush(): void;
}

export class TraceRemoval {
  constructor(
    private readonly deps: RemovalDeps,
    /** The most traces kept (retention by count), read at each use: it changes while open. */
    private readonly maxTraces: () => number,
  ) {}

  /** Removes a trace; false when unknown (to the index and to memory). */
  forget(id: string): boolean {
    const { log, index } = this.deps;
    this.deps.arrivals.remove(id);
    const entry = index.remove(id);
    const inMemory = this.deps.working.unload(id);
    if (!entry) return inMemory;
    const packs = [...new Set(entry.extents.map(([pack]) => pack))];
    const seq = this.deps.takeSeq();
    const loc = log.append(encodeDeletion({ seq, at: nowIso(), traces: [id] }));
    // Events in the deletion's own pack go with it: only the other packs need it kept.
    if (
      index.tombstone(
        id,
        seq,
        packs.filter((p) => p !== loc.pack),
        entry.segment,
        loc.pack,
      )
    )
      log.noteTomb(loc.pack, id);
    for (const pack of packs) log.releaseTrace(pack, id);
    this.deps.scheduleFlush();
    return true;
  }

  /**
   * Beyond the count, the traces that arrived longest ago go, never one still running
   * (arrivalOrder.ts); `keep` (an apply's own traces) are spared. Returns those removed.
   */
  retainByCount(keep?: ReadonlyMap<string, unknown>): string[] {
    const { index, arrivals } = this.deps;
    const max = this.maxTraces();
    if (index.size <= max) return [];
    const removed: string[] = [];
    const now = Date.now();
    const spared = keep && ((id: string) => keep.has(id));
    while (index.size > max) {
      const id = arrivals.oldestDroppable(now, spared);
      if (id === undefined) break; // every one is running: they go once they are not
      if (this.forget(id)) removed.push(id);
      else arrivals.remove(id);
    }
    return removed;
  }
}
