// The trace store: in memory for readers, the summaries of every trace; on disk, a log of
// what arrived (docs/store.md). This class wires the parts together and is what the rest of
// Spanscope talks to (TraceStoreApi):
//
// - applyPipeline.ts: `apply` — synchronous and cheap: patches merge into the traces they
//   touch, one log entry per apply (the request body itself when it can), summaries and
//   search texts into the index (traceIndex.ts), a change for listeners; the files follow
//   within flushIntervalMs (flushScheduler.ts);
// - workingSet.ts: which traces stay in memory to take patches;
// - recallCoordinator.ts: updates that name a span by id alone, for a trace not in memory;
// - traceReads.ts: whole traces replayed from the log, the last few kept;
// - traceRemoval.ts: deletions and retention by count (by size: retention.ts, at flushes);
// - damageRecovery.ts: a read that does not find a pack as the index says.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Patch, TraceDetail, TraceSummary } from '../core/model/model';
import { ApplyPipeline } from './applyPipeline';
import { ArrivalOrder } from './arrivalOrder';
import { DamageRecovery } from './damageRecovery';
import { EntryCache } from './entryCache';
import { FlushScheduler } from './flushScheduler';
import { HeldUpdates } from './heldUpdates';
import { loadIndex } from './indexFiles';
import { PackLog } from './packLog';
import { ReadCache } from './readCache';
import { RecallCoordinator } from './recallCoordinator';
import { RetentionBySize } from './retention';
import { loadHeld, saveHeld } from './spanRecall';
import { acquireStoreLock } from './storeLock';
import type { WriteState } from './storeWriter';
import { TraceIndex } from './traceIndex';
import { TraceReads } from './traceReads';
import { TraceRemoval } from './traceRemoval';
import {
  type PatchSource,
  type ProjectSummary,
  type StoreChange,
  type StoreHealth,
  type StoreOptions,
  StoreWriteError,
  type TraceQuery,
  type TraceStoreApi,
} from './types';
import { WorkingSet } from './workingSet';
import { WriteHealth } from './writeHealth';

// Size is the limit that matters (a disk fills by bytes); the count is a backstop, well
// above one eval run's worth of traces.
export const STORE_DEFAULTS = { maxTraces: 100_000, maxBytes: 500 * 1024 * 1024, flushIntervalMs: 200 };
/** Traces kept in memory to take patches: by count, and by spans summed over them (a Map entry each). */
const CACHE_TRACES = 2000;
const CACHE_SPANS = 200_000;
/** Flushes `close` tries after one failed, with backoff, before it reports what is lost. */
const CLOSE_RETRIES = 4;
/** Patches waiting for a span or trace that has not arrived yet. */
const PENDING_MAX = 20_000;

export async function openStore(options: StoreOptions): Promise<TraceStore> {
  mkdirSync(options.dir, { recursive: true });
  const release = acquireStoreLock(options.dir);
  try {
    const store = new TraceStore(options, release);
    await store.load();
    return store;
  } catch (err) {
    release();
    throw err;
  }
}

export class TraceStore implements TraceStoreApi {
  readonly dir: string;
  private readonly indexDir: string;
  private maxTraces: number;
  private maxBytes: number;
  private readonly warn: (message: string) => void;

  private readonly index = new TraceIndex();
  /** Every trace in the order it arrived: what retention drops first (arrivalOrder.ts). */
  private readonly arrivals = new ArrivalOrder();
  private readonly log: PackLog;
  private readonly reader: EntryCache;
  /** The last traces read whole, as `getTrace` returned them (dropped when they change). */
  private readonly reads = new ReadCache();
  private readonly pending: HeldUpdates;
  private readonly listeners = new Set<(change: StoreChange) => void>();
  /** Whether writes work; what is acknowledged and not on disk yet (writeHealth.ts). */
  private readonly writes: WriteHealth;
  /** The seq of the next log entry. */
  private seq = 1;
  private readonly written: WriteState = { covered: [0, 0] };
  private closing?: Promise<void>;

  private readonly working: WorkingSet;
  private readonly removal: TraceRemoval;
  private readonly recovery: DamageRecovery;
  private readonly recall: RecallCoordinator;
  private readonly traces: TraceReads;
  private readonly applier: ApplyPipeline;
  private readonly flusher: FlushScheduler;

