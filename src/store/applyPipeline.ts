// The store's write path: `apply` merges each patch into the trace it names (held lean in
// memory, see loadedTrace.ts; read back from the log when it is not), holds what names a span
// or trace that has not arrived (heldUpdates.ts), and ends by committing: one log entry — the
// request body itself when it can stand for the patches (ApplyContext.exact) — the summaries
// and search texts in the index, retention by count, and a change for listeners. All or
// nothing: a patch that throws drops what the apply changed in memory, and the traces are
// read back from the log as they were.

import type { Patch, ScorePatch, SpanPatch, TraceSummary } from '../core/model/model';
import { nowIso } from '../core/model/time';
import { LazySpans } from './applyBatch';
import { ApplyContext } from './applyContext';
import type { ArrivalOrder } from './arrivalOrder';
import { DamagedPackError } from './entryCache';
import type { HeldUpdates } from './heldUpdates';
import { type EntryReader, LoadedTrace } from './loadedTrace';
import { encodeEntry, patchesJson } from './logEntry';
import type { PackLog } from './packLog';
import type { ReadCache } from './readCache';
import type { RecallCoordinator } from './recallCoordinator';
import type { TraceIndex } from './traceIndex';
import type { PatchSource, StoreChange } from './types';
import type { WorkingSet } from './workingSet';
import type { WriteHealth } from './writeHealth';

export interface ApplyDeps {
  log: PackLog;
  index: TraceIndex;
  arrivals: ArrivalOrder;
  working: WorkingSet;
  pending: HeldUpdates;
  recall: RecallCoordinator;
  /** The traces read whole: one changed is dropped there. */
  reads: ReadCache;
  writes: WriteHealth;
  /** What new traces read the entries of their spans' patches through. */
  reader: EntryReader;
  /** The seq of the next log entry, taken. */
  takeSeq(): number;
  /** A trace changed: retention by size spares it until the flush after next begins. */
  touched(id: string): void;
  /** A trace the index knows, replayed from the log (blocking); undefined when nothing of it can be read. */
  readBack(id: string): LoadedTrace | undefined;
  /** Packs a read did not find as the index says (damageRecovery.ts). */
  damaged(packs: number[]): void;
  /** Retention by count, sparing `keep`; returns the traces removed. */
  retainByCount(keep: ReadonlyMap<string, LoadedTrace>): string[];
  scheduleFlush(): void;
  /** Whether anything listens to changes: only then are changed spans collected. */
  listening(): boolean;
  emit(change: StoreChange): void;
}

export class ApplyPipeline {
  /** Counts of costly steps, for tests that prove a cost is O(batch) (no timed assertions). */
  readonly stats = { tracesReadBack: 0 };

  constructor(private readonly deps: ApplyDeps) {}

  apply(patches: Patch[], source?: PatchSource): void {
    this.deps.writes.check(); // nothing is acknowledged that could not be kept
    const ctx = new ApplyContext(nowIso(), source !== undefined, this.deps.listening());
    try {
      for (let i = 0; i < patches.length; i++) this.applyOne(ctx, patches[i], i);
      this.commit(ctx, source);
    } catch (err) {
      this.rollBack(ctx);
      throw err;
    }
  }

  /** Updates held for spans a search found land now (recallCoordinator.ts). */
  releaseRecalled(): void {
    const ctx = new ApplyContext(nowIso(), false, this.deps.listening());
    for (const spanId of this.deps.pending.spanIds()) {
      if (this.findSpan(spanId) !== undefined) this.releasePending(ctx, `span:${spanId}`);
    }
    this.commit(ctx);
  }

  /** The trace of a span named by id alone: in memory, or found in the packs earlier. */
  findSpan(spanId: string): string | undefined {
    const inMemory = this.deps.working.traceOfSpan(spanId);
    if (inMemory !== undefined) return inMemory;
    // null: no such trace now; its `arrived` (undefined in segments written before it) otherwise.
    return this.deps.recall.traceOf(spanId, (traceId) => {
      const entry = this.deps.index.get(traceId);
      return entry ? entry.arrived : null;
    });
  }

  /**
   * An apply that failed midway leaves nothing behind: the traces it changed in memory are
   * dropped (the next use reads them back from the log, as they were before it), so a batch
   * is all or nothing here too, not only in validation.
   */
  private rollBack(ctx: ApplyContext): void {
    const failed = this.deps.working.current; // the trace the failing patch was being applied to
    for (const id of ctx.batch.traces.keys()) this.deps.working.unload(id);
    if (failed !== undefined) this.deps.working.unload(failed);
  }

  private applyOne(ctx: ApplyContext, patch: Patch, at: number): void {
    try {
      this.applyPatch(ctx, patch, at);
    } catch (err) {
      if (!(err instanceof DamagedPackError)) throw err;
      this.deps.damaged([err.pack]); // what is left of its traces is read again, once
      this.applyPatch(ctx, patch, at);
    }
  }

