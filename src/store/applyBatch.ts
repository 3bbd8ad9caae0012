// What one `apply` touched: each trace once, and each changed span at its last version. The
// store turns it into one summary update per trace and one change for listeners.

import type { SpanRecord } from '../core/model';
import type { LoadedTrace } from './loadedTrace';

/** What one `apply` touched: each trace once, and each changed span (last version). */
export class Batch {
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
