// What one `apply` touched: each trace once, and each changed span at its last version. The
// store turns it into one summary update per trace and one change for listeners.

import type { Span, SpanRecord } from '../core/model/model';
import type { LoadedTrace } from './loadedTrace';

/** What one `apply` touched: each trace once, and each changed span (last version). */
export class Batch {
  readonly traces = new Map<string, LoadedTrace>();
  readonly spans = new Map<string, Map<string, SpanRecord>>();
  private last?: LoadedTrace;

  /** `collectSpans` false when nobody listens: then only the touched traces matter. */
  constructor(private readonly collectSpans: boolean) {}

  touch(trace: LoadedTrace, span?: SpanRecord): void {
    if (this.last !== trace) {
      this.traces.set(trace.id, trace);
      this.last = trace;
    }
    if (!span || !this.collectSpans) return;
    let changed = this.spans.get(trace.id);
    if (!changed) this.spans.set(trace.id, (changed = new Map()));
    changed.set(span.id, span);
  }
}

/**
 * The changed spans of a StoreChange, turned into what readers see (status, duration,
 * defaults) only when read: a listener that follows two traces does not pay for the spans
 * of the thousand others an ingest burst touched.
 */
export class LazySpans extends Map<string, Span[]> {
  constructor(
    private readonly make: (traceId: string) => Span[],
    traceIds: Iterable<string>,
  ) {
    super();
    for (const id of traceIds) super.set(id, undefined as unknown as Span[]);
  }

  override get(traceId: string): Span[] | undefined {
    let spans = super.get(traceId);
    if (spans === undefined && super.has(traceId)) super.set(traceId, (spans = this.make(traceId)));
    return spans;
  }

  override *entries(): MapIterator<[string, Span[]]> {
    for (const id of super.keys()) yield [id, this.get(id)!];
  }

  override *values(): MapIterator<Span[]> {
    for (const id of super.keys()) yield this.get(id)!;
  }

  override [Symbol.iterator](): MapIterator<[string, Span[]]> {
    return this.entries();
  }

  override forEach(
    callback: (spans: Span[], traceId: string, map: Map<string, Span[]>) => void,
    thisArg?: unknown,
  ): void {
    for (const [id, spans] of this.entries()) callback.call(thisArg, spans, id, this);
  }
}
