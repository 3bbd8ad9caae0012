// The trace store: in memory for readers (summaries of every trace, whole traces of the
// recently used ones), on disk behind a coalescing writer. `apply` is synchronous and cheap:
// it merges patches into the traces they touch, updates those traces' summaries from running
// totals, marks what changed, and tells listeners; the files follow within flushIntervalMs.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Patch, ScorePatch, SpanPatch, SpanRecord, TraceDetail, TraceSummary } from '../core/model';
import { nowIso } from '../core/time';
import { LoadedTrace } from './loadedTrace';
import { loadTrace, loadTraceSync } from './traceFiles';
import { TraceIndex } from './traceIndex';
import { loadIndex } from './indexFiles';
import { acquireStoreLock } from './storeLock';
import { removeFile, traceFileKey, traceFilePath, writeJson } from './storeFiles';
import type { ProjectSummary, StoreChange, StoreOptions, TraceQuery, TraceStoreApi } from './types';

export const STORE_DEFAULTS = { maxTraces: 5000, maxBytes: 500 * 1024 * 1024, flushIntervalMs: 200 };
/** Whole traces kept in memory: by count, and by spans summed over them. */
const CACHE_TRACES = 300;
const CACHE_SPANS = 100_000;
/** Patches waiting for a span or trace that has not arrived yet. */
const PENDING_MAX = 20_000;
const WRITE_CONCURRENCY = 8;

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
  private readonly tracesDir: string;
  private readonly indexDir: string;
  private readonly maxTraces: number;
  private readonly maxBytes: number;
  private readonly flushIntervalMs: number;
  private readonly warn: (message: string) => void;

  private readonly index = new TraceIndex();
  /** Whole traces in memory, least recently used first. */
  private readonly cache = new Map<string, LoadedTrace>();
  private readonly loading = new Map<string, Promise<LoadedTrace | undefined>>();
  private readonly spanToTrace = new Map<string, string>();
  /** Keyed `span:<id>` or `trace:<id>`: patches that arrived before what they update. */
  private readonly pending = new Map<string, Patch[]>();
  private pendingDropped = 0;
  private readonly dirtyTraces = new Set<string>();
  /** Traces whose files are being written: never evicted then, or a reload would read the old files. */
  private readonly writing = new Set<string>();
  private readonly deletions: { key: string; chunks: number }[] = [];
  private readonly listeners = new Set<(change: StoreChange) => void>();

  private flushTimer?: ReturnType<typeof setTimeout>;
  private flushChain: Promise<void> = Promise.resolve();
  private closing?: Promise<void>;

  constructor(options: StoreOptions, private readonly releaseLock: () => void) {
    this.dir = options.dir;
    this.tracesDir = join(options.dir, 'traces');
    this.indexDir = join(options.dir, 'index');
    this.maxTraces = options.maxTraces ?? STORE_DEFAULTS.maxTraces;
    this.maxBytes = options.maxBytes ?? STORE_DEFAULTS.maxBytes;
    this.flushIntervalMs = options.flushIntervalMs ?? STORE_DEFAULTS.flushIntervalMs;
    this.warn = options.warn ?? ((m) => console.warn(m));
  }

  /** Reads the index (recovering what it can) and applies retention. */
  async load(): Promise<void> {
    mkdirSync(this.tracesDir, { recursive: true });
    mkdirSync(this.indexDir, { recursive: true });
    await loadIndex(this.index, this.indexDir, this.tracesDir, this.warn);
    this.enforceRetention();
    if (this.index.dirtySegments.size || this.deletions.length) await this.flush();
  }

  // ---- writing ---------------------------------------------------------------------------

  apply(patches: Patch[]): void {
    if (this.closing) throw new Error('the trace store is closed');
    const now = nowIso();
    const batch = new Batch();
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
      this.applySpan(patch.span, now, batch);
    } else {
      this.applyScore(patch.score, now, batch);
    }
  }

  private applySpan(patch: SpanPatch, now: string, batch: Batch): void {
    const traceId = patch.trace_id ?? this.spanToTrace.get(patch.id);
    const trace = traceId === undefined ? undefined : this.traceFor(traceId, patch.trace_id !== undefined);
    if (!trace) return this.hold(`span:${patch.id}`, { kind: 'span', span: patch });
    const isNew = !trace.spans.has(patch.id);
    const span = trace.applySpan(patch, now);
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
    const waiting = this.pending.get(key);
    if (waiting) return void waiting.push(patch);
    if (this.pending.size >= PENDING_MAX) {
      const oldest = this.pending.keys().next().value!;
      this.pending.delete(oldest);
      if (this.pendingDropped++ % 1000 === 0) this.warn(`Spanscope: dropped updates for ${oldest.replace(':', ' ')}, which never arrived (${this.pendingDropped} so far)`);
    }
    this.pending.set(key, [patch]);
  }

  private releasePending(key: string, now: string, batch: Batch): void {
    const waiting = this.pending.get(key);
    if (!waiting) return;
    this.pending.delete(key);
    for (const patch of waiting) this.applyOne(patch, now, batch);
  }

  /** The trace in memory, loading it from disk (blocking, see loadTraceSync) when it is not. */
  private traceFor(id: string, create: boolean): LoadedTrace | undefined {
    let trace = this.cache.get(id);
    if (trace) {
      this.cache.delete(id); // most recently used goes last
      this.cache.set(id, trace);
      return trace;
    }
    if (this.index.get(id)) {
      trace = loadTraceSync(this.tracesDir, traceFileKey(id), this.warn);
      if (!trace) this.dropLost(id);
    }
    if (!trace && create) trace = new LoadedTrace(id, nowIso());
    if (trace) this.remember(trace);
    return trace;
  }

  private remember(trace: LoadedTrace): void {
    this.cache.set(trace.id, trace);
    for (const spanId of trace.spans.keys()) this.spanToTrace.set(spanId, trace.id);
  }

  private commit(batch: Batch): void {
    if (batch.traces.size === 0) return;
    const summaries: TraceSummary[] = [];
    for (const trace of batch.traces.values()) {
      const summary = trace.summary();
      this.index.put(trace.id, summary);
      this.dirtyTraces.add(trace.id);
      summaries.push(summary);
    }
    const removed = this.enforceRetention(batch.traces);
    this.scheduleFlush();
    if (this.listeners.size === 0) return;
    const spans = new Map<string, ReturnType<LoadedTrace['present']>[]>();
    for (const [traceId, changed] of batch.spans) {
      const trace = batch.traces.get(traceId)!;
      if (!removed.includes(traceId)) spans.set(traceId, [...changed.values()].map((s) => trace.present(s)));
    }
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
    this.deletions.push({ key: traceFileKey(id), chunks: Math.max(entry?.chunks ?? 1, trace?.chunks.length ?? 1) });
    return true;
  }

  /** A trace whose files are gone or damaged: it leaves the index (traceFiles warned already). */
  private dropLost(id: string): void {
    if (!this.forget(id)) return;
    this.emit({ traces: [], removed: [id], spans: new Map() });
  }

  /** Oldest traces go first, by count now and by bytes as files are written; `keep` are spared if possible. */
  private enforceRetention(keep?: Map<string, LoadedTrace>): string[] {
    const overCount = this.index.size - this.maxTraces;
    if (overCount <= 0 && this.index.totalBytes <= this.maxBytes) return [];
    const removed: string[] = [];
    for (const id of this.index.oldestFirst()) {
      if (this.index.size <= 1) break;
      if (this.index.size <= this.maxTraces && this.index.totalBytes <= this.maxBytes) break;
      if (keep?.has(id)) continue;
      if (this.forget(id)) removed.push(id);
    }
    return removed;
  }

  // ---- reading ---------------------------------------------------------------------------

  listTraces(query?: TraceQuery): TraceSummary[] {
    return this.index.list(query);
  }

  getSummary(traceId: string): TraceSummary | undefined {
    return this.index.get(traceId)?.summary;
  }

  async getTrace(traceId: string): Promise<TraceDetail | undefined> {
    const cached = this.cache.get(traceId);
    if (cached) return cached.detail();
    if (!this.index.get(traceId)) return undefined;
    let load = this.loading.get(traceId);
    if (!load) {
      load = loadTrace(this.tracesDir, traceFileKey(traceId), this.warn).finally(() => this.loading.delete(traceId));
      this.loading.set(traceId, load);
    }
    const loaded = await load;
    // `apply` may have loaded (and changed) it meanwhile, or it may have been deleted.
    const current = this.cache.get(traceId);
    if (current) return current.detail();
    if (!this.index.get(traceId)) return undefined;
    if (!loaded) {
      this.dropLost(traceId);
      return undefined;
    }
    this.remember(loaded);
    this.evict();
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
    this.flushChain = this.flushChain.then(() => this.writeDirty()).catch((err) => this.warn(`Spanscope: writing the store failed: ${(err as Error).message}`));
    return this.flushChain;
  }

  private async writeDirty(): Promise<void> {
    for (const { key, chunks } of this.deletions.splice(0)) {
      for (let c = 0; c < chunks; c++) await removeFile(traceFilePath(this.tracesDir, key, c));
    }
    const jobs: (() => Promise<void>)[] = [];
    for (const id of this.dirtyTraces) {
      const trace = this.cache.get(id);
      if (trace) jobs.push(() => this.writeTrace(trace));
    }
    this.dirtyTraces.clear();
    await runLimited(jobs, WRITE_CONCURRENCY);
    const segments = [...this.index.dirtySegments];
    this.index.dirtySegments.clear();
    await runLimited(segments.map((s) => () => this.writeSegment(s)), WRITE_CONCURRENCY);
    const removed = this.enforceRetention();
    if (removed.length) this.emit({ traces: [], removed, spans: new Map() });
    this.evict();
  }

  private async writeTrace(trace: LoadedTrace): Promise<void> {
    const key = traceFileKey(trace.id);
    const chunks = [...trace.dirtyChunks].sort((a, b) => a - b);
    trace.dirtyChunks.clear();
    // Chunk 0 carries the chunk count, so it is rewritten whenever a chunk is added.
    if (chunks[0] !== 0 && trace.chunkBytes.length < trace.chunks.length) chunks.unshift(0);
    this.writing.add(trace.id);
    try {
      for (const c of chunks) trace.chunkBytes[c] = await writeJson(traceFilePath(this.tracesDir, key, c), trace.fileData(c));
    } catch (err) {
      for (const c of chunks) trace.dirtyChunks.add(c);
      this.dirtyTraces.add(trace.id);
      throw err;
    } finally {
      this.writing.delete(trace.id);
    }
    // Deleted while it was being written: the deletion queued behind this write removes the files.
    const entry = this.index.get(trace.id);
    if (entry) this.index.put(trace.id, entry.summary, { bytes: trace.chunkBytes.reduce((a, b) => a + (b ?? 0), 0), chunks: trace.chunks.length });
  }

  private async writeSegment(segment: number): Promise<void> {
    const path = join(this.indexDir, segmentFileName(segment));
    const data = this.index.segmentData(segment);
    if (data) await writeJson(path, data);
    else await removeFile(path);
  }

  /** Drops whole traces from memory, least recently used first, once their changes are on disk. */
  private evict(): void {
    let spans = 0;
    for (const t of this.cache.values()) spans += t.spans.size;
    for (const [id, trace] of this.cache) {
      if (this.cache.size <= CACHE_TRACES && spans <= CACHE_SPANS) break;
      if (trace.dirtyChunks.size || this.dirtyTraces.has(id) || this.writing.has(id)) continue;
      this.cache.delete(id);
      spans -= trace.spans.size;
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.flush();
      clearTimeout(this.flushTimer);
      this.listeners.clear();
      this.releaseLock();
    })();
    return this.closing;
  }
}

export function segmentFileName(segment: number): string {
  return `seg-${String(segment).padStart(6, '0')}.json`;
}

/** What one `apply` touched: each trace once, and each changed span (last version). */
class Batch {
  readonly traces = new Map<string, LoadedTrace>();
  readonly spans = new Map<string, Map<string, SpanRecord>>();
  touch(trace: LoadedTrace, span?: SpanRecord): void {
    this.traces.set(trace.id, trace);
    if (!span) return;
    let changed = this.spans.get(trace.id);
    if (!changed) this.spans.set(trace.id, (changed = new Map()));
    changed.set(span.id, span);
  }
}

async function runLimited(jobs: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < jobs.length) {
      try {
        await jobs[next++]();
      } catch (err) {
        errors.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  if (errors.length) throw errors[0];
}
