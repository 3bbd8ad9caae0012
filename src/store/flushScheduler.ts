// When and how the store's memory reaches its files. An apply schedules a flush within the
// flush interval; flushes run one after another (a chain), each: retention by count for
// traces that stopped running, retention by size, then packs and index segments written in
// the order that survives a crash (storeWriter.ts), then traces out of memory. A flush that
// fails is tried again with backoff (writeHealth.ts says why meanwhile); `flushUntilWritten`
// is close's last tries.

import { DamagedPackError } from './entryCache';
import type { PackLog } from './packLog';
import type { RetentionBySize } from './retention';
import { type WriteState, writeInOrder } from './storeWriter';
import type { Covered, TraceIndex } from './traceIndex';
import type { StoreChange } from './types';
import type { WorkingSet } from './workingSet';
import type { WriteHealth } from './writeHealth';

export interface FlushDeps {
  log: PackLog;
  index: TraceIndex;
  working: WorkingSet;
  writes: WriteHealth;
  bySize: RetentionBySize;
  indexDir: string;
  /** Where the previous complete flush left the log. */
  written: WriteState;
  /** How far the log is now: every entry up to it is in the packs a flush takes now. */
  covered(): Covered;
  /** Retention by count; returns the traces removed. */
  retainByCount(): string[];
  /** Whether a trace is still running (arrivalOrder.ts): retention by size spares it. */
  running(id: string, nowMs: number): boolean;
  maxBytes(): number;
  /** Packs a read did not find as the index says (damageRecovery.ts). */
  damaged(packs: number[]): void;
  emit(change: StoreChange): void;
  warn(message: string): void;
}

export class FlushScheduler {
  private timer?: ReturnType<typeof setTimeout>;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Traces changed since the last flush began: retention by size moves them forward rather than deleting them. */
  private touched = new Set<string>();

  constructor(
    private readonly deps: FlushDeps,
    private readonly intervalMs: number,
  ) {}

  /** A trace changed (an apply committed it). */
  touch(id: string): void {
    this.touched.add(id);
  }

  /** Traces changed since the running flush began: not to leave memory yet. */
  get busy(): ReadonlySet<string> {
    return this.touched;
  }

  /** A flush within `delayMs` (the interval), unless one is due already. */
  schedule(delayMs = this.intervalMs): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => void this.flush(), delayMs);
    this.timer.unref?.();
  }

  /** Flushes now (after the flush under way); settles when done, failed or not (writeHealth.ts has the outcome). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const { writes } = this.deps;
    this.chain = this.chain
      .then(() => this.write())
      .then(
        () => writes.writeSucceeded(),
        (err) => {
          writes.writeFailed(err);
          this.schedule(writes.retryDelayMs); // what failed is tried again, with backoff
        },
      );
    return this.chain;
  }

  /** Close's flush: a failing write is tried `retries` more times, with backoff. No flush is scheduled after. */
  async flushUntilWritten(retries: number): Promise<void> {
    this.stop();
    await this.flush();
    for (let i = 0; i < retries && this.deps.writes.degraded; i++) {
      await new Promise((resolve) => setTimeout(resolve, this.deps.writes.retryDelayMs));
      await this.flush();
    }
    this.stop(); // a failed write above scheduled nothing, but be sure no timer outlives close
  }

  /** No flush is scheduled from now on; `flush` still writes. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async write(): Promise<void> {
    const { log, index, working } = this.deps;
    this.deps.writes.writeStarted();
    const touched = this.touched;
    this.touched = new Set();
    // Removals are told as they happen: retention by size awaits reads, and a trace sent again
    // meanwhile must not be reported gone after it arrived.
    this.removed(this.deps.retainByCount()); // traces that stopped running since the limit was reached
    await this.retainBySize(touched);
    log.dropDeadOpen();
    index.pruneTombstones(
      (pack) => log.has(pack),
      (id, tomb) => tomb.logPack !== undefined && log.releaseTomb(tomb.logPack, id),
    );
    const kept = await writeInOrder(log, index, this.deps.written, this.deps.covered(), this.deps.indexDir);
    if (kept.length)
      this.deps.warn(
        `Spanscope: could not remove ${kept.length} pack(s) nothing points at any more (tried again at the next start): ${kept.join('; ')}`,
      );
    // Never out of memory: a trace written to since the flush before this one, nor since this
    // one began (a huge trace still receiving spans was otherwise read back whole per batch).
    working.evict(touched, this.touched);
  }

  private removed(ids: string[]): void {
    if (ids.length) this.deps.emit({ traces: [], removed: ids, spans: new Map() });
  }

  private async retainBySize(current: Set<string>): Promise<void> {
    const now = Date.now();
    const spared = (id: string) => current.has(id) || this.deps.running(id, now);
    // Each repair settles its pack (reindexed, or set aside), so a pack fails once at most:
    // the tries are bounded by the packs there are.
    for (let tries = this.deps.log.livePacks().length; ; tries--) {
      try {
        return await this.deps.bySize.enforce(this.deps.maxBytes(), spared, (ids) => this.removed(ids));
      } catch (err) {
        if (!(err instanceof DamagedPackError) || tries <= 0) throw err;
        this.deps.damaged([err.pack]);
      }
    }
  }
}
