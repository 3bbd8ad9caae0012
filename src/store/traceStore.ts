// The trace store: in memory for readers (summaries of every trace, whole traces of the
// recently used ones), on disk behind a coalescing writer. `apply` is synchronous and cheap:
// it merges patches into the traces they touch, updates those traces' summaries from running
// totals, marks what changed, and tells listeners; the files follow within flushIntervalMs.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Patch, ScorePatch, SpanPatch, TraceDetail, TraceSummary } from '../core/model';
import { nowIso } from '../core/time';
import { LoadedTrace } from './loadedTrace';
import { type LoadResult, loadTrace, loadTraceSync } from './traceFiles';
import { TraceIndex } from './traceIndex';
import { Batch, LazySpans } from './applyBatch';
import { loadIndex } from './indexFiles';
import { PackTable } from './packTable';
import { HeldUpdates, SpanIndex } from './heldUpdates';
import { loadHeld, saveHeld, scanRecentSpans } from './spanRecall';
import { backfillSearchTexts } from './searchBackfill';
import { acquireStoreLock } from './storeLock';
import { type PackWrite, writeInOrder } from './storeWriter';
import type { ProjectSummary, StoreChange, StoreOptions, TraceQuery, TraceStoreApi } from './types';

export const STORE_DEFAULTS = { maxTraces: 5000, maxBytes: 500 * 1024 * 1024, flushIntervalMs: 200 };
/** Whole traces kept in memory: by count, and by spans summed over them. */
const CACHE_TRACES = 100;
const CACHE_SPANS = 20_000;
/**
 * Span id → trace id entries kept for updates that come without their trace_id. Bounded
 * well below the store's size: a Map of a million entries stalls the event loop whenever it
 * grows (rehash), and such updates come soon after their span.
 */
