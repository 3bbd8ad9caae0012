// One trace held in memory to take patches: its record, which spans it has, and the running
// totals its summary is made from. Patches merge in place and adjust the totals by the
// difference (a span's old contribution out, its new one in), so a span costs the same in a
// trace of ten spans as in one of a hundred thousand.
//
// A span is not kept, only where its patches are in the log (refs: an entry of `entries` and
// the patch's position in it; logEntry.ts). The objects a request was parsed into then die
// young, which is most of what keeping spans in memory used to cost (the garbage collector
// copied every span twice and marked it after), and a new span costs one Map entry. The rare
// update to a span that was stored earlier reads its patches back (decoding their entries,
// which stay in memory while recent) and folds them as they were applied, with `recordAfter`,
// the same step `apply` takes. Whole spans are made only for readers, by replaying the log.
//
// The text the logs filter searches (searchText.ts) is built on the same path: a span adds its
// name and model, the input and output are turned into text only when asked after they
// changed. A trace read back from the log replays every patch, so it gets the whole text again.

import {
  addDerived,
  addSpanToTotals,
  derive,
  emptyTotals,
  summariseTrace,
  type SpanTotals,
} from '../core/model/aggregates';
import { applyScore, mergeRecord } from '../core/model/merge';
import type {
  Patch,
  ScorePatch,
  Span,
  SpanPatch,
  SpanRecord,
  TraceDetail,
  TracePatch,
  TraceRecord,
  TraceSummary,
} from '../core/model/model';
import { compareTimes } from '../core/model/time';
import type { DecodedEntry, EntryLoc } from './logEntry';
import { SearchText } from './searchText';

export const DEFAULT_PROJECT = 'Default Project';

/** One ref, or the refs of a span changed more than once, oldest first. */
export type SpanRef = number | number[];
/** A ref is `entry index * REF_SCALE + position of the patch in the entry`. */
const REF_SCALE = 2 ** 24;

/** Reads the entries refs point into (kept decoded a while: updates come in runs). */
export interface EntryReader {
  decode(loc: EntryLoc): DecodedEntry;
}

export class LoadedTrace {
  /** For an implicit trace (spans only) a stand-in whose empty fields the root span fills. */
  trace: TraceRecord;
  implicit: boolean;
  /** Every span by id: where its patches are, or its record while the current apply changes it. */
  readonly spans = new Map<string, SpanRef | SpanRecord>();
  /** The entries holding this trace's span patches, oldest first (refs index into it). */
  readonly entries: EntryLoc[] = [];
  // The spans changed since the last `settle`, in order (parallel lists, kept between applies):
  // the patch's position among the apply's patches and among those applied, and the refs the
  // span had before this apply changed it.
  private readonly changed: string[] = [];
  private readonly changedAt: number[] = [];
  private readonly changedApplied: number[] = [];
  private readonly changedPrev: (SpanRef | undefined)[] = [];
  private prevRefs?: SpanRef;
  totals: SpanTotals = emptyTotals();
  private rootSpanId?: string;
  /** The root span's record, kept as an object: summaries read it on every change. */
  private rootRecord?: SpanRecord;
  lastUpdatedAt: string;
  /** What the logs filter searches besides the summary (searchText.ts). */
  private readonly search = new SearchText();
  /** The input or output the search text holds may have changed (the trace's, or the root span's standing in). */
  private searchIoStale = true;

  constructor(
    readonly id: string,
    now: string,
    private readonly reader: EntryReader,
  ) {
    this.trace = { id, project_name: '', name: '', start_time: '' };
    this.implicit = true;
    this.lastUpdatedAt = now;
  }

  /** The trace has ended and so has every span of it: nothing more is expected. */
  get finished(): boolean {
    return !this.implicit && this.trace.end_time !== undefined && this.totals.running_count === 0;
  }

  get projectName(): string {
    return this.trace.project_name || DEFAULT_PROJECT;
  }