  constructor(
    options: StoreOptions,
    private readonly releaseLock: () => void,
  ) {
    this.dir = options.dir;
    this.indexDir = join(options.dir, 'index');
    this.log = new PackLog(join(options.dir, 'packs'));
    this.reader = new EntryCache(this.log);
    this.maxTraces = options.maxTraces ?? STORE_DEFAULTS.maxTraces;
    this.maxBytes = options.maxBytes ?? STORE_DEFAULTS.maxBytes;
    const warn = options.warn ?? ((m) => console.warn(m));
    this.writes = new WriteHealth(warn);
    // Every other warning is damage found or repaired: /api/health shows the latest.
    this.warn = (m) => {
      this.writes.problem(m);
      warn(m);
    };
    this.pending = new HeldUpdates(PENDING_MAX, this.warn);
    const { log, index, arrivals, reads, pending, writes } = this;
    const takeSeq = () => this.seq++;
    const scheduleFlush = () => this.flusher.schedule();
    const emit = (change: StoreChange) => this.emit(change);
    const damaged = (packs: number[], readers?: string[]) => this.damaged(packs, readers);
    const working = (this.working = new WorkingSet(
      { traces: options.memory?.traces ?? CACHE_TRACES, spans: options.memory?.spans ?? CACHE_SPANS },
      reads,
    ));
    const removal = (this.removal = new TraceRemoval(
      { log, index, arrivals, working, takeSeq, scheduleFlush },
      () => this.maxTraces,
    ));
    const forget = (id: string) => removal.forget(id);
    this.recovery = new DamageRecovery({ log, index, unload: (id) => working.unload(id), forget, warn: this.warn });
    this.recall = new RecallCoordinator({
      log,
      pending,
      stopped: () => this.closing !== undefined,
      release: () => this.applier.releaseRecalled(),
      warn: this.warn,
      maxSearched: PENDING_MAX * 2,
    });
    this.traces = new TraceReads({
      log,
      index,
      reader: this.reader,
      reads,
      working,
      damaged,
      busy: () => this.flusher.busy,
    });
    this.applier = new ApplyPipeline({
      log,
      index,
      arrivals,
      working,
      pending,
      recall: this.recall,
      reads,
      writes,
      reader: this.reader,
      takeSeq,
      damaged,
      scheduleFlush,
      emit,
      touched: (id) => this.flusher.touch(id),
      readBack: (id) => this.traces.readBack(id),
      retainByCount: (keep) => removal.retainByCount(keep),
      listening: () => this.listeners.size > 0,
    });
    this.flusher = new FlushScheduler(
      {
        log,
        index,
        working,
        writes,
        damaged,
        emit,
        warn: this.warn,
        indexDir: this.indexDir,
        written: this.written,
        bySize: new RetentionBySize(log, index, forget, (id) => working.unload(id)),
        covered: () => [this.seq - 1, log.openId],
        retainByCount: () => removal.retainByCount(),
        running: (id, nowMs) => arrivals.running(id, nowMs),
        maxBytes: () => this.maxBytes,
      },
      options.flushIntervalMs ?? STORE_DEFAULTS.flushIntervalMs,
    );
  }

  /** Reads the index (recovering what it can) and applies retention. */
  async load(): Promise<void> {
    mkdirSync(this.log.dir, { recursive: true });
    mkdirSync(this.indexDir, { recursive: true });
    const { nextSeq, covered } = await loadIndex(this.index, this.log, this.reader, this.dir, this.warn);
    this.seq = nextSeq;
    this.written.covered = covered;
    this.arrivals.load(this.index.byArrival());
    await loadHeld(this.dir, this.pending, this.warn);
    this.removal.retainByCount();
    await this.flush(); // writes what recovery changed and deletes packs nothing points at
    this.recall.start();
  }

  /** Settles when the search of the packs for spans that updates wait for is done (tests wait for it). */
  get recalled(): Promise<void> {
    return this.recall.done;
  }

