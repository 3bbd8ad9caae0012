// An update that names a span by id alone waits while the newest packs are searched for the
// span. The packs keep a deleted trace's events until they go, so the search can find the
// span in a trace that was deleted and then sent again under the same id: the update must
// not land in that new trace, which never had the span. It did, making a span out of an
// update (found by the store fuzzer, storeOpsFuzz.test.ts).

import { describe, expect, it } from 'vitest';
import { normaliseNativeBatch } from '../../src/core/normalise/native';
import type { TraceStore } from '../../src/store/traceStore';
import { batch, spanStart, traceStart } from '../support/builders';
import { storesOfEachTest } from '../support/stores';

const { newDir, openAt } = storesOfEachTest();

function ingest(store: TraceStore, body: unknown) {
  const result = normaliseNativeBatch(body);
  if (!result.ok) throw new Error(JSON.stringify(result.details));
  store.apply(result.patches);
}

describe('an update that names a span by id alone', () => {
  it('does not land in a trace deleted and sent again, whose old events still hold the span', async () => {
    const store = await openAt(newDir());
    ingest(store, batch(traceStart('t'), spanStart('t-old', 't')));
    store.deleteTraces(['t']);
    ingest(store, batch(traceStart('t'), spanStart('t-new', 't')));
    ingest(store, batch({ event: 'span_update', span: { id: 't-old', output: 'late' } }));
    await store.recalled; // the packs searched for t-old: found in the events of the deleted t
    expect((await store.getTrace('t'))?.spans.map((s) => s.id)).toEqual(['t-new']);
  });

  it('still lands in the trace that has the span, found in the packs', async () => {
    const dir = newDir();
    const store = await openAt(dir, { memory: { traces: 1, spans: 10 } });
    ingest(store, batch(traceStart('t'), spanStart('t-s1', 't')));
    for (let i = 0; i < 12; i++) ingest(store, batch(traceStart(`other${i}`), spanStart(`o${i}`, `other${i}`))); // t leaves memory
    await store.flush();
    ingest(store, batch({ event: 'span_update', span: { id: 't-s1', output: 'late' } }));
    await store.recalled;
    expect((await store.getTrace('t'))?.spans.find((s) => s.id === 't-s1')?.output).toBe('late');
  });
});
