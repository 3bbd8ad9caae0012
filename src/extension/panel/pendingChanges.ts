// Store changes waiting for the next push to the webview. Later news of a trace or span
// replaces earlier news of it, a deletion cancels pending updates (and a later update cancels
// the deletion), and spans are kept only for traces the webview watches, so a push carries
// what changed since the last one and nothing else.

import type { Span, TraceSummary } from '../../core/model/model';
import type { StoreChange } from '../../store/types';
import type { Changes } from '../../shared/protocol';

export class PendingChanges {
  private traces = new Map<string, TraceSummary>();
  private removed = new Set<string>();
  private spans = new Map<string, Map<string, Span>>();

  get isEmpty(): boolean {
    return this.traces.size === 0 && this.removed.size === 0 && this.spans.size === 0;
  }

  add(change: StoreChange, watched: { has(traceId: string): boolean }): void {
    for (const t of change.traces) {
      this.traces.set(t.id, t);
      this.removed.delete(t.id);
    }
    for (const id of change.removed) {
      this.traces.delete(id);
      this.spans.delete(id);
      this.removed.add(id);
    }
    // keys() then get(): a change's span lists are built on read, and only watched traces matter.
    for (const traceId of change.spans.keys()) {
      if (!watched.has(traceId) || this.removed.has(traceId)) continue;
      let byId = this.spans.get(traceId);
      if (!byId) this.spans.set(traceId, (byId = new Map()));
      for (const s of change.spans.get(traceId) ?? []) byId.set(s.id, s);
    }
  }

  /** Drops spans of traces no longer watched (the webview asks for a whole trace when it watches anew). */
  retainWatched(watched: { has(traceId: string): boolean }): void {
    for (const id of this.spans.keys()) if (!watched.has(id)) this.spans.delete(id);
  }

  /** The batch to send, and an empty queue. */
  take(): Changes | undefined {
    if (this.isEmpty) return undefined;
    const out: Changes = {
      traces: [...this.traces.values()],
      removed: [...this.removed],
      spans: [...this.spans].map(([trace_id, byId]) => ({ trace_id, spans: [...byId.values()] })),
    };
    this.clear();
    return out;
  }

  clear(): void {
    this.traces = new Map();
    this.removed = new Set();
    this.spans = new Map();
  }
}
