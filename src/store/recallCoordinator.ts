// Updates that name a span by id alone, for a trace no longer in memory, wait (heldUpdates.ts)
// while the newest packs are searched for the span in the background (spanRecall.ts); the
// spans found are remembered here, and the updates waiting for them land. One search at a
// time, after the apply that held the update, and each id searched for once (within a bound):
// an update for a span that never arrives does not make every later apply search again.

import type { HeldUpdates } from './heldUpdates';
import { SpanIndex } from './heldUpdates';
import type { PackLog } from './packLog';
import { findSpans } from './spanRecall';

/** Span ids remembered from searches (the newest kept). */
const RECALLED_SPANS = 100_000;

export interface RecallDeps {
  log: PackLog;
  pending: HeldUpdates;
  /** The store is closing: no search starts, one under way stops. */
  stopped(): boolean;
  /** Spans were found: the updates waiting for them can land. */
  release(): void;
  warn(message: string): void;
  /** Ids searched for before the record of them is cleared (at worst an id is searched again). */
  maxSearched: number;
}

export class RecallCoordinator {
  /** Span id → the trace it was found in, and the seq of that entry (see traceOf). */
  private readonly recalled = new SpanIndex<{ traceId: string; seq: number }>(RECALLED_SPANS);
  private readonly searched = new Set<string>();
  private searching = false;
  private search?: Promise<void>;

  constructor(private readonly deps: RecallDeps) {}

  /**
   * The trace a search found a span in, if one did and that trace is still the one that had
   * it: the packs keep a deleted trace's events, and a trace deleted and sent again (the same
   * id) must not take updates for spans of the one before. `arrivedAt`: the seq the trace now
   * in the store arrived with (undefined: unknown, or no such trace).
   */
  traceOf(spanId: string, arrivedAt: (traceId: string) => number | undefined | null): string | undefined {
    const found = this.recalled.get(spanId);
    if (!found) return undefined;
    const arrived = arrivedAt(found.traceId);
    return arrived === null || (arrived !== undefined && arrived > found.seq) ? undefined : found.traceId;
  }

  /** An update waits for `spanId`: it is searched for unless it was already. */
  wanted(spanId: string): void {
    if (!this.searched.has(spanId)) this.start();
  }

  /** Settles when the search under way is done (close and tests wait for it). */
  get done(): Promise<void> {
    return this.search ?? Promise.resolve();
  }

  /** Searches for every span held updates wait for and that was not searched for yet. */
  start(): void {
    if (this.deps.stopped() || this.searching) return;
    this.searching = true;
    this.search = (async () => {
      await new Promise((resolve) => setImmediate(resolve)); // after the apply that held them
      for (;;) {
        const wanted = new Set(this.deps.pending.spanIds().filter((id) => !this.searched.has(id)));
        if (wanted.size === 0 || this.deps.stopped()) return;
        if (this.searched.size > this.deps.maxSearched) this.searched.clear();
        for (const id of wanted) this.searched.add(id);
        await findSpans(
          this.deps.log,
          wanted,
          (spanId, traceId, seq) => this.recalled.set(spanId, { traceId, seq }),
          () => this.deps.stopped(),
        );
        if (!this.deps.stopped()) this.deps.release();
      }
    })()
      .catch((err) => this.deps.warn(`Spanscope: searching the store for span ids failed: ${(err as Error).message}`))
      .finally(() => (this.searching = false));
  }
}