  /** Counts of costly steps, for tests that prove a cost is O(batch) (no timed assertions). */
  get stats(): { tracesReadBack: number } {
    return this.applier.stats;
  }

  // ---- writing ---------------------------------------------------------------------------

  apply(patches: Patch[], source?: PatchSource): void {
    if (this.closing) throw new Error('the trace store is closed');
    this.applier.apply(patches, source);
  }

  /** The trace of a span named by id alone: in memory, or found in the packs earlier. */
  findSpanTrace(spanId: string): string | undefined {
    return this.applier.findSpan(spanId);
  }

  deleteTraces(traceIds: string[]): void {
    const removed = traceIds.filter((id) => this.removal.forget(id));
    if (removed.length === 0) return;
    this.flusher.schedule();
    this.emit({ traces: [], removed, spans: new Map() });
  }

  clear(project?: string): void {
    const ids = [...this.index.entries.values()]
      .filter((e) => project === undefined || e.summary.project_name === project)
      .map((e) => e.summary.id);
    this.deleteTraces(ids);
  }

  /** New retention limits (undefined: the default); traces over the count go at once, by size with the next flush. */
  setRetention(limits: { maxTraces?: number; maxBytes?: number }): void {
    this.maxTraces = limits.maxTraces ?? STORE_DEFAULTS.maxTraces;
    this.maxBytes = limits.maxBytes ?? STORE_DEFAULTS.maxBytes;
    const removed = this.removal.retainByCount();
    this.flusher.schedule();
    if (removed.length) this.emit({ traces: [], removed, spans: new Map() });
  }

  /**
   * Packs a read did not find as the index says: judged by their own bytes and repaired
   * (damageRecovery.ts). `readers`: the traces being read, when known.
   */
  private damaged(packs: number[], readers?: string[]): void {
    const removed = this.recovery.recover(packs, readers);
    this.reader.clear();
    this.flusher.schedule();
    if (removed.length) this.emit({ traces: [], removed, spans: new Map() });
  }

  // ---- reading ---------------------------------------------------------------------------

  listTraces(query?: TraceQuery): TraceSummary[] {
    return this.index.list(query);
  }

  *summaries(): Iterable<TraceSummary> {
    for (const entry of this.index.entries.values()) yield entry.summary;
  }

  getSummary(traceId: string): TraceSummary | undefined {
    return this.index.get(traceId)?.summary;
  }

  /** Kept in the index with the summary (searchText.ts), so a deleted or retained-away trace takes it along. */
  searchText(traceId: string): string | undefined {
    return this.index.get(traceId)?.search;
  }

  getTrace(traceId: string): Promise<TraceDetail | undefined> {
    return this.traces.getTrace(traceId);
  }

  /** getTrace as JSON: serialised once while the trace is kept unchanged (readCache.ts). */
  getTraceJson(traceId: string): Promise<Buffer | undefined> {
    return this.traces.getTraceJson(traceId);
  }

  listProjects(): ProjectSummary[] {
    return this.index.projects();
  }

  onChange(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: StoreChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err) {
        this.warn(`Spanscope: a store listener failed: ${(err as Error).message}`);
      }
    }
  }

  // ---- disk --------------------------------------------------------------------------------

  flush(): Promise<void> {
    return this.flusher.flush();
  }

  health(): StoreHealth {
    return this.writes.health();
  }

  onHealthChange(listener: (health: StoreHealth) => void): () => void {
    return this.writes.onChange(listener);
  }

  /**
   * Writes what is left, retrying a failing write a few times; rejects with StoreWriteError
   * saying how many acknowledged records are lost when it still can not (the caller exits
   * non-zero). Releases the lock either way.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.recall.done;
        await this.flusher.flushUntilWritten(CLOSE_RETRIES);
        const health = this.writes.health();
        if (health.status === 'degraded' && health.unwritten > 0) {
          throw new StoreWriteError(
            `${health.unwritten} acknowledged record(s) could not be written to ${this.dir} (${health.reason}) and are lost`,
            0,
            health.unwritten,
          );
        }
        await saveHeld(this.dir, this.pending);
      } finally {
        this.flusher.stop();
        this.listeners.clear();
        this.releaseLock();
      }
    })();
    return this.closing;
  }
}
