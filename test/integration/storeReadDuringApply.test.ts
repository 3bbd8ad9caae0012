// A whole-trace read awaits the disk; an apply to the same trace may land meanwhile. The read
// may answer with the trace as it was when it began, but what it keeps for the next reads
// (readCache.ts) must not miss that apply. It did: the apply grew the trace's last extent in
// place, the read took its bytes read before the apply for the grown extent, and every later
// read served the trace without the apply until it changed again.

import { describe, expect, it } from 'vitest';
import { normaliseNativeBatch } from '../../src/core/normalise/native';
import type { TraceStore } from '../../src/store/traceStore';
import { batch, spanStart, traceStart } from '../support/builders';
import { storesOfEachTest } from '../support/stores';

const { newDir, openAt, closeStore } = storesOfEachTest();

function ingest(store: TraceStore, body: unknown) {
  const result = normaliseNativeBatch(body);
  if (!result.ok) throw new Error(JSON.stringify(result.details));
  store.apply(result.patches);
}

describe('a read that overlaps an apply to the same trace', () => {
  it('keeps nothing stale: the next read has the apply', async () => {
    const dir = newDir();
    let store = await openAt(dir);
    ingest(store, batch(traceStart('t'), spanStart('s1', 't')));
    await closeStore(store);
    store = await openAt(dir); // pack 1 on disk: a read of t awaits the file
    ingest(store, batch(spanStart('s2', 't'))); // into the open pack, in memory
    const reading = store.getTrace('t');
    ingest(store, batch(spanStart('s3', 't'))); // while the read awaits: the same extent grows
    const first = await reading;
    expect(first?.spans.map((s) => s.id)).toEqual(expect.arrayContaining(['s1', 's2']));
    const next = await store.getTrace('t');
    expect(next?.spans.map((s) => s.id).sort()).toEqual(['s1', 's2', 's3']);
  });
});
