// The trace store: in memory for readers, the summaries of every trace; on disk, a log of
// what arrived (docs/store.md). `apply` is synchronous and cheap: it merges patches into the
// traces they touch (held lean in memory, see loadedTrace.ts), updates their summaries from
// running totals (and their search texts, searchText.ts), appends one entry to the log — the
// request body itself when it can — and tells listeners; the files follow within
// flushIntervalMs. Reading a whole trace replays its entries (traceReplay.ts); the last few
// traces read are kept until they change (readCache.ts).
//
// Over 400 lines, knowingly: the split of this file by idea (a per-apply context, the working
// set, the recall coordinator) is issue 18 item 3; the trust work (issue 13) moved out what it
// added where it could (writeHealth.ts, arrivalOrder.ts, packSalvage.ts, segmentFile.ts).

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Patch, ScorePatch, SpanPatch, SpanRecord, TraceDetail, TraceSummary } from '../core/model/model';
import { nowIso } from '../core/model/time';
import { Batch, LazySpans } from './applyBatch';
import { ArrivalOrder } from './arrivalOrder';
import { DamageRecovery } from './damageRecovery';
import { EntryCache, DamagedPackError } from './entryCache';
import { HeldUpdates, SpanIndex } from './heldUpdates';
import { loadIndex } from './indexFiles';
import { LoadedTrace } from './loadedTrace';
import { encodeDeletion, encodeEntry, patchesJson } from './logEntry';
import { PackLog } from './packLog';
import { ReadCache } from './readCache';
import { RetentionBySize } from './retention';
import { findSpans, loadHeld, saveHeld } from './spanRecall';
import { acquireStoreLock } from './storeLock';
import { type WriteState, writeInOrder } from './storeWriter';
import { TraceIndex } from './traceIndex';
import { type Replayed, readExtents, readExtentsSync, replayTrace } from './traceReplay';
import { type PatchSource, type ProjectSummary, type StoreChange, type StoreHealth, type StoreOptions, StoreWriteError, type TraceQuery, type TraceStoreApi } from './types';
import { WriteHealth } from './writeHealth';

