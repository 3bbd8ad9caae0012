// Issue 13 item 9: ids that are also the names of Object.prototype's keys (`__proto__`,
// `constructor`, `hasOwnProperty`, `toString`) key traces, spans and tombstones like any
// other id, in memory and in the index segments on disk, across a clean restart.

import { describe, expect, it } from 'vitest';
import { normaliseNativeBatch } from '../../src/core/normalise/native';
import type { TraceStore } from '../../src/store/traceStore';
import { batch, spanEnd, spanStart, traceEnd, traceStart } from '../support/builders';
import { storesOfEachTest } from '../support/stores';

const { newDir, openAt, closeStore } = storesOfEachTest();
const IDS = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf', '0', '12'];

function ingest(store: TraceStore, body: unknown) {
  const result = normaliseNativeBatch(body);
  if (!result.ok) throw new Error(JSON.stringify(result.details));
  store.apply(result.patches);
}

describe('ids that are object keys', () => {
  it('survive a clean restart as traces and as spans, and their deletion survives too', async () => {
    const dir = newDir();
    let store = await openAt(dir);
    for (const id of IDS) ingest(store, batch(traceStart(id), spanStart(id, id), spanEnd(id, id), traceEnd(id)));
    ingest(store, batch(traceStart('gone')));
    await closeStore(store);
    store = await openAt(dir);
    expect(store.warnings).toEqual([]);
    expect(
      store
        .listTraces()
        .map((t) => t.id)
        .sort(),
    ).toEqual([...IDS, 'gone'].sort());
    for (const id of IDS) {
      expect(store.getSummary(id)?.name).toBe(`trace ${id}`);
      const detail = await store.getTrace(id);
      expect(detail?.spans.map((s) => s.id)).toEqual([id]);
    }
    store.deleteTraces(['__proto__', 'constructor']);
    await closeStore(store);
    store = await openAt(dir);
    expect(
      store
        .listTraces()
        .map((t) => t.id)
        .sort(),
    ).toEqual(['0', '12', 'gone', 'hasOwnProperty', 'toString', 'valueOf']);
  });
});
