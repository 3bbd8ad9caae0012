// One trace held in memory: its record, its spans, and the running totals its summary is
// made from. Patches merge in place and adjust the totals by the difference (a span's old
// contribution out, its new one in), so a span costs the same in a trace of ten spans as in
// one of a hundred thousand. On disk a trace is split into chunks of CHUNK_SPANS spans in
// arrival order, so a change rewrites its chunk, not the whole trace (packTable.ts).
//
// A span is kept as its JSON bytes once the `apply` that changed it ends (`settle`), not as
// the objects it was parsed into: those then die young, where holding them until the next
// flush had the garbage collector copy every span twice and mark it after. The bytes are
// the ones it arrived in when a normaliser found them exact (see core/normalise/verbatim.ts),
// so most spans are never serialised at all; a chunk written to disk is its spans' bytes
// joined. Reading a span parses its bytes.

import { addDerived, addSpanToTotals, derive, emptyTotals, summariseTrace, type SpanTotals } from '../core/aggregates';
import { applyScore, mergeRecord } from '../core/merge';
import type { ScorePatch, Span, SpanPatch, SpanRecord, TraceDetail, TracePatch, TraceRecord, TraceSummary } from '../core/model';
import { compareTimes } from '../core/time';
import type { EncodedUnit } from './packTable';
import { SearchText } from './searchText';

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
  /** Every span by id: its JSON bytes, or its record until settled (see the top of this file). */
  readonly spans = new Map<string, SpanRecord | Buffer>();
  /**
   * The spans changed since the last `settle`, in order: the record each change stored and,
   * for a record stored as it arrived, the bytes it arrived in. A span changed twice appears
   * twice; only the entry whose record is still the one held counts.
   */
  private unsettled: { id: string; record: SpanRecord; arrived?: Uint8Array }[] = [];
  /** Span ids per chunk, in arrival order. */
  readonly chunks: string[][] = [[]];
  /** Which chunk each span is in; made only once there is a second chunk (until then, all are in 0). */
  private chunkOf?: Map<string, number>;
  readonly dirtyChunks = new Set<number>();
  totals: SpanTotals = emptyTotals();
  private rootSpanId?: string;
  /** The root span's record, kept as an object: summaries read it on every change. */
  private rootRecord?: SpanRecord;
  lastUpdatedAt: string;
  /** What the logs filter searches besides the summary (searchText.ts). */
  private readonly search = new SearchText();
  /** The input or output the search text holds may have changed (the trace's, or the root span's standing in). */
  private searchIoStale = true;

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
    if (patch.input !== undefined || patch.output !== undefined || this.trace.input === undefined || this.trace.output === undefined) this.searchIoStale = true;
    this.touch(0, now);
  }

  /** The record of a span (parsed from its bytes once settled); undefined when unknown. */
  span(id: string): SpanRecord | undefined {
    const held = this.spans.get(id);
    return isBytes(held) ? (JSON.parse(held.toString()) as SpanRecord) : held;
  }

  /**
   * Merges a span; returns the span as stored. `json`: the patch's JSON exactly as it would
   * be serialised (a normaliser's finding), kept instead of serialising when the patch
   * becomes the record unchanged.
   */
  applySpan(patch: SpanPatch, now: string, json?: Uint8Array): SpanRecord {
    const old = this.span(patch.id);
    // A span seen for the first time is the patch itself (the store owns what it is given,
    // see TraceStoreApi.apply): one object fewer per span on the ingest path. Tags still go
    // through the merge, which removes duplicates.
    const span = old || patch.tags ? mergeRecord<SpanRecord>(old, patch, { id: patch.id, trace_id: this.id } as SpanRecord) : (patch as SpanRecord);
    const asArrived = span === patch && span.trace_id === this.id; // else the bytes are not this record's
    span.trace_id = this.id;
    this.replaceSpan(old, span);
    this.search.addTerm(patch.name);
    this.search.addTerm(patch.model);
    this.unsettled.push({ id: span.id, record: span, arrived: asArrived ? json : undefined });
    if (this.implicit && !this.trace.project_name && span.project_name) this.trace.project_name = span.project_name;
    const chunk = old ? this.chunkOfSpan(span.id) : this.placeSpan(span.id);
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
    const old = this.span(patch.id);
    if (!old) return undefined;
    const span: SpanRecord = { ...old, feedback_scores: applyScore(old.feedback_scores, patch, now) };
    if (!span.feedback_scores) delete span.feedback_scores;
    this.replaceSpan(old, span);
    this.unsettled.push({ id: span.id, record: span });
    this.touch(this.chunkOfSpan(span.id), now);
    return span;
  }

  private replaceSpan(old: SpanRecord | undefined, span: SpanRecord): void {
    if (old) addSpanToTotals(this.totals, old, -1);
    addSpanToTotals(this.totals, span, 1);
    this.spans.set(span.id, span);
    if (span.id === this.rootSpanId) this.rootRecord = span;
    if (!span.parent_span_id) {
      const root = this.rootRecord;
      if (!root || root.parent_span_id || root === span || compareTimes(startOf(span), startOf(root)) < 0) {
        this.rootSpanId = span.id;
        this.rootRecord = span;
      }
    }
    // The root span's input and output stand in for a trace's own missing ones (as in the summary).
    if (span === this.rootRecord && (this.trace.input === undefined || this.trace.output === undefined)) this.searchIoStale = true;
  }

  /** The lowercased text the logs filter searches besides the summary; the same string while nothing changed. */
  searchText(): string {
    if (this.searchIoStale) {
      const root = this.rootRecord;
      this.search.setInputOutput(this.trace.input ?? root?.input, this.trace.output ?? root?.output);
      this.searchIoStale = false;
    }
    return this.search.text();
  }

  /**
   * Turns the spans changed since the last call into bytes; the store calls it as each
   * `apply` ends. Bytes that arrived with a span are copied (a view would pin the whole
   * request body) into one block for all of them: one allocation, not one per span.
   */
  settle(): void {
    const changes = this.unsettled;
    this.unsettled = [];
    let size = 0;
    for (const c of changes) if (c.arrived && this.spans.get(c.id) === c.record) size += c.arrived.length;
    const block = size ? Buffer.allocUnsafe(size) : undefined;
    let at = 0;
    for (const { id, record, arrived } of changes) {
      if (this.spans.get(id) !== record) continue; // changed again since: a later entry has it
      if (arrived) {
        block!.set(arrived, at);
        this.spans.set(id, block!.subarray(at, (at += arrived.length)));
      } else {
        this.spans.set(id, Buffer.from(JSON.stringify(record)));
      }
    }
  }

  /** A span's bytes, made now (and kept) for a span read from disk and not changed since. */
  private bytesOf(id: string): Buffer {
    const held = this.spans.get(id)!;
    if (isBytes(held)) return held;
    const bytes = Buffer.from(JSON.stringify(held));
    this.spans.set(id, bytes);
    return bytes;
  }

  private chunkOfSpan(spanId: string): number {
    return this.chunkOf?.get(spanId) ?? 0;
  }

  /** Puts a new span at the end of the last chunk, or of a new one when it is full. */
  private placeSpan(spanId: string): number {
    let chunk = this.chunks.length - 1;
    if (this.chunks[chunk].length >= CHUNK_SPANS) chunk = this.newChunk();
    this.chunks[chunk].push(spanId);
    this.chunkOf?.set(spanId, chunk);
    return chunk;
  }

  private newChunk(): number {
    this.chunks.push([]);
    this.chunkOf ??= new Map(this.chunks[0].map((id) => [id, 0]));
    return this.chunks.length - 1;
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
    return this.rootRecord;
  }

  /**
   * A span as readers see it: defaults filled in (project from the trace) and status derived.
   * `own`: the record is a fresh parse nobody else holds, so it is filled in place.
   */
  present(span: SpanRecord, own = false): Span {
    const start = startOf(span);
    const out = own ? addDerived(span) : derive(span); // duration null for a span seen only through its end
    out.project_name = span.project_name || this.projectName;
    out.name = span.name ?? '';
    out.type = span.type ?? 'general';
    out.start_time = start;
    return out;
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
    for (const held of this.spans.values()) spans.push(isBytes(held) ? this.present(JSON.parse(held.toString()) as SpanRecord, true) : this.present(held));
    return { trace, spans };
  }

  /**
   * Chunk `n` as a pack unit (a TraceFileData or ChunkFileData with `chunk` and `seq`, see
   * packTable.ts), in JSON: its spans' bytes, not the spans serialised again, as pieces the
   * pack joins when it is written.
   */
  unitParts(chunk: number, seq: number): EncodedUnit {
    let head = `{"version":1,"trace_id":${JSON.stringify(this.id)},"chunk":${chunk},"seq":${seq}`;
    if (chunk === 0) {
      head += `,"trace":${JSON.stringify(this.trace)},"chunks":${this.chunks.length},"updated_at":${JSON.stringify(this.lastUpdatedAt)}`;
      if (this.implicit) head += ',"implicit":true';
    }
    const parts: Uint8Array[] = [Buffer.from(`${head},"spans":[`)];
    let size = parts[0].length + UNIT_TAIL.length;
    for (const id of this.chunks[chunk]) {
      const bytes = this.bytesOf(id);
      if (parts.length > 1) parts.push(COMMA), size++;
      parts.push(bytes);
      size += bytes.length;
    }
    parts.push(UNIT_TAIL);
    return { parts, size };
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
      if (c > 0) t.newChunk();
      for (const span of all[c]) {
        if (t.spans.has(span.id)) continue;
        t.chunks[c].push(span.id);
        t.chunkOf?.set(span.id, c);
        t.replaceSpan(undefined, span);
        t.search.addTerm(span.name);
        t.search.addTerm(span.model);
        if (t.implicit && !t.trace.project_name && span.project_name) t.trace.project_name = span.project_name;
      }
    }
    t.lastUpdatedAt = main.updated_at;
    return t;
  }
}

function isBytes(held: SpanRecord | Buffer | undefined): held is Buffer {
  return held instanceof Buffer;
}

const COMMA = Buffer.from(',');
const UNIT_TAIL = Buffer.from(']}');

/** A span first seen through its end has no start yet; it stands at its end until one arrives. */
function startOf(span: SpanRecord): string {
  return span.start_time || span.end_time || '';
}
