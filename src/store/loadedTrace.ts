// One trace held in memory: its record, its spans, and the running totals its summary is
// made from. Patches merge in place and adjust the totals by the difference (a span's old
// contribution out, its new one in), so a span costs the same in a trace of ten spans as in
// one of a hundred thousand. On disk a trace is split into chunks of CHUNK_SPANS spans in
// arrival order, so a change re-serialises its chunk, not the whole trace (packTable.ts).

import { addSpanToTotals, derive, emptyTotals, summariseTrace, type SpanTotals } from '../core/aggregates';
import { applyScore, mergeRecord } from '../core/merge';
import type { ScorePatch, Span, SpanPatch, SpanRecord, TraceDetail, TracePatch, TraceRecord, TraceSummary } from '../core/model';
import { compareTimes } from '../core/time';

export const CHUNK_SPANS = 1000;
export const DEFAULT_PROJECT = 'Default Project';

/** Chunk 0 of a trace on disk: the trace record and the first spans. */
export interface TraceFileData {
  version: 1;
  trace_id: string;
  /** For an implicit trace, the stand-in (it carries the trace's scores). */
  trace: TraceRecord | null;
  implicit?: boolean;
  chunks: number;
  updated_at: string;
  spans: SpanRecord[];
}

export interface ChunkFileData {
  version: 1;
  trace_id: string;
  spans: SpanRecord[];
}

export class LoadedTrace {
  /** For an implicit trace (spans only) a stand-in whose empty fields the root span fills. */
  trace: TraceRecord;
  implicit: boolean;
  readonly spans = new Map<string, SpanRecord>();
  /** Span ids per chunk, in arrival order. */
  readonly chunks: string[][] = [[]];
  private readonly chunkOf = new Map<string, number>();
  readonly dirtyChunks = new Set<number>();
  totals: SpanTotals = emptyTotals();
  private rootSpanId?: string;
  lastUpdatedAt: string;

  constructor(readonly id: string, now: string) {
    this.trace = { id, project_name: '', name: '', start_time: '' };
    this.implicit = true;
    this.lastUpdatedAt = now;
  }

  get projectName(): string {
    return this.trace.project_name || DEFAULT_PROJECT;
  }

  applyTrace(patch: TracePatch, now: string): void {
    if (this.implicit) {
      // The stand-in's empty fields must not survive as values once the real trace arrives.
      const kept: Partial<TraceRecord> = { id: this.id, project_name: this.trace.project_name, name: '', start_time: '' };
      if (this.trace.feedback_scores) kept.feedback_scores = this.trace.feedback_scores;
      this.trace = mergeRecord<TraceRecord>(undefined, patch, kept);
      this.implicit = false;
    } else {
      this.trace = mergeRecord(this.trace, patch, {});
    }
    this.touch(0, now);
  }

  /** Merges a span; returns the span as stored. */
  applySpan(patch: SpanPatch, now: string): SpanRecord {
    const old = this.spans.get(patch.id);
    const span = mergeRecord<SpanRecord>(old, patch, { id: patch.id, trace_id: this.id } as SpanRecord);
    span.trace_id = this.id;
    this.replaceSpan(old, span);
    if (this.implicit && !this.trace.project_name && span.project_name) this.trace.project_name = span.project_name;
    let chunk = this.chunkOf.get(span.id);
    if (chunk === undefined) chunk = this.placeSpan(span.id);
    this.touch(chunk, now);
    return span;
  }

  /** Sets a score on the trace itself or on one of its spans; false when the span is unknown. */
  applyScore(patch: ScorePatch, now: string): SpanRecord | 'trace' | undefined {
    if (patch.target === 'trace') {
      this.trace = { ...this.trace, feedback_scores: applyScore(this.trace.feedback_scores, patch, now) };
      if (!this.trace.feedback_scores) delete this.trace.feedback_scores;
      this.touch(0, now);
      return 'trace';
    }
    const old = this.spans.get(patch.id);
    if (!old) return undefined;
    const span: SpanRecord = { ...old, feedback_scores: applyScore(old.feedback_scores, patch, now) };
    if (!span.feedback_scores) delete span.feedback_scores;
    this.replaceSpan(old, span);
    this.touch(this.chunkOf.get(span.id)!, now);
    return span;
  }