  private applyPatch(ctx: ApplyContext, patch: Patch, at: number): void {
    if (patch.kind === 'trace') {
      const trace = this.traceFor(patch.trace.id, true)!;
      trace.applyTrace(patch.trace, ctx.now);
      ctx.applied(trace, patch);
      this.releasePending(ctx, `trace:${trace.id}`);
    } else if (patch.kind === 'span') {
      this.applySpan(ctx, patch, patch.span, at);
    } else {
      this.applyScore(ctx, patch, patch.score, at);
    }
  }

  private applySpan(ctx: ApplyContext, patch: Patch, fields: SpanPatch, at: number): void {
    if (fields.trace_id === undefined) ctx.exact = false;
    const traceId = fields.trace_id ?? this.findSpan(fields.id);
    const trace = traceId === undefined ? undefined : this.traceFor(traceId, fields.trace_id !== undefined);
    if (!trace)
      return this.hold(ctx, `span:${fields.id}`, patch, fields.trace_id === undefined ? fields.id : undefined);
    const releases = this.deps.pending.size > 0 && !trace.spans.has(fields.id); // a new span may be what held updates wait for
    const span = trace.applySpan(fields, ctx.now, at, ctx.count);
    ctx.applied(trace, patch, span);
    if (releases) {
      this.releasePending(ctx, `span:${span.id}`);
      this.releasePending(ctx, `trace:${trace.id}`); // scores for a trace that exists only through spans
    }
  }

  private applyScore(ctx: ApplyContext, patch: Patch, score: ScorePatch, at: number): void {
    if (score.target === 'span' && score.trace_id === undefined) ctx.exact = false;
    const traceId = score.target === 'trace' ? score.id : (score.trace_id ?? this.findSpan(score.id));
    const trace = traceId === undefined ? undefined : this.traceFor(traceId, false);
    const result = trace?.applyScore(score, ctx.now, at, ctx.count);
    if (!trace || !result)
      return this.hold(
        ctx,
        `${score.target}:${score.id}`,
        patch,
        score.target === 'span' && traceId === undefined ? score.id : undefined,
      );
    ctx.applied(trace, patch, result === 'trace' ? undefined : result);
  }

  /** Holds a patch for what it updates; `spanId`: it names a span by id alone, to be searched for. */
  private hold(ctx: ApplyContext, key: string, patch: Patch, spanId?: string): void {
    ctx.exact = false;
    this.deps.pending.hold(key, patch);
    if (spanId !== undefined) this.deps.recall.wanted(spanId);
  }

  private releasePending(ctx: ApplyContext, key: string): void {
    const released = this.deps.pending.take(key);
    if (!released) return;
    ctx.exact = false;
    for (const patch of released) this.applyOne(ctx, patch, -1);
  }

  /** The trace in memory, read back from the log (blocking: `apply` is synchronous) when it is not. */
  private traceFor(id: string, create: boolean): LoadedTrace | undefined {
    let trace = this.deps.working.get(id);
    if (trace) return trace;
    if (this.deps.index.get(id)) {
      this.stats.tracesReadBack++;
      trace = this.deps.readBack(id);
    }
    if (trace) this.deps.working.remember(trace, trace.finished);
    else if (create) this.deps.working.remember((trace = new LoadedTrace(id, nowIso(), this.deps.reader)));
    return trace;
  }

  /** Ends an apply: its entry in the log, the summaries, retention, listeners. */
  private commit(ctx: ApplyContext, source?: PatchSource): void {
    const { batch } = ctx;
    if (batch.traces.size === 0) return;
    const { log, index } = this.deps;
    const exact = ctx.exact && source !== undefined;
    const head = { seq: this.deps.takeSeq(), at: ctx.now, traces: [...batch.traces.keys()] };
    const body = exact
      ? { parts: [source.bytes], size: source.bytes.length }
      : patchesJson(ctx.traces, ctx.patches, ctx.count);
    const loc = log.append(encodeEntry(head, exact ? source.format : 'patches', body));
    this.deps.writes.applied(ctx.count);
    const summaries: TraceSummary[] = [];
    const nowMs = Date.now();
    for (const trace of batch.traces.values()) {
      this.deps.reads.drop(trace.id);
      trace.settle(loc, exact);
      const summary = trace.summary();
      index.put(trace.id, summary, trace.searchText(), head.seq);
      this.deps.arrivals.touch(trace.id, !trace.finished, nowMs);
      if (index.addExtent(trace.id, loc.pack, loc.start, loc.end)) log.noteTrace(loc.pack, trace.id);
      this.deps.touched(trace.id);
      summaries.push(summary);
      this.deps.working.settle(trace);
    }
    const removed = this.deps.retainByCount(batch.traces);
    this.deps.scheduleFlush();
    if (!this.deps.listening()) return;
    const present = (traceId: string) => {
      const trace = batch.traces.get(traceId)!;
      return [...batch.spans.get(traceId)!.values()].map((s) => trace.present(s));
    };
    const spans = new LazySpans(
      present,
      [...batch.spans.keys()].filter((id) => !removed.includes(id)),
    );
    this.deps.emit({ traces: summaries.filter((s) => !removed.includes(s.id)), removed, spans });
  }
}