// Size is the limit that matters (a disk fills by bytes); the count is a backstop, well
// above one eval run's worth of traces.
export const STORE_DEFAULTS = { maxTraces: 100_000, maxBytes: 500 * 1024 * 1024, flushIntervalMs: 200 };
/** Traces kept in memory to take patches: by count, and by spans summed over them (a Map entry each). */
const CACHE_TRACES = 2000;
const CACHE_SPANS = 200_000;
/** Finished traces kept in memory besides those changed since (see settleMemory). */
const KEEP_FINISHED = 8;
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
  private readonly flushIntervalMs: number;
  private readonly warn: (message: string) => void;

  private readonly index = new TraceIndex();
  /** Every trace in the order it arrived: what retention drops first (arrivalOrder.ts). */
  private readonly arrivals = new ArrivalOrder();
  private readonly log: PackLog;
  private readonly reader: EntryCache;
  private readonly bySize: RetentionBySize;
  private readonly recovery: DamageRecovery;
  /** Traces in memory, least recently used first. */
  private readonly cache = new Map<string, LoadedTrace>();
  private lastUsed?: LoadedTrace;
  /** The last traces read whole, as `getTrace` returned them (dropped when they change). */
  private readonly reads = new ReadCache();
  private readonly pending: HeldUpdates;
  /**
   * Finished traces that were changed again after they left memory (see settleMemory): kept
   * in memory from then on, as anything else is. Bounded by clearing (at worst a trace is
   * read back once more).
   */
  private readonly reopened = new Set<string>();
  /** Finished traces in memory, the last finished last (see settleMemory). */
  private readonly lastFinished = new Set<string>();
  /** Span ids found by searching the packs (spanRecall.ts), for updates that name a span alone. */
  private readonly recalledSpans = new SpanIndex(100_000);
  /** Traces changed since the last flush began: retention by size moves them forward rather than deleting them. */
  private touched = new Set<string>();
  private readonly listeners = new Set<(change: StoreChange) => void>();
  /** Whether writes work; what is acknowledged and not on disk yet (writeHealth.ts). */
  private readonly writes: WriteHealth;
  /** Counts of costly steps, for tests that prove a cost is O(batch) (no timed assertions). */
  readonly stats = { tracesReadBack: 0 };
  private readonly cacheTraces: number;
  private readonly cacheSpans: number;
  /** The seq of the next log entry. */
  private seq = 1;
  private readonly written: WriteState = { covered: [0, 0] };

  // What the apply under way did, for its log entry: the patches applied (in order) and their
  // traces; `exact` while the request body can stand for them (see apply).
  private readonly appliedTraces: string[] = [];
  private readonly appliedPatches: Patch[] = [];
  private exact = false;

  private flushTimer?: ReturnType<typeof setTimeout>;
  private flushChain: Promise<void> = Promise.resolve();
  private closing?: Promise<void>;
  /** The search of the packs for span ids under way (spanRecall.ts), and the ids searched for already. */
  private recall?: Promise<void>;
  private searching = false;
  private readonly searched = new Set<string>();

  constructor(options: StoreOptions, private readonly releaseLock: () => void) {
    this.dir = options.dir;
    this.indexDir = join(options.dir, 'index');
    this.log = new PackLog(join(options.dir, 'packs'));
    this.reader = new EntryCache(this.log);
    this.maxTraces = options.maxTraces ?? STORE_DEFAULTS.maxTraces;
    this.maxBytes = options.maxBytes ?? STORE_DEFAULTS.maxBytes;
    this.flushIntervalMs = options.flushIntervalMs ?? STORE_DEFAULTS.flushIntervalMs;
    this.cacheTraces = options.memory?.traces ?? CACHE_TRACES;
    this.cacheSpans = options.memory?.spans ?? CACHE_SPANS;
    const warn = options.warn ?? ((m) => console.warn(m));
    this.writes = new WriteHealth(warn);
    // Every other warning is damage found or repaired: /api/health shows the latest.
    this.warn = (m) => {
      this.writes.problem(m);
      warn(m);
    };
    this.pending = new HeldUpdates(PENDING_MAX, this.warn);
    this.bySize = new RetentionBySize(this.log, this.index, (id) => this.forget(id), (id) => this.unload(id));
    this.recovery = new DamageRecovery({ log: this.log, index: this.index, unload: (id) => this.unload(id), forget: (id) => this.forget(id), warn: this.warn });
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
    this.enforceRetention();
    await this.flush(); // writes what recovery changed and deletes packs nothing points at
    this.searchSpans();
  }

  /** Settles when the search of the packs for spans that updates wait for is done (tests wait for it). */
  get recalled(): Promise<void> {
    return this.recall ?? Promise.resolve();
  }

  // ---- writing ---------------------------------------------------------------------------

  apply(patches: Patch[], source?: PatchSource): void {
    if (this.closing) throw new Error('the trace store is closed');
    this.writes.check(); // nothing is acknowledged that could not be kept
    const now = nowIso();
    const batch = new Batch(this.listeners.size > 0);
    // The body can stand for the patches in the log while every patch is applied at once, in
    // order, to the trace it names itself: replaying the body then does exactly what this did.
    this.exact = source !== undefined;
    this.appliedTraces.length = this.appliedPatches.length = 0;
    try {
      for (let i = 0; i < patches.length; i++) this.applyOne(patches[i], now, batch, i);
      this.commit(batch, now, source);
    } catch (err) {
      this.rollBack(batch);
      throw err;
    }
  }

  /**
   * An apply that failed midway leaves nothing behind: the traces it changed in memory are
   * dropped (the next use reads them back from the log, as they were before it), so a batch
   * is all or nothing here too, not only in validation.
   */
  private rollBack(batch: Batch): void {
    this.appliedTraces.length = this.appliedPatches.length = 0;
    const failed = this.lastUsed?.id; // the trace the failing patch was being applied to
    for (const id of batch.traces.keys()) this.unload(id);
    if (failed !== undefined) this.unload(failed);
  }

  private applyOne(patch: Patch, now: string, batch: Batch, at: number): void {
    try {
      this.applyPatch(patch, now, batch, at);
    } catch (err) {
      if (!(err instanceof DamagedPackError)) throw err;
      this.damaged([err.pack]); // what is left of its traces is read again
      this.applyPatch(patch, now, batch, at);
    }
  }

  private applyPatch(patch: Patch, now: string, batch: Batch, at: number): void {
    if (patch.kind === 'trace') {
      const trace = this.traceFor(patch.trace.id, true)!;
      trace.applyTrace(patch.trace, now);
      this.applied(trace, patch, batch);
      this.releasePending(`trace:${trace.id}`, now, batch);
    } else if (patch.kind === 'span') {
      this.applySpan(patch, patch.span, now, batch, at);
    } else {
      this.applyScore(patch, patch.score, now, batch, at);
    }
  }

  private applySpan(patch: Patch, fields: SpanPatch, now: string, batch: Batch, at: number): void {
    if (fields.trace_id === undefined) this.exact = false;
    const traceId = fields.trace_id ?? this.findSpan(fields.id);
    const trace = traceId === undefined ? undefined : this.traceFor(traceId, fields.trace_id !== undefined);
    if (!trace) return this.hold(`span:${fields.id}`, patch, fields.trace_id === undefined ? fields.id : undefined);
    const releases = this.pending.size > 0 && !trace.spans.has(fields.id); // a new span may be what held updates wait for
    const span = trace.applySpan(fields, now, at, this.appliedPatches.length);
    this.applied(trace, patch, batch, span);
    if (releases) {
      this.releasePending(`span:${span.id}`, now, batch);
      this.releasePending(`trace:${trace.id}`, now, batch); // scores for a trace that exists only through spans
    }
  }

  private applyScore(patch: Patch, score: ScorePatch, now: string, batch: Batch, at: number): void {
    if (score.target === 'span' && score.trace_id === undefined) this.exact = false;
    const traceId = score.target === 'trace' ? score.id : (score.trace_id ?? this.findSpan(score.id));
    const trace = traceId === undefined ? undefined : this.traceFor(traceId, false);
    const result = trace?.applyScore(score, now, at, this.appliedPatches.length);
    if (!trace || !result) return this.hold(`${score.target}:${score.id}`, patch, score.target === 'span' && traceId === undefined ? score.id : undefined);
    this.applied(trace, patch, batch, result === 'trace' ? undefined : result);
  }

  private applied(trace: LoadedTrace, patch: Patch, batch: Batch, span?: SpanRecord): void {
    this.appliedTraces.push(trace.id);
    this.appliedPatches.push(patch);
    batch.touch(trace, span);
  }

  /** Holds a patch for what it updates; `spanId`: it names a span by id alone, to be searched for. */
  private hold(key: string, patch: Patch, spanId?: string): void {
    this.exact = false;
    this.pending.hold(key, patch);
    if (spanId !== undefined && !this.searched.has(spanId)) this.searchSpans();
  }

  private releasePending(key: string, now: string, batch: Batch): void {
    const released = this.pending.take(key);
    if (!released) return;
    this.exact = false;
    for (const patch of released) this.applyOne(patch, now, batch, -1);
  }

  /** The trace of a span named by id alone: in memory, or found in the packs earlier. */
  findSpanTrace(spanId: string): string | undefined {
    return this.findSpan(spanId);
  }

  private findSpan(spanId: string): string | undefined {
    if (this.lastUsed?.spans.has(spanId)) return this.lastUsed.id;
    for (const trace of this.cache.values()) if (trace.spans.has(spanId)) return trace.id;
    const traceId = this.recalledSpans.get(spanId);
    return traceId !== undefined && this.index.get(traceId) ? traceId : undefined;
  }

  /** The trace in memory, read back from the log (blocking: `apply` is synchronous) when it is not. */
  private traceFor(id: string, create: boolean): LoadedTrace | undefined {
    // A batch's patches mostly name the trace the one before named: comparing ids costs less than hashing one.
    if (this.lastUsed?.id === id) return this.lastUsed;
    let trace = this.cache.get(id);
    if (trace) {
      // Most recently used goes last; a batch's spans mostly share one trace, already last.
      if (this.lastUsed !== trace) {
        this.cache.delete(id);
        this.cache.set(id, trace);
        this.lastUsed = trace;
      }
      return trace;
    }
    if (this.index.get(id)) {
      this.stats.tracesReadBack++;
      trace = this.replaySync(id).trace;
      if (trace?.finished) this.reopen(id);
    }
    if (!trace && create) trace = new LoadedTrace(id, nowIso(), this.reader);
    if (trace) this.remember(trace);
    return trace;
  }

  /**
   * Replays a trace from the log, blocking. Where the packs are not as the index says, they
   * are judged and repaired (damageRecovery.ts) and the trace read once more; what that read
   * finds is what the trace is, so a repair that did not help can never loop.
   */
  private replaySync(id: string): Replayed {
    const replayed = this.replayOnce(id);
    if (!replayed.damaged.length) return replayed;
    this.damaged(replayed.damaged, [id]);
    return this.replayOnce(id);
  }

  private replayOnce(id: string): Replayed {
    const extents = this.index.get(id)?.extents;
    if (!extents) return { records: new Map(), damaged: [], bytes: 0 };
    return replayTrace(id, extents, readExtentsSync(this.log, extents), this.reader);
  }

  /**
   * Traces that have ended, with every span ended, leave memory once KEEP_FINISHED traces
   * finished after them: what comes for them later (a score, mostly) reads them back from the
   * log. Kept until the cache's limits, a busy collector's finished traces outlived many young
   * collections and were promoted, and collecting them from the old space cost more than
   * anything else it did beyond parsing. The last few stay, so what a person does right after
   * a run (feedback on a span named by id alone) needs no search. A finished trace changed
   * again anyway (spans sent after their trace's end) stays like any other, so it is read back
   * once, not once per batch.
   */
  private settleMemory(trace: LoadedTrace): void {
    if (!trace.finished || this.reopened.has(trace.id)) return;
    this.lastFinished.delete(trace.id);
    this.lastFinished.add(trace.id);
    if (this.lastFinished.size <= KEEP_FINISHED) return;
    const oldest = this.lastFinished.values().next().value!;
    this.lastFinished.delete(oldest);
    if (this.cache.get(oldest)?.finished) this.leaveMemory(oldest);
  }

  /** Drops a trace from the traces that take patches; what readers were given stays in `reads`. */
  private leaveMemory(id: string): void {
    if (this.lastUsed?.id === id) this.lastUsed = undefined;
    this.cache.delete(id);
  }

  private reopen(id: string): void {
    if (this.reopened.size >= this.cacheTraces * 5) this.reopened.clear();
    this.reopened.add(id);
  }

  private remember(trace: LoadedTrace): void {
    this.cache.set(trace.id, trace);
    this.lastUsed = trace;
  }

  /** Ends an apply: its entry in the log, the summaries, retention, listeners. */
  private commit(batch: Batch, now: string, source?: PatchSource): void {
    const count = this.appliedPatches.length;
    if (batch.traces.size === 0) return;
    const exact = this.exact && source !== undefined;
    const head = { seq: this.seq++, at: now, traces: [...batch.traces.keys()] };
    const body = exact ? { parts: [source.bytes], size: source.bytes.length } : patchesJson(this.appliedTraces, this.appliedPatches, count);
    const loc = this.log.append(encodeEntry(head, exact ? source.format : 'patches', body));
    this.writes.applied(count);
    this.appliedTraces.length = this.appliedPatches.length = 0;
    const summaries: TraceSummary[] = [];
    const nowMs = Date.now();
    for (const trace of batch.traces.values()) {
      this.reads.drop(trace.id);
      trace.settle(loc, exact);
      const summary = trace.summary();
      this.index.put(trace.id, summary, trace.searchText(), head.seq);
      this.arrivals.touch(trace.id, !trace.finished, nowMs);
      if (this.index.addExtent(trace.id, loc.pack, loc.start, loc.end)) this.log.noteTrace(loc.pack, trace.id);
      this.touched.add(trace.id);
      summaries.push(summary);
      this.settleMemory(trace);
    }
    const removed = this.enforceRetention(batch.traces);
    this.scheduleFlush();
    if (this.listeners.size === 0) return;
    const present = (traceId: string) => {
      const trace = batch.traces.get(traceId)!;
      return [...batch.spans.get(traceId)!.values()].map((s) => trace.present(s));
    };
    const spans = new LazySpans(present, [...batch.spans.keys()].filter((id) => !removed.includes(id)));
    this.emit({ traces: summaries.filter((s) => !removed.includes(s.id)), removed, spans });
  }

  deleteTraces(traceIds: string[]): void {
    const removed = traceIds.filter((id) => this.forget(id));
    if (removed.length === 0) return;
    this.scheduleFlush();
    this.emit({ traces: [], removed, spans: new Map() });
  }

  clear(project?: string): void {
    const ids = [...this.index.entries.values()].filter((e) => project === undefined || e.summary.project_name === project).map((e) => e.summary.id);
    this.deleteTraces(ids);
  }

  /**
   * Removes a trace; false when unknown. Its deletion goes into the log, and a tombstone into
   * the index while other packs hold its events: a rebuild of the index from the packs finds
   * the one, a rebuild of only the packs after `covered` relies on the other.
   */
  private forget(id: string): boolean {
    this.arrivals.remove(id);
    const entry = this.index.remove(id);
    const cached = this.unload(id);
    if (!entry) return cached;
    const packs = [...new Set(entry.extents.map(([pack]) => pack))];
    const seq = this.seq++;
    const loc = this.log.append(encodeDeletion({ seq, at: nowIso(), traces: [id] }));
    // Events in the deletion's own pack go with it: only the other packs need it kept.
    if (this.index.tombstone(id, seq, packs.filter((p) => p !== loc.pack), entry.segment, loc.pack)) this.log.noteTomb(loc.pack, id);
    for (const pack of packs) this.log.releaseTrace(pack, id);
    this.scheduleFlush();
    return true;
  }

  /**
   * Packs a read did not find as the index says: judged by their own bytes and repaired
   * (damageRecovery.ts). `readers`: the traces being read, when known.
   */
  private damaged(packs: number[], readers?: string[]): void {
    const removed = this.recovery.recover(packs, readers);
    this.reader.clear();
    this.scheduleFlush();
    if (removed.length) this.emit({ traces: [], removed, spans: new Map() });
  }

  /** Forgets what memory holds of a trace (it is read back from the log); false when nothing. */
  private unload(id: string): boolean {
    this.reads.drop(id);
    this.lastFinished.delete(id);
    if (this.lastUsed?.id === id) this.lastUsed = undefined;
    return this.cache.delete(id);
  }

  /** New retention limits (undefined: the default); traces over the count go at once, by size with the next flush. */
  setRetention(limits: { maxTraces?: number; maxBytes?: number }): void {
    this.maxTraces = limits.maxTraces ?? STORE_DEFAULTS.maxTraces;
    this.maxBytes = limits.maxBytes ?? STORE_DEFAULTS.maxBytes;
    const removed = this.enforceRetention();
    this.scheduleFlush();
    if (removed.length) this.emit({ traces: [], removed, spans: new Map() });
  }

  /**
   * Beyond the count, the traces that arrived longest ago go, never one still running
   * (arrivalOrder.ts); `keep` (the apply's own traces) are spared.
   */
  private enforceRetention(keep?: Map<string, LoadedTrace>): string[] {
    if (this.index.size <= this.maxTraces) return [];
    const removed: string[] = [];
    const now = Date.now();
    const spared = keep && ((id: string) => keep.has(id));
    while (this.index.size > this.maxTraces) {
      const id = this.arrivals.oldestDroppable(now, spared);
      if (id === undefined) break; // every one is running: they go once they are not
      if (this.forget(id)) removed.push(id);
      else this.arrivals.remove(id);
    }
    return removed;
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

  async getTrace(traceId: string): Promise<TraceDetail | undefined> {
    const entry = this.index.get(traceId);
    if (!entry) return undefined;
    const kept = this.reads.get(traceId);
    if (kept) return kept;
    // Read without blocking, then replay at once from what the index says now: what arrived
    // meanwhile (new entries, moved ones) is read where it is, mostly from memory.
    const before = [...entry.extents];
    const prefetched = await readExtents(this.log, before);
    const extents = this.index.get(traceId)?.extents;
    if (!extents) return undefined;
    const bytes = extents.map((e) => {
      const i = before.findIndex((b) => b[0] === e[0] && b[1] === e[1] && b[2] === e[2]);
      return i >= 0 ? prefetched[i] : this.log.readSync(e[0], e[1], e[2]);
    });
    let replayed = replayTrace(traceId, extents, bytes, this.reader);
    if (replayed.damaged.length) {
      this.damaged(replayed.damaged, [traceId]);
      replayed = this.replayOnce(traceId); // once: see replaySync
    }
    if (!replayed.trace) return undefined;
    if (!this.cache.has(traceId)) {
      this.remember(replayed.trace); // updates to what a person looks at come next (scores)
      this.evict();
    }
    // Kept from here on: anything that changes the trace later drops it (commit, unload).
    return this.reads.put(traceId, replayed.trace.detail(replayed.records.values()), replayed.bytes);
  }

  /** getTrace as JSON: serialised once while the trace is kept unchanged (readCache.ts). */
  async getTraceJson(traceId: string): Promise<Buffer | undefined> {
    const kept = this.reads.json(traceId);
    if (kept) return kept;
    const detail = await this.getTrace(traceId);
    if (!detail) return undefined;
    return this.reads.json(traceId) ?? Buffer.from(JSON.stringify(detail));
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

  // ---- spans named by id alone ---------------------------------------------------------------

  /** Searches the packs for the spans that held updates name by id alone; they land when found. */
  private searchSpans(): void {
    if (this.closing || this.searching) return;
    this.searching = true;
    this.recall = (async () => {
      await new Promise((resolve) => setImmediate(resolve)); // after the apply that held them
      for (;;) {
        const wanted = new Set(this.pending.spanIds().filter((id) => !this.searched.has(id)));
        if (wanted.size === 0 || this.closing) return;
        if (this.searched.size > PENDING_MAX * 2) this.searched.clear(); // a bound: at worst an id is searched again
        for (const id of wanted) this.searched.add(id);
        await findSpans(this.log, wanted, (spanId, traceId) => this.recalledSpans.set(spanId, traceId), () => this.closing !== undefined);
        this.releaseRecalled();
      }
    })()
      .catch((err) => this.warn(`Spanscope: searching the store for span ids failed: ${(err as Error).message}`))
      .finally(() => (this.searching = false));
  }

  /** Updates held for spans a search found land now. */
  private releaseRecalled(): void {
    if (this.closing) return;
    const now = nowIso();
    const batch = new Batch(this.listeners.size > 0);
    this.exact = false;
    this.appliedTraces.length = this.appliedPatches.length = 0;
    for (const spanId of this.pending.spanIds()) {
      if (this.findSpan(spanId) !== undefined) this.releasePending(`span:${spanId}`, now, batch);
    }
    this.commit(batch, now);
  }

  // ---- disk --------------------------------------------------------------------------------

  private scheduleFlush(delayMs = this.flushIntervalMs): void {
    if (this.flushTimer || this.closing) return;
    this.flushTimer = setTimeout(() => void this.flush(), delayMs);
    this.flushTimer.unref?.();
  }

  flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flushChain = this.flushChain
      .then(() => this.writeLog())
      .then(
        () => this.writes.writeSucceeded(),
        (err) => {
          this.writes.writeFailed(err);
          this.scheduleFlush(this.writes.retryDelayMs); // what failed is tried again, with backoff
        },
      );
    return this.flushChain;
  }

  health(): StoreHealth {
    return this.writes.health();
  }

  onHealthChange(listener: (health: StoreHealth) => void): () => void {
    return this.writes.onChange(listener);
  }

  private async writeLog(): Promise<void> {
    this.writes.writeStarted();
    const touched = this.touched;
    this.touched = new Set();
    const removed = this.enforceRetention(); // traces that stopped running since the limit was reached
    removed.push(...(await this.retainBySize(touched)));
    if (removed.length) this.emit({ traces: [], removed, spans: new Map() });
    this.log.dropDeadOpen();
    this.index.pruneTombstones(
      (pack) => this.log.has(pack),
      (id, tomb) => tomb.logPack !== undefined && this.log.releaseTomb(tomb.logPack, id),
    );
    const kept = await writeInOrder(this.log, this.index, this.written, [this.seq - 1, this.log.openId], this.indexDir);
    if (kept.length) this.warn(`Spanscope: could not remove ${kept.length} pack(s) nothing points at any more (tried again at the next start): ${kept.join('; ')}`);
    this.evict(touched);
  }

  private async retainBySize(current: Set<string>): Promise<string[]> {
    const now = Date.now();
    const spared = (id: string) => current.has(id) || this.arrivals.running(id, now);
    // Each repair settles its pack (reindexed, or set aside): a pack can not fail twice, so
    // the tries are bounded by the packs there are.
    for (let tries = this.log.livePacks().length; ; tries--) {
      try {
        return await this.bySize.enforce(this.maxBytes, spared);
      } catch (err) {
        if (!(err instanceof DamagedPackError) || tries <= 0) throw err;
        this.damaged([err.pack]);
      }
    }
  }

  /**
   * Drops traces from memory, least recently used first (they are read back from the log),
   * but never one written to since the flush before this one (`recent`) nor since this one
   * began: a trace bigger than the limits alone, still receiving spans, was dropped by every
   * flush and read back whole by the next batch, so each batch cost the whole trace
   * (1.5–4 s per 10k spans past 220k). Such a trace leaves memory once it goes quiet.
   */
  private evict(recent?: ReadonlySet<string>): void {
    let spans = 0;
    for (const t of this.cache.values()) spans += t.spans.size;
    for (const [id, trace] of this.cache) {
      if (this.cache.size <= this.cacheTraces && spans <= this.cacheSpans) break;
      if (recent?.has(id) || this.touched.has(id)) continue;
      this.leaveMemory(id);
      spans -= trace.spans.size;
    }
  }

  /**
   * Writes what is left, retrying a failing write a few times; rejects with StoreWriteError
   * saying how many acknowledged records are lost when it still can not (the caller exits
   * non-zero). Releases the lock either way.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.recall;
        await this.flush();
        for (let i = 0; i < CLOSE_RETRIES && this.writes.degraded; i++) {
          await new Promise((resolve) => setTimeout(resolve, this.writes.retryDelayMs));
          await this.flush();
        }
        const health = this.writes.health();
        if (health.status === 'degraded' && health.unwritten > 0) {
          throw new StoreWriteError(`${health.unwritten} acknowledged record(s) could not be written to ${this.dir} (${health.reason}) and are lost`, 0, health.unwritten);
        }
        await saveHeld(this.dir, this.pending);
      } finally {
        clearTimeout(this.flushTimer);
        this.listeners.clear();
        this.releaseLock();
      }
    })();
    return this.closing;
  }
}