  applyTrace(patch: TracePatch, now: string): void {
    if (this.implicit && onlyCodeVersion(patch)) {
      // An SDK that leaves the trace to its spans still says which code ran (docs/protocol.md,
      // "Code version"): noted on the stand-in, which stays a trace made from its spans.
      this.trace.code_version = patch.code_version;
      this.lastUpdatedAt = now;
      return;
    }
    if (this.implicit) {
      // The stand-in's empty fields must not survive as values once the real trace arrives.
      const kept: Partial<TraceRecord> = {
        id: this.id,
        project_name: this.trace.project_name,
        name: '',
        start_time: '',
      };
      if (this.trace.feedback_scores) kept.feedback_scores = this.trace.feedback_scores;
      if (this.trace.code_version) kept.code_version = this.trace.code_version;
      this.trace = mergeRecord<TraceRecord>(undefined, patch, kept);
      this.implicit = false;
    } else {
      this.trace = mergeRecord(this.trace, patch, {});
    }
    if (
      patch.input !== undefined ||
      patch.output !== undefined ||
      this.trace.input === undefined ||
      this.trace.output === undefined
    )
      this.searchIoStale = true;
    this.lastUpdatedAt = now;
  }

  /** The record of a span, read back from the log when it was stored earlier; undefined when unknown. */
  span(id: string): SpanRecord | undefined {
    const held = this.spans.get(id);
    this.prevRefs = undefined;
    if (held === undefined || isRecord(held)) return held;
    this.prevRefs = held;
    return this.resolve(held);
  }

  /**
   * Merges a span; returns the span as stored. `at`: the patch's position among the apply's
   * patches, `applied`: among those applied (see settle).
   */
  applySpan(patch: SpanPatch, now: string, at: number, applied: number): SpanRecord {
    const old = this.span(patch.id);
    const span = spanAfter(old, patch, this.id);
    this.replaceSpan(old, span, at, applied);
    this.search.addSpan(patch.name, patch.model);
    if (this.implicit && !this.trace.project_name && span.project_name) this.trace.project_name = span.project_name;
    this.lastUpdatedAt = now;
    return span;
  }

  /** Sets a score on the trace itself or on one of its spans; undefined when the span is unknown. */
  applyScore(patch: ScorePatch, now: string, at: number, applied: number): SpanRecord | 'trace' | undefined {
    if (patch.target === 'trace') {
      this.trace = { ...this.trace, feedback_scores: applyScore(this.trace.feedback_scores, patch, now) };
      if (!this.trace.feedback_scores) delete this.trace.feedback_scores;
      this.lastUpdatedAt = now;
      return 'trace';
    }
    const old = this.span(patch.id);
    if (!old) return undefined;
    const span = scoredSpan(old, patch, now);
    this.replaceSpan(old, span, at, applied);
    this.lastUpdatedAt = now;
    return span;
  }

