// Listeners (the live UI, the function index) hear which traces went. What retention removes
// during a flush must be said when it goes, not after the flush's later awaits: a trace sent
// again meanwhile was otherwise reported removed after it had arrived again, and a listener
// dropped a trace the store had. Found by the store fuzzer (storeOpsFuzz.test.ts).

import { describe, expect, it } from 'vitest';
import { normaliseNativeBatch } from '../../src/core/normalise/native';
import type { TraceStore } from '../../src/store/traceStore';
import { batch, spanStart, traceBatch } from '../support/builders';
import { storesOfEachTest } from '../support/stores';

const { newDir, openAt, closeStore } = storesOfEachTest();

function ingest(store: TraceStore, body: unknown) {
  const result = normaliseNativeBatch(body);
  if (!result.ok) throw new Error(JSON.stringify(result.details));
  store.apply(result.patches);
}

describe('traces retention removes during a flush', () => {
  it('are reported removed before they can arrive again, never after', async () => {
    const dir = newDir();
    let store = await openAt(dir);
    ingest(store, traceBatch('x', 3, 10_000)); // pack 1
    await closeStore(store);
    store = await openAt(dir);
    ingest(store, traceBatch('y', 3, 10_000)); // pack 2, with r, which stays
    ingest(store, batch(spanStart('r-s1', 'r')));
    await closeStore(store);
    store = await openAt(dir, { flushIntervalMs: 60_000 });
    const heard: string[] = [];
    store.onChange((change) => {
      for (const t of change.traces) heard.push(`+${t.id}`);
      for (const id of change.removed) heard.push(`-${id}`);
    });
    ingest(store, batch(spanStart('r-s2', 'r'))); // r changed since the flush before: retention moves it forward, reading pack 2 from disk
    store.setRetention({ maxBytes: 1 }); // both packs go with the next flush
    const flushing = store.flush();
    await new Promise((resolve) => setImmediate(resolve)); // pack 1 gone with x; pack 2 being read
    ingest(store, traceBatch('x', 2)); // x sent again meanwhile
    await flushing;
    expect(store.getSummary('x')?.span_count).toBe(2);
    expect(heard.filter((e) => e.endsWith('x')).at(-1)).toBe('+x'); // what a listener last heard of x: it is there
  });
});