  private replaceSpan(old: SpanRecord | undefined, span: SpanRecord): void {
    if (old) addSpanToTotals(this.totals, old, -1);
    addSpanToTotals(this.totals, span, 1);
    this.spans.set(span.id, span);
    if (!span.parent_span_id) {
      const root = this.rootSpanId === undefined ? undefined : this.spans.get(this.rootSpanId);
      if (!root || root.parent_span_id || root === span || compareTimes(startOf(span), startOf(root)) < 0) this.rootSpanId = span.id;
    }
  }

  private placeSpan(spanId: string): number {
    let chunk = this.chunks.length - 1;
    if (this.chunks[chunk].length >= CHUNK_SPANS) this.chunks.push([]), chunk++;
    this.chunks[chunk].push(spanId);
    this.chunkOf.set(spanId, chunk);
    return chunk;
  }

  private touch(chunk: number, now: string): void {
    this.dirtyChunks.add(chunk);
    this.lastUpdatedAt = now;
  }

  summary(): TraceSummary {
    const summary = summariseTrace(this.trace, this.totals, { implicit: this.implicit, rootSpan: this.rootSpan(), lastUpdatedAt: this.lastUpdatedAt });
    summary.project_name = this.projectName;
    return summary;
  }

  private rootSpan(): SpanRecord | undefined {
    return this.rootSpanId === undefined ? undefined : this.spans.get(this.rootSpanId);
  }

  /** A span as readers see it: defaults filled in (project from the trace) and status derived. */
  present(span: SpanRecord): Span {
    return derive({
      ...span,
      project_name: span.project_name || this.projectName,
      name: span.name ?? '',
      type: span.type ?? 'general',
      start_time: startOf(span),
    });
  }

  detail(): TraceDetail {
    const summary = this.summary();
    const root = this.rootSpan();
    const { input_preview, output_preview, ...fields } = summary;
    void input_preview, void output_preview;
    const trace: TraceDetail['trace'] = { ...fields };
    const input = this.trace.input ?? (this.implicit ? root?.input : undefined);
    const output = this.trace.output ?? (this.implicit ? root?.output : undefined);
    if (input !== undefined) trace.input = input;
    if (output !== undefined) trace.output = output;
    const spans: Span[] = [];
    for (const span of this.spans.values()) spans.push(this.present(span));
    return { trace, spans };
  }

  /** What chunk `n` holds on disk. */
  fileData(chunk: number): TraceFileData | ChunkFileData {
    const spans = this.chunks[chunk].map((id) => this.spans.get(id)!);
    if (chunk > 0) return { version: 1, trace_id: this.id, spans };
    const data: TraceFileData = { version: 1, trace_id: this.id, trace: this.trace, chunks: this.chunks.length, updated_at: this.lastUpdatedAt, spans };
    if (this.implicit) data.implicit = true;
    return data;
  }

  /** Rebuilds a trace from its files (chunk 0 first); totals are summed once here. */
  static fromFiles(main: TraceFileData, chunks: (ChunkFileData | undefined)[]): LoadedTrace {
    const t = new LoadedTrace(main.trace_id, main.updated_at);
    if (main.trace) {
      t.trace = main.trace;
      t.implicit = main.implicit === true;
    }
    const all = [main.spans, ...chunks.map((c) => c?.spans ?? [])];
    for (let c = 0; c < all.length; c++) {
      if (c > 0) t.chunks.push([]);
      for (const span of all[c]) {
        if (t.spans.has(span.id)) continue;
        t.chunks[c].push(span.id);
        t.chunkOf.set(span.id, c);
        t.replaceSpan(undefined, span);
        if (t.implicit && !t.trace.project_name && span.project_name) t.trace.project_name = span.project_name;
      }
    }
    t.lastUpdatedAt = main.updated_at;
    return t;
  }
}

/** A span first seen through its end has no start yet; it stands at its end until one arrives. */
function startOf(span: SpanRecord): string {
  return span.start_time || span.end_time || '';
}
