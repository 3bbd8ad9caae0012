// The traces the store holds in memory to take patches (loadedTrace.ts), and when they leave.
// A trace not here is read back from the log when something comes for it (`readBack`), so
// what is kept is a matter of cost, never of correctness:
//
// - by count and by spans summed over them (least recently used out, at each flush), but
//   never one written to since the flush before: a trace bigger than the limits alone, still
//   receiving spans, was dropped by every flush and read back whole by the next batch
//   (1.5–4 s per 10k spans past 220k); it leaves once it goes quiet;
// - a trace that has ended, with every span ended, sooner: once KEEP_FINISHED traces finished
//   after it. Kept to the limits, a busy collector's finished traces outlived many young
//   collections and were promoted, and collecting them from the old space cost more than
//   anything else ingest did beyond parsing. The last few stay, so what a person does right
//   after a run (feedback on a span named by id alone) needs no search. A finished trace
//   changed again anyway (spans sent after their trace's end) stays like any other, so it is
//   read back once, not once per batch.

import type { LoadedTrace } from './loadedTrace';
import type { ReadCache } from './readCache';

/** Finished traces kept in memory besides those changed since (see `settle`). */
const KEEP_FINISHED = 8;

export interface WorkingSetLimits {
  traces: number;
  spans: number;
}

export class WorkingSet {
  /** Least recently used first. */
  private readonly traces = new Map<string, LoadedTrace>();
  private lastUsed?: LoadedTrace;
  /**
   * Finished traces that were changed again after they left memory: kept from then on, as
   * anything else is. Bounded by clearing (at worst a trace is read back once more).
   */
  private readonly reopened = new Set<string>();
  /** Finished traces in memory, the last finished last. */
  private readonly lastFinished = new Set<string>();

  constructor(
    private readonly limits: WorkingSetLimits,
    /** The traces read whole (what readers were given): dropped with a trace's memory when it changes. */
    private readonly reads: ReadCache,
  ) {}

  /** The trace in memory; the one used last is found without hashing its id (a batch's patches mostly name one trace). */
  get(id: string): LoadedTrace | undefined {
    if (this.lastUsed?.id === id) return this.lastUsed;
    const trace = this.traces.get(id);
    if (trace) {
      // Most recently used goes last; a batch's spans mostly share one trace, already last.
      this.traces.delete(id);
      this.traces.set(id, trace);
      this.lastUsed = trace;
    }
    return trace;
  }

  has(id: string): boolean {
    return this.traces.has(id);
  }

  /** Keeps a trace just made or read back; `reopened`: a finished trace read back to be changed (it stays from now on). */
  remember(trace: LoadedTrace, reopened = false): void {
    if (reopened) {
      if (this.reopened.size >= this.limits.traces * 5) this.reopened.clear();
      this.reopened.add(trace.id);
    }
    this.traces.set(trace.id, trace);
    this.lastUsed = trace;
  }

  /** The trace in memory that has the span, if any. */
  traceOfSpan(spanId: string): string | undefined {
    if (this.lastUsed?.spans.has(spanId)) return this.lastUsed.id;
    for (const trace of this.traces.values()) if (trace.spans.has(spanId)) return trace.id;
    return undefined;
  }

  /** The id of the trace a patch was being applied to last (a failed apply drops it). */
  get current(): string | undefined {
    return this.lastUsed?.id;
  }

  /** Forgets what memory holds of a trace, what readers were given included; false when it held nothing. */
  unload(id: string): boolean {
    this.reads.drop(id);
    this.lastFinished.delete(id);
    return this.leave(id);
  }

  /** Drops a trace from the traces that take patches; what readers were given stays. */
  private leave(id: string): boolean {
    if (this.lastUsed?.id === id) this.lastUsed = undefined;
    return this.traces.delete(id);
  }

  /** After an apply changed `trace`: a finished one pushes out the finished trace KEEP_FINISHED before it. */
  settle(trace: LoadedTrace): void {
    if (!trace.finished || this.reopened.has(trace.id)) return;
    this.lastFinished.delete(trace.id);
    this.lastFinished.add(trace.id);
    if (this.lastFinished.size <= KEEP_FINISHED) return;
    const oldest = this.lastFinished.values().next().value!;
    this.lastFinished.delete(oldest);
    if (this.traces.get(oldest)?.finished) this.leave(oldest);
  }

  /**
   * Least recently used out until within the limits, sparing the traces written to since the
   * flush before (`recent`) or since this one began (`busy`).
   */
  evict(recent?: ReadonlySet<string>, busy?: ReadonlySet<string>): void {
    let spans = 0;
    for (const t of this.traces.values()) spans += t.spans.size;
    for (const [id, trace] of this.traces) {
      if (this.traces.size <= this.limits.traces && spans <= this.limits.spans) break;
      if (recent?.has(id) || busy?.has(id)) continue;
      this.leave(id);
      spans -= trace.spans.size;
    }
  }
}
