// Issue 13's real cause: a score named `__proto__` on a span. The store's running totals kept
// score sums in a plain object, so `acc["__proto__"] ??= …` found Object.prototype and wrote
// `sum` and `count` onto it, for every object in the process. Stored bodies then no longer
// normalised again (every object had two unknown fields), each read found "damaged" entries,
// and healthy packs were moved aside, many at once: the fuzzer's seven packs in 6 ms.

import { afterEach, describe, expect, it } from 'vitest';
import { normaliseNativeBatch } from '../../src/core/normalise/native';
import type { TraceStore } from '../../src/store/traceStore';
import { batch, score, traceBatch } from '../support/builders';
import { storesOfEachTest } from '../support/stores';

const { newDir, openAt, closeStore } = storesOfEachTest();

function ingest(store: TraceStore, body: unknown) {
  const result = normaliseNativeBatch(body);
  if (!result.ok) throw new Error(JSON.stringify(result.details));
  store.apply(result.patches);
}

afterEach(() => {
  // A failure must not leave the rest of this process's tests on a polluted prototype.
  for (const key of Object.keys(Object.prototype)) delete (Object.prototype as Record<string, unknown>)[key];
});

describe('scores named like object keys', () => {
  it('leave Object.prototype alone, and the traces stored before read back whole, with no pack judged damaged', async () => {
    const dir = newDir();
    let store = await openAt(dir);
    for (const id of ['a', 'b']) ingest(store, traceBatch(id, 3));
    await closeStore(store);
    store = await openAt(dir); // reads of a and b replay their stored bodies
    for (const name of ['__proto__', 'constructor', 'toString'])
      ingest(store, batch(score('span', 'b-s1', name, 1, { trace_id: 'b' })));
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect((await store.getTrace('a'))?.spans).toHaveLength(3);
    const b = await store.getTrace('b');
    expect(b?.spans.find((s) => s.id === 'b-s1')?.feedback_scores?.map((s) => s.name)).toEqual([
      '__proto__',
      'constructor',
      'toString',
    ]);
    expect(Object.getOwnPropertyDescriptor(store.getSummary('b')!.score_averages, '__proto__')?.value).toEqual({
      avg: 1,
      count: 1,
    });
    expect(store.warnings).toEqual([]);
  });
});
