// What one `apply` (or one release of held updates) has done so far: the patches applied, in
// order, with the trace each went to — the log entry is made of them unless the request body
// can stand for them — and the traces and spans touched (applyBatch.ts). One per apply, so
// nothing of an apply outlives it and a failed one leaves no state to reset by hand.

import type { Patch, SpanRecord } from '../core/model/model';
import { Batch } from './applyBatch';
import type { LoadedTrace } from './loadedTrace';

export class ApplyContext {
  /** The trace each applied patch went to, parallel to `patches`. */
  readonly traces: string[] = [];
  readonly patches: Patch[] = [];
  readonly batch: Batch;
  /**
   * Whether the request body can stand for the patches in the log: while every patch is
   * applied at once, in order, to the trace it names itself, replaying the body does exactly
   * what the apply did (docs/store.md, "The log").
   */
  exact: boolean;

  constructor(
    /** The apply's time: what its patches were applied at, and its entry's `at`. */
    readonly now: string,
    bodyGiven: boolean,
    collectSpans: boolean,
  ) {
    this.exact = bodyGiven;
    this.batch = new Batch(collectSpans);
  }

  applied(trace: LoadedTrace, patch: Patch, span?: SpanRecord): void {
    this.traces.push(trace.id);
    this.patches.push(patch);
    this.batch.touch(trace, span);
  }

  /** Patches applied so far: a new span's position among them (LoadedTrace.applySpan's `applied`). */
  get count(): number {
    return this.patches.length;
  }
}
