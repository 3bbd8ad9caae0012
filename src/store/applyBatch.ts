// What one `apply` touched: each trace once, and each changed span at its last version. The
// store turns it into one summary update per trace and one change for listeners.

import type { SpanRecord } from '../core/model';
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