const SPAN_INDEX_MAX = 200_000;
/** Patches waiting for a span or trace that has not arrived yet. */
const PENDING_MAX = 20_000;
/** Longest stretch a flush serialises before letting requests in. */
const SERIALISE_SLICE_MS = 8;

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
  private readonly packsDir: string;
  private readonly indexDir: string;
  private maxTraces: number;
  private maxBytes: number;
  private readonly flushIntervalMs: number;
  private readonly warn: (message: string) => void;

  private readonly index = new TraceIndex();
  private readonly packs = new PackTable();
  /** Whole traces in memory, least recently used first. */
  private readonly cache = new Map<string, LoadedTrace>();
  private lastUsed?: LoadedTrace;
  private readonly loading = new Map<string, Promise<LoadedTrace | undefined>>();
  private readonly spanToTrace = new SpanIndex(SPAN_INDEX_MAX);
  private readonly pending: HeldUpdates;
  private readonly dirtyTraces = new Set<string>();
  private readonly failedPacks: PackWrite[] = [];
  private readonly listeners = new Set<(change: StoreChange) => void>();

  private flushTimer?: ReturnType<typeof setTimeout>;
  private flushChain: Promise<void> = Promise.resolve();
  /** True while packs are being written: a trace evicted then would be read back from files not yet written. */
  private flushing = false;
  private closing?: Promise<void>;
  /** The background scan for span ids of earlier runs (spanRecall.ts). */
  private recall?: Promise<void>;
  /** The background reading of search texts a store written before they were kept lacks (searchBackfill.ts). */
  private backfill?: Promise<void>;

  constructor(options: StoreOptions, private readonly releaseLock: () => void) {
    this.dir = options.dir;
    this.packsDir = join(options.dir, 'packs');
    this.indexDir = join(options.dir, 'index');
    this.maxTraces = options.maxTraces ?? STORE_DEFAULTS.maxTraces;
    this.maxBytes = options.maxBytes ?? STORE_DEFAULTS.maxBytes;
    this.flushIntervalMs = options.flushIntervalMs ?? STORE_DEFAULTS.flushIntervalMs;
    this.warn = options.warn ?? ((m) => console.warn(m));
    this.pending = new HeldUpdates(PENDING_MAX, this.warn);
  }

  /** Reads the index (recovering what it can) and applies retention. */
  async load(): Promise<void> {
    mkdirSync(this.packsDir, { recursive: true });
    mkdirSync(this.indexDir, { recursive: true });
    await loadIndex(this.index, this.packs, this.indexDir, this.packsDir, this.warn);
    await loadHeld(this.dir, this.pending, this.warn);
    this.enforceRetention();
    await this.flush(); // writes what recovery changed and deletes packs nothing points at
    this.recall = scanRecentSpans(this.packsDir, this.packs.sizes(), (spanId, traceId) => this.recallSpan(spanId, traceId), () => this.closing !== undefined)
      .then(() => this.releaseRecalled())
      .catch((err) => this.warn(`Spanscope: reading span ids from the store failed: ${(err as Error).message}`));
    this.backfill = this.backfillSearch();
  }

  /** Search texts for traces indexed without one; each lands unless the trace changed or went meanwhile. */
  private backfillSearch(): Promise<void> {
    const wanted = new Map<string, [number, number][]>();
    for (const [id, entry] of this.index.entries) if (entry.search === undefined && entry.units.length) wanted.set(id, entry.units);
    const found = (id: string, text: string) => {
      const entry = this.index.get(id);
      if (!entry || entry.search !== undefined) return;
      this.index.put(id, entry.summary, undefined, text);
      this.scheduleFlush();
    };
    return backfillSearchTexts(this.packsDir, { wanted, found, stopped: () => this.closing !== undefined }).catch((err) =>
      this.warn(`Spanscope: reading search texts from the store failed: ${(err as Error).message}`),
    );
  }

  /** Settles when search texts missing at open (a store from an older version) have been read. */
  get searchBackfilled(): Promise<void> {
    return this.backfill ?? Promise.resolve();
  }

  /** Settles when the background scan for span ids of earlier runs is done (tests wait for it). */
  get recalled(): Promise<void> {
    return this.recall ?? Promise.resolve();
  }

  /** A span of an earlier run, found by the background scan; what the session saw is fresher. */
  private recallSpan(spanId: string, traceId: string): void {
    if (this.spanToTrace.get(spanId) === undefined && this.index.get(traceId)) this.spanToTrace.set(spanId, traceId);
  }

  /** Updates held for spans the scan found can land now. */
  private releaseRecalled(): void {
    if (this.closing) return;
    const now = nowIso();
    const batch = new Batch(this.listeners.size > 0);
    for (const spanId of this.pending.spanIds()) {
      if (this.spanToTrace.get(spanId) !== undefined) this.releasePending(`span:${spanId}`, now, batch);
    }
    this.commit(batch);
  }

  // ---- writing ---------------------------------------------------------------------------

  apply(patches: Patch[]): void {
    if (this.closing) throw new Error('the trace store is closed');
    const now = nowIso();
    const batch = new Batch(this.listeners.size > 0);
    for (const patch of patches) this.applyOne(patch, now, batch);
    this.commit(batch);
  }

  private applyOne(patch: Patch, now: string, batch: Batch): void {
    if (patch.kind === 'trace') {
      const trace = this.traceFor(patch.trace.id, true)!;
      trace.applyTrace(patch.trace, now);
      batch.touch(trace);
      this.releasePending(`trace:${trace.id}`, now, batch);
    } else if (patch.kind === 'span') {
      this.applySpan(patch.span, now, batch, patch.json);
    } else {
      this.applyScore(patch.score, now, batch);
    }
  }

  private applySpan(patch: SpanPatch, now: string, batch: Batch, json?: Uint8Array): void {
    const traceId = patch.trace_id ?? this.spanToTrace.get(patch.id);
    const trace = traceId === undefined ? undefined : this.traceFor(traceId, patch.trace_id !== undefined);
    if (!trace) return this.hold(`span:${patch.id}`, { kind: 'span', span: patch });
    const isNew = !trace.spans.has(patch.id);
    const span = trace.applySpan(patch, now, json);
    batch.touch(trace, span);
    if (isNew) {
      this.spanToTrace.set(span.id, trace.id);
      if (this.pending.size) {
        this.releasePending(`span:${span.id}`, now, batch);
        this.releasePending(`trace:${trace.id}`, now, batch); // scores for a trace that exists only through spans
      }
    }
  }

  private applyScore(patch: ScorePatch, now: string, batch: Batch): void {
    const traceId = patch.target === 'trace' ? patch.id : (patch.trace_id ?? this.spanToTrace.get(patch.id));
    const trace = traceId === undefined ? undefined : this.traceFor(traceId, false);
    const result = trace?.applyScore(patch, now);
    if (!trace || !result) return this.hold(`${patch.target}:${patch.id}`, { kind: 'score', score: patch });
    batch.touch(trace, result === 'trace' ? undefined : result);
  }

  private hold(key: string, patch: Patch): void {
    this.pending.hold(key, patch);
  }

  private releasePending(key: string, now: string, batch: Batch): void {
    for (const patch of this.pending.take(key) ?? []) this.applyOne(patch, now, batch);
  }

  /** The trace in memory, loading it from disk (blocking, see loadTraceSync) when it is not. */
  private traceFor(id: string, create: boolean): LoadedTrace | undefined {
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
    const units = this.packs.unitsOf(id);
    if (this.index.get(id) && units) trace = this.loaded(id, loadTraceSync(this.packsDir, id, units, this.warn));
    if (!trace && create) trace = new LoadedTrace(id, nowIso());
    if (trace) this.remember(trace);
    return trace;
  }

  private remember(trace: LoadedTrace): void {
    this.cache.set(trace.id, trace);
    this.lastUsed = trace;
    for (const spanId of trace.spans.keys()) this.spanToTrace.set(spanId, trace.id);
  }

  private commit(batch: Batch): void {
    if (batch.traces.size === 0) return;
    const summaries: TraceSummary[] = [];
    for (const trace of batch.traces.values()) {
      trace.settle();
      const summary = trace.summary();
      this.index.put(trace.id, summary, undefined, trace.searchText());
      this.dirtyTraces.add(trace.id);
      summaries.push(summary);
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

  /** Removes a trace from memory and queues its files for deletion; false when unknown. */
  private forget(id: string): boolean {
    const entry = this.index.remove(id);
    const trace = this.cache.get(id);
    if (!entry && !trace) return false;
    this.cache.delete(id);
    this.dirtyTraces.delete(id);
    if (trace) for (const spanId of trace.spans.keys()) this.spanToTrace.delete(spanId);
    this.packs.forget(id);
    return true;
  }

  /**
   * What a load found. A damaged pack (traceFiles warned) loses every trace whose first
   * chunk was in it: they leave the index now rather than one by one as they are opened.
   */
  private loaded(id: string, result: LoadResult): LoadedTrace | undefined {
    const lost = new Set<string>(result.trace ? [] : [id]);
    for (const pack of result.corrupt) {
      for (const [traceId, entry] of this.index.entries) if (entry.units[0]?.[0] === pack) lost.add(traceId);
    }
    const removed = [...lost].filter((traceId) => this.forget(traceId));
    if (removed.length) {
      this.scheduleFlush();
      this.emit({ traces: [], removed, spans: new Map() });
    }
    return result.trace && !lost.has(id) ? result.trace : undefined;
  }

  /** New retention limits (undefined: the default); traces over them go at once, their files with the next flush. */
  setRetention(limits: { maxTraces?: number; maxBytes?: number }): void {
    this.maxTraces = limits.maxTraces ?? STORE_DEFAULTS.maxTraces;
    this.maxBytes = limits.maxBytes ?? STORE_DEFAULTS.maxBytes;
    const removed = this.enforceRetention();
    this.scheduleFlush();
    if (removed.length) this.emit({ traces: [], removed, spans: new Map() });
  }

  /** Oldest traces go first, by count now and by bytes as packs are written; `keep` are spared if possible. */
  private enforceRetention(keep?: Map<string, LoadedTrace>): string[] {
    if (this.index.size <= this.maxTraces && this.packs.bytes <= this.maxBytes) return [];
    const removed: string[] = [];
    // Over by count: exactly that many go (plus any spared). Over by bytes: unknown, so the
    // oldest go a few at a time until the packs they free bring the store under the limit.
    const over = () => this.index.size > 1 && (this.index.size > this.maxTraces || this.packs.bytes > this.maxBytes);
    while (over()) {
      const wanted = Math.max(this.index.size - this.maxTraces, 0) || 16;
      const candidates = this.index.oldestFirst(wanted + (keep?.size ?? 0)).filter((id) => !keep?.has(id));
      if (candidates.length === 0) break;
      for (const id of candidates) {
        if (!over()) break;
        if (this.forget(id)) removed.push(id);
      }
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
    const cached = this.cache.get(traceId);
    if (cached) return cached.detail();
    if (!this.index.get(traceId)) return undefined;
    let load = this.loading.get(traceId);
    if (!load) {
      const units = this.packs.unitsOf(traceId) ?? [];
      load = loadTrace(this.packsDir, traceId, units, this.warn)
        .then((result) => this.loaded(traceId, result))
        .finally(() => this.loading.delete(traceId));
      this.loading.set(traceId, load);
    }
    const loaded = await load;
    // `apply` may have loaded (and changed) it meanwhile, or it may have been deleted.
    const current = this.cache.get(traceId);
    if (current) return current.detail();
    if (!loaded || !this.index.get(traceId)) return undefined;
    this.remember(loaded);
    if (!this.flushing) this.evict();
    return loaded.detail();
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

  private scheduleFlush(): void {
    if (this.flushTimer || this.closing) return;
    this.flushTimer = setTimeout(() => void this.flush(), this.flushIntervalMs);
    this.flushTimer.unref?.();
  }

  flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flushChain = this.flushChain
      .then(async () => {
        this.flushing = true;
        try {
          await this.writeDirty();
        } finally {
          this.flushing = false;
        }
        this.evict();
      })
      .catch((err) => this.warn(`Spanscope: writing the store failed: ${(err as Error).message}`));
    return this.flushChain;
  }

  private async writeDirty(): Promise<void> {
    // Serialise what changed into the open pack (see packTable.ts), yielding now and then so
    // a big flush does not hold up requests and live updates. A trace changed meanwhile is
    // marked dirty again and goes out with the next flush.
    const ids = [...this.dirtyTraces];
    this.dirtyTraces.clear();
    let sliceStart = performance.now();
    for (const id of ids) {
      const trace = this.cache.get(id);
      if (!trace) continue; // deleted meanwhile
      const chunks = [...trace.dirtyChunks];
      trace.dirtyChunks.clear();
      // Chunk 0 carries the chunk count, so it is rewritten whenever a chunk is added.
      if (!chunks.includes(0) && (this.packs.unitsOf(id)?.length ?? 0) < trace.chunks.length) chunks.push(0);
      chunks.sort((a, b) => a - b); // chunk locations are a dense array
      for (const chunk of chunks) this.packs.write(id, chunk, (seq) => trace.unitParts(chunk, seq));
      const entry = this.index.get(id);
      if (entry) this.index.put(id, entry.summary, this.packs.unitsOf(id));
      if (performance.now() - sliceStart > SERIALISE_SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
    try {
      await writeInOrder(this.packs, this.index, this.failedPacks, this.packsDir, this.indexDir);
    } catch (err) {
      this.scheduleFlush(); // what failed is retried with the next flush
      throw err;
    }
    const removed = this.enforceRetention();
    if (removed.length) {
      this.emit({ traces: [], removed, spans: new Map() });
      this.scheduleFlush();
    }
  }

  /** Drops whole traces from memory, least recently used first, once their changes are on disk. */
  private evict(): void {
    let spans = 0;
    for (const t of this.cache.values()) spans += t.spans.size;
    for (const [id, trace] of this.cache) {
      if (this.cache.size <= CACHE_TRACES && spans <= CACHE_SPANS) break;
      if (trace.dirtyChunks.size || this.dirtyTraces.has(id)) continue;
      this.cache.delete(id);
      spans -= trace.spans.size;
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.recall;
      await this.backfill;
      await this.flush();
      await saveHeld(this.dir, this.pending);
      clearTimeout(this.flushTimer);
      this.listeners.clear();
      this.releaseLock();
    })();
    return this.closing;
  }
}
