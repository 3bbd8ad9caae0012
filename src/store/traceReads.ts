// Reading whole traces: a trace is replayed from its entries in the log (traceReplay.ts),
// where the index says they are; the last few read are kept as the replay made them
// (readCache.ts) until they change. Where the packs are not as the index says, they are
// judged and repaired (damageRecovery.ts) and the trace read once more: what that read finds
// is what the trace is, so a repair that did not help can never loop.

import type { TraceDetail } from '../core/model/model';
import type { EntryCache } from './entryCache';
import type { LoadedTrace } from './loadedTrace';
import type { PackLog } from './packLog';
import type { ReadCache } from './readCache';
import type { Extent, TraceIndex } from './traceIndex';
import { type Replayed, readExtents, readExtentsSync, replayTrace } from './traceReplay';
import type { WorkingSet } from './workingSet';

export interface ReadDeps {
  log: PackLog;
  index: TraceIndex;
  reader: EntryCache;
  reads: ReadCache;
  working: WorkingSet;
  /** Packs a read did not find as the index says; `readers`: the traces read. */
  damaged(packs: number[], readers: string[]): void;
  /** Traces changed since the running flush began: not to leave memory yet. */
  busy(): ReadonlySet<string>;
}

export class TraceReads {
  constructor(private readonly deps: ReadDeps) {}

  /** A trace replayed from the log, blocking (an apply's read-back); undefined when nothing of it can be read. */
  readBack(id: string): LoadedTrace | undefined {
    const replayed = this.replayOnce(id);
    if (!replayed.damaged.length) return replayed.trace;
    this.deps.damaged(replayed.damaged, [id]);
    return this.replayOnce(id).trace;
  }

  async getTrace(traceId: string): Promise<TraceDetail | undefined> {
    const { log, index, reads, working } = this.deps;
    const entry = index.get(traceId);
    if (!entry) return undefined;
    const kept = reads.get(traceId);
    if (kept) return kept;
    // Read without blocking, then replay at once from what the index says now: what arrived
    // meanwhile (new entries, moved ones) is read where it is, mostly from memory. The extents
    // are copied: an apply meanwhile grows the last one in place (traceIndex.ts addExtent), and
    // the bytes read before it must not stand for the grown one.
    const before = entry.extents.map((e) => [...e] as Extent);
    const prefetched = await readExtents(log, before);
    const extents = index.get(traceId)?.extents;
    if (!extents) return undefined;
    const bytes = extents.map((e) => {
      const i = before.findIndex((b) => b[0] === e[0] && b[1] === e[1] && b[2] === e[2]);
      return i >= 0 ? prefetched[i] : log.readSync(e[0], e[1], e[2]);
    });
    let replayed = replayTrace(traceId, extents, bytes, this.deps.reader);
    if (replayed.damaged.length) {
      this.deps.damaged(replayed.damaged, [traceId]);
      replayed = this.replayOnce(traceId); // once: see the top of this file
    }
    if (!replayed.trace) return undefined;
    if (!working.has(traceId)) {
      working.remember(replayed.trace); // updates to what a person looks at come next (scores)
      working.evict(undefined, this.deps.busy());
    }
    // Kept from here on: anything that changes the trace later drops it (commit, unload).
    return reads.put(traceId, replayed.trace.detail(replayed.records.values()), replayed.bytes);
  }

  /** getTrace as JSON: serialised once while the trace is kept unchanged (readCache.ts). */
  async getTraceJson(traceId: string): Promise<Buffer | undefined> {
    const kept = this.deps.reads.json(traceId);
    if (kept) return kept;
    const detail = await this.getTrace(traceId);
    if (!detail) return undefined;
    return this.deps.reads.json(traceId) ?? Buffer.from(JSON.stringify(detail));
  }

  private replayOnce(id: string): Replayed {
    const extents = this.deps.index.get(id)?.extents;
    if (!extents) return { records: new Map(), damaged: [], bytes: 0 };
    return replayTrace(id, extents, readExtentsSync(this.deps.log, extents), this.deps.reader);
  }
}
