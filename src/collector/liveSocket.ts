// `/api/live`: store changes pushed to the web UI. Changes are merged per connection and sent
// at most once per interval, with a leading edge (a lone change goes out at once, so a span's
// end is visible within milliseconds) and a trailing one (a burst of ten thousand spans is a
// handful of messages, never one per span). A slow reader's messages merge instead of queueing.

import type { WebSocket } from 'ws';
import type { Span, TraceSummary } from '../core/model/model';
import type { StoreChange, TraceStoreApi } from '../store/types';

export const LIVE_INTERVAL_MS = 100;
/** Above this many bytes waiting in a socket, hold further messages (they keep merging). */
const MAX_BUFFERED = 4 * 1024 * 1024;

export class LiveHub {
  private readonly connections = new Set<LiveConnection>();
  /** Subscribed only while someone listens: with no listener the store skips building change lists. */
  private unsubscribe?: () => void;

  constructor(
    private readonly store: TraceStoreApi,
    private readonly version: string,
    private readonly intervalMs = LIVE_INTERVAL_MS,
    private readonly log: (message: string) => void = (m) => console.warn(m),
  ) {}

  connect(ws: WebSocket): void {
    const connection = new LiveConnection(ws, this.intervalMs, this.log);
    this.connections.add(connection);
    this.unsubscribe ??= this.store.onChange((change) => {
      for (const c of this.connections) c.add(change);
    });
    ws.on('close', () => {
      connection.dispose();
      this.connections.delete(connection);
      if (this.connections.size === 0) this.stopListening();
    });
    ws.send(JSON.stringify({ type: 'hello', version: this.version }));
  }

  private stopListening(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  close(): void {
    this.stopListening();
    for (const c of this.connections) c.dispose();
    this.connections.clear();
  }
}

class LiveConnection {
  private watched = new Set<string>();
  private traces = new Map<string, TraceSummary>();
  private removed = new Set<string>();
  private spans = new Map<string, Map<string, Span>>();
  private timer?: { cancel(): void };
  private lastSent = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly intervalMs: number,
    private readonly log: (message: string) => void,
  ) {
    ws.on('message', (data) => this.onMessage(data.toString()));
  }

  private onMessage(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return this.sendNow({ type: 'error', error: 'malformed JSON' });
    }
    const m = msg as { type?: unknown; trace_ids?: unknown };
    if (m?.type === 'watch' && Array.isArray(m.trace_ids) && m.trace_ids.every((id) => typeof id === 'string')) {
      this.watched = new Set(m.trace_ids as string[]);
      for (const id of this.spans.keys()) if (!this.watched.has(id)) this.spans.delete(id);
    } else {
      this.sendNow({ type: 'error', error: 'expected {"type": "watch", "trace_ids": [...]}' });
    }
  }

  add(change: StoreChange): void {
    for (const id of change.removed) {
      this.removed.add(id);
      this.traces.delete(id);
      this.spans.delete(id);
    }
    for (const summary of change.traces) {
      this.traces.set(summary.id, summary);
      this.removed.delete(summary.id);
    }
    for (const traceId of change.spans.keys()) {
      if (!this.watched.has(traceId)) continue; // unwatched spans are never even built
      let pending = this.spans.get(traceId);
      if (!pending) this.spans.set(traceId, (pending = new Map()));
      for (const span of change.spans.get(traceId)!) pending.set(span.id, span);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.isEmpty()) return;
    const wait = Math.max(0, this.lastSent + this.intervalMs - Date.now());
    // Even the leading edge waits for the current turn to finish, so the changes of one
    // request (or of several arriving together) travel as one message.
    this.timer = later(wait, () => this.send());
  }

  private send(): void {
    this.timer = undefined;
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > MAX_BUFFERED) {
      this.timer = later(this.intervalMs, () => this.send());
      return;
    }
    const message = {
      type: 'changes',
      traces: [...this.traces.values()],
      removed: [...this.removed],
      spans: [...this.spans].map(([trace_id, spans]) => ({ trace_id, spans: [...spans.values()] })),
    };
    this.traces = new Map();
    this.removed = new Set();
    this.spans = new Map();
    this.lastSent = Date.now();
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (err) {
      // Runs from a timer, where a throw would end the process. Input is bounded at ingest
      // (core/normalise/limits.ts), so this is a last line of defence: the reader refetches on resync.
      this.log(`Spanscope: a live update could not be serialised and was dropped: ${(err as Error).message}`);
      return this.sendNow({ type: 'error', error: 'a change could not be sent; reload to see the latest state' });
    }
    this.ws.send(text);
  }

  private sendNow(message: object): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(message));
  }

  private isEmpty(): boolean {
    return this.traces.size === 0 && this.removed.size === 0 && this.spans.size === 0;
  }

  dispose(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}

/** setImmediate for no wait (after the current turn), setTimeout otherwise. */
function later(ms: number, fn: () => void): { cancel(): void } {
  if (ms <= 0) {
    const handle = setImmediate(fn);
    return { cancel: () => clearImmediate(handle) };
  }
  const handle = setTimeout(fn, ms);
  return { cancel: () => clearTimeout(handle) };
}
