// Two bounded maps that let updates arrive before, or without the trace of, what they update:
// Opik sends a span's update before its create, and an update may name a span by id alone.

import type { Patch } from '../core/model/model';

/** Patches waiting for a span (`span:<id>`) or trace (`trace:<id>`) that has not arrived yet. */
export class HeldUpdates {
  private readonly waiting = new Map<string, Patch[]>();
  private dropped = 0;

  constructor(
    private readonly max: number,
    private readonly warn: (message: string) => void,
  ) {}

  get size(): number {
    return this.waiting.size;
  }

  hold(key: string, patch: Patch): void {
    const list = this.waiting.get(key);
    if (list) return void list.push(patch);
    if (this.waiting.size >= this.max) {
      const oldest = this.waiting.keys().next().value!;
      this.waiting.delete(oldest);
      if (this.dropped++ % 1000 === 0)
        this.warn(
          `Spanscope: dropped updates for ${oldest.replace(':', ' ')}, which never arrived (${this.dropped} so far)`,
        );
    }
    this.waiting.set(key, [patch]);
  }

  /** Everything waiting, oldest first (to be saved at close). */
  entries(): [string, Patch[]][] {
    return [...this.waiting];
  }

  /** Keys of spans (`span:<id>`) that updates wait for. */
  spanIds(): string[] {
    return [...this.waiting.keys()].filter((k) => k.startsWith('span:')).map((k) => k.slice(5));
  }

  /** The patches waiting for `key`, which stop waiting. */
  take(key: string): Patch[] | undefined {
    const list = this.waiting.get(key);
    if (list) this.waiting.delete(key);
    return list;
  }
}

/**
 * Span id → trace id, for the spans seen lately rather than every span ever stored: entries
 * of traces that retention removed from disk without loading them would otherwise pile up in
 * a collector that runs for weeks. An update for a span forgotten here needs its trace_id.
 *
 * Two generations of at most max/2 entries each: when the newer one fills up it becomes the
 * older one and the oldest generation is dropped whole. Deleting the oldest entries one by
 * one from a single big Map cost several times more per span (the table is rehashed around
 * the holes), and this runs for every span ingested.
 */
export class SpanIndex<V = string> {
  private newer = new Map<string, V>();
  private older = new Map<string, V>();

  constructor(private readonly max: number) {}

  get(spanId: string): V | undefined {
    return this.newer.get(spanId) ?? this.older.get(spanId);
  }

  set(spanId: string, traceId: V): void {
    this.newer.set(spanId, traceId);
    if (this.newer.size < this.max / 2) return;
    this.older = this.newer;
    this.newer = new Map();
  }

  delete(spanId: string): void {
    this.newer.delete(spanId);
    this.older.delete(spanId);
  }
}