  private replaceSpan(old: SpanRecord | undefined, span: SpanRecord, at: number, applied: number): void {
    if (old) addSpanToTotals(this.totals, old, -1);
    addSpanToTotals(this.totals, span, 1);
    this.spans.set(span.id, span);
    this.changed.push(span.id);
    this.changedAt.push(at);
    this.changedApplied.push(applied);
    this.changedPrev.push(this.prevRefs);
    if (span.id === this.rootSpanId) this.rootRecord = span;
    if (!span.parent_span_id) {
      const root = this.rootRecord;
      if (!root || root.parent_span_id || root === span || compareTimes(startOf(span), startOf(root)) < 0) {
        this.rootSpanId = span.id;
        this.rootRecord = span;
      }
    }
    // The root span's input and output stand in for a trace's own missing ones (as in the summary).
    if (span === this.rootRecord && (this.trace.input === undefined || this.trace.output === undefined))
      this.searchIoStale = true;
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
   * Turns the spans changed since the last call into refs to the entry the store logged the
   * apply as (`loc`); the store calls it as each `apply` ends. `exact`: the entry is the
   * request body, so a patch is where it was among the apply's patches; else the entry lists
   * only the patches applied.
   */
  settle(loc: EntryLoc, exact: boolean): void {
    const count = this.changed.length;
    if (count === 0) return;
    const base = this.entries.length * REF_SCALE;
    this.entries.push(loc);
    for (let k = 0; k < count; k++) {
      const id = this.changed[k];
      const ref = base + (exact ? this.changedAt[k] : this.changedApplied[k]);
      const held = this.spans.get(id)!;
      // The first change in this apply replaced the span's refs by its record; later ones see refs again.
      const before = isRecord(held) ? this.changedPrev[k] : held;
      this.spans.set(id, before === undefined ? ref : typeof before === 'number' ? [before, ref] : [...before, ref]);
    }
    this.changed.length = this.changedAt.length = this.changedApplied.length = this.changedPrev.length = 0;
  }

  /** A span's record from its refs: its patches folded in the order they were applied. */
  private resolve(refs: SpanRef): SpanRecord {
    if (typeof refs === 'number') return this.recordAt(undefined, refs);
    let record: SpanRecord | undefined;
    for (const ref of refs) record = this.recordAt(record, ref);
    return record!;
  }

  private recordAt(old: SpanRecord | undefined, ref: SpanRef & number): SpanRecord {
    const entry = this.reader.decode(this.entries[Math.floor(ref / REF_SCALE)]);
    return recordAfter(old, entry.patches[ref % REF_SCALE], this.id, entry.head.at);
  }

  summary(): TraceSummary {
    const summary = summariseTrace(this.trace, this.totals, {
      implicit: this.implicit,
      rootSpan: this.rootRecord,
      lastUpdatedAt: this.lastUpdatedAt,
    });
    summary.project_name = this.projectName;
    return summary;
  }

  /**
   * A span as readers see it: defaults filled in (project from the trace) and status derived.
   * `own`: the record is a fresh parse nobody else holds, so it is filled in place.
   */
  present(span: SpanRecord, own = false): Span {
    const out = own ? addDerived(span) : derive(span);
    out.project_name = span.project_name || this.projectName;
    out.name = span.name ?? '';
    out.type = span.type ?? 'general';
    out.start_time = startOf(span); // a span seen only through its end stands at its end
    return out;
  }

  /** The whole trace, from the records of its spans as a replay made them (fresh, so filled in place). */
  detail(records: Iterable<SpanRecord>): TraceDetail {
    const { input_preview, output_preview, ...fields } = this.summary();
    void input_preview, void output_preview;
    const trace: TraceDetail['trace'] = { ...fields };
    const root = this.rootRecord;
    const input = this.trace.input ?? (this.implicit ? root?.input : undefined);
    const output = this.trace.output ?? (this.implicit ? root?.output : undefined);
    if (input !== undefined) trace.input = input;
    if (output !== undefined) trace.output = output;
    const spans: Span[] = [];
    // The root's record is also this trace's own (summaries read it): that one is copied.
    for (const record of records) spans.push(this.present(record, record !== root));
    return { trace, spans };
  }
}

/** A trace patch that only names the code version: `{id, code_version}`. */
function onlyCodeVersion(patch: TracePatch): boolean {
  if (patch.code_version === undefined) return false;
  for (const key in patch)
    if (key !== 'id' && key !== 'code_version' && patch[key as keyof TracePatch] !== undefined) return false;
  return true;
}

function isRecord(held: SpanRef | SpanRecord): held is SpanRecord {
  return typeof held === 'object' && !Array.isArray(held);
}

/**
 * A span after a patch: the step `apply` takes and a read folds. A span seen for the first
 * time is the patch itself (the store owns what it is given, see TraceStoreApi.apply): one
 * object fewer per span on the ingest path. Tags still go through the merge, which removes
 * duplicates.
 */
function spanAfter(old: SpanRecord | undefined, patch: SpanPatch, traceId: string): SpanRecord {
  const span =
    old || patch.tags
      ? mergeRecord<SpanRecord>(old, patch, { id: patch.id, trace_id: traceId } as SpanRecord)
      : (patch as SpanRecord);
  span.trace_id = traceId;
  return span;
}

function scoredSpan(old: SpanRecord, patch: ScorePatch, now: string): SpanRecord {
  const span: SpanRecord = { ...old, feedback_scores: applyScore(old.feedback_scores, patch, now) };
  if (!span.feedback_scores) delete span.feedback_scores;
  return span;
}

/** A span after one of its logged patches (a span patch or a score on it), applied at `now`. */
export function recordAfter(old: SpanRecord | undefined, patch: Patch, traceId: string, now: string): SpanRecord {
  if (patch.kind === 'span') return spanAfter(old, patch.span, traceId);
  if (patch.kind === 'score' && old) return scoredSpan(old, patch.score, now);
  throw new Error('a span ref points at a patch that is not its own');
}

/** A span first seen through its end has no start yet; it stands at its end until one arrives. */
function startOf(span: SpanRecord): string {
  return span.start_time || span.end_time || '';
}
