// The last few traces read whole, kept as the replay made them. A trace a person has open is
// read again and again (the panel, the sidebar, a score checks its span), and replaying a
// 10k-span trace from the log costs far more than handing out what the last read made. An
// apply that touches a trace, a deletion, retention or a damaged pack drops it (the store
// calls `drop`); the next read replays.
//
// Readers share what is kept, so it is frozen, all the way down, and each read gets its own
// trace object, span list and span objects (copied key by key): a reader that changes what
// it was given changes its copy, and one that reaches into a shared value (an input, the
// scores) gets a TypeError instead of changing what the next reader sees.

import type { Span, TraceDetail } from '../core/model/model';

/** Traces kept, and the bytes of the log entries their replays read, summed over them. */
export const READ_CACHE_LIMITS = { traces: 8, bytes: 48 * 1024 * 1024 };

interface Kept {
  detail: TraceDetail;
  /** The detail as the read API sends it, made at the first such read. */
  json?: Buffer;
  bytes: number;
}

export class ReadCache {
  /** Least recently read first. */
  private readonly kept = new Map<string, Kept>();
  private bytes = 0;

  constructor(private readonly limits = READ_CACHE_LIMITS) {}

  /** A copy of the trace as last read, or undefined when it is not kept. */
  get(traceId: string): TraceDetail | undefined {
    const kept = this.kept.get(traceId);
    if (!kept) return undefined;
    this.kept.delete(traceId);
    this.kept.set(traceId, kept);
    return copyOf(kept.detail);
  }

  /**
   * Keeps a trace just replayed (freezing it: the caller must not hold on to `detail` to
   * change it) and returns the caller's copy. `bytes`: what the replay read, its weight here.
   */
  put(traceId: string, detail: TraceDetail, bytes: number): TraceDetail {
    this.drop(traceId);
    if (bytes > this.limits.bytes) return detail; // too big to keep: it would push out every other
    deepFreeze(detail);
    this.kept.set(traceId, { detail, bytes });
    this.bytes += bytes;
    this.trim(traceId);
    return copyOf(detail);
  }

  /** Least recently read out until within the limits, sparing `current`. */
  private trim(current: string): void {
    for (const id of this.kept.keys()) {
      if (this.kept.size <= this.limits.traces && this.bytes <= this.limits.bytes) break;
      if (id !== current) this.drop(id);
    }
  }

  /**
   * The trace as last read, serialised (JSON.stringify of what `get` returns), or undefined
   * when it is not kept. Made once per kept trace: the read API sends a trace a person has
   * open again and again, and serialising a 10k-span trace took longer than the rest of the
   * request. Weighs on the byte limit from then on.
   */
  json(traceId: string): Buffer | undefined {
    const kept = this.kept.get(traceId);
    if (!kept) return undefined;
    this.kept.delete(traceId);
    this.kept.set(traceId, kept);
    if (kept.json) return kept.json;
    const json = Buffer.from(JSON.stringify(kept.detail));
    if (kept.bytes + json.length > this.limits.bytes) return json; // kept, it would push out every other
    kept.json = json;
    this.bytes += json.length;
    this.trim(traceId);
    return json;
  }

  drop(traceId: string): void {
    const kept = this.kept.get(traceId);
    if (!kept) return;
    this.kept.delete(traceId);
    this.bytes -= kept.bytes + (kept.json?.length ?? 0);
  }

  clear(): void {
    this.kept.clear();
    this.bytes = 0;
  }

  get size(): number {
    return this.kept.size;
  }
}

function copyOf(detail: TraceDetail): TraceDetail {
  const spans: Span[] = new Array(detail.spans.length);
  for (let i = 0; i < spans.length; i++) spans[i] = copyKeys(detail.spans[i]);
  return { trace: copyKeys(detail.trace), spans };
}

/** Key by key: object spread is several times slower for these (see derive in aggregates.ts). */
function copyKeys<T extends object>(from: T): T {
  const out: Record<string, unknown> = {};
  for (const key in from) out[key] = from[key];
  return out as T;
}

/** Iterative: a trace's values are bounded in depth at ingest (core/normalise/limits.ts), but a store written before that may hold deeper ones. */
function deepFreeze(value: unknown): void {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || Object.isFrozen(v)) continue;
    Object.freeze(v);
    if (Array.isArray(v)) for (const item of v) stack.push(item);
    else for (const key in v) stack.push((v as Record<string, unknown>)[key]);
  }
}
