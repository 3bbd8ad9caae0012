// Two bounded maps that let updates arrive before, or without the trace of, what they update:
// Opik sends a span's update before its create, and an update may name a span by id alone.

import type { Patch } from '../core/model';

/** Patches waiting for a span (`span:<id>`) or trace (`trace:<id>`) that has not arrived yet. */
export class HeldUpdates {
  private readonly waiting = new Map<string, Patch[]>();
  private dropped = 0;

  constructor(private readonly max: number, private readonly warn: (message: string) => void) {}

  get size(): number {
    return this.waiting.size;
  }

  hold(key: string, patch: Patch): void {
    const list = this.waiting.get(key);
    if (list) return void list.push(patch);
    if (this.waiting.size >= this.max) {
      const oldest = this.waiting.keys().next().value!;
      this.waiting.delete(oldest);
      if (this.dropped++ % 1000 === 0) this.warn(`Spanscope: dropped updates for ${oldest.replace(':', ' ')}, which never arrived (${this.dropped} so far)`);
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
 */
export class SpanIndex {
  private readonly traceOf = new Map<string, string>();

  constructor(private readonly max: number) {}

  get(spanId: string): string | undefined {
    return this.traceOf.get(spanId);
  }

  set(spanId: string, traceId: string): void {
    this.traceOf.set(spanId, traceId);
    if (this.traceOf.size <= this.max) return;
    let drop = Math.ceil(this.max / 10);
    for (const oldest of this.traceOf.keys()) {
      this.traceOf.delete(oldest);
      if (--drop <= 0) break;
    }
  }

  delete(spanId: string): void {
    this.traceOf.delete(spanId);
  }
}
