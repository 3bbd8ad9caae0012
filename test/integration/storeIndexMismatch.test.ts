// Issue 13: a read that finds a pack not as the index says is not proof the pack is damaged.
// When every entry in it checks out, the index in memory is what is wrong: the pack stays,
// the trace reads, and a warning names the inconsistency. Only bytes that are damaged move a
// pack aside, each pack judged by its own bytes, so one bad read condemns no other pack, and
// a repair that can not help never loops. The wrong extents here are made by hand, standing
// for the bugs that made them (a pack taken as written too early, storeFlushRace.test.ts).

import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normaliseNativeBatch } from '../../src/core/normalise/native';
import type { TraceIndex } from '../../src/store/traceIndex';
import type { TraceStore } from '../../src/store/traceStore';
import { batch, spanEnd, traceBatch } from '../support/builders';
import { type TestStore, storesOfEachTest } from '../support/stores';

const { newDir, openAt, closeStore } = storesOfEachTest();

function ingest(store: TraceStore, body: unknown) {
  const result = normaliseNativeBatch(body);
  if (!result.ok) throw new Error(JSON.stringify(result.details));
  store.apply(result.patches);
}

/** The store's index in memory: what these tests make wrong on purpose. */
const indexOf = (store: TraceStore) => (store as unknown as { index: TraceIndex }).index;
const extentsOf = (store: TraceStore, id: string) => indexOf(store).get(id)!.extents;
const setAside = (dir: string) => readdirSync(join(dir, 'packs')).filter((f) => f.includes('.corrupt-'));
const ids = (store: TraceStore) =>
  store
    .listTraces({ limit: 1000 })
    .map((t) => t.id)
    .sort();
const MISMATCH = /not holding the entries the index says are there, but every entry in it checks out/;

/** Traces a, b, c in pack 1, on disk; the store reopened, so every read goes to the file. */
async function reopenedWithThree(): Promise<{ dir: string; store: TestStore }> {
  const dir = newDir();
  const first = await openAt(dir);
  for (const id of ['a', 'b', 'c']) ingest(first, traceBatch(id, 3));
  await closeStore(first);
  return { dir, store: await openAt(dir) };
}

describe('a read that disagrees with a pack whose every entry checks out', () => {
  it('keeps the file, reads the trace, and names the inconsistency (an extent that no longer starts at an entry)', async () => {
    const { dir, store } = await reopenedWithThree();
    extentsOf(store, 'b')[0][1] += 7;
    expect((await store.getTrace('b'))?.spans).toHaveLength(3);
    expect(store.warnings.join('\n')).toMatch(MISMATCH);
    expect(store.warnings.join('\n')).toMatch(/Kept the file .*"b"/);
    expect(setAside(dir)).toEqual([]);
    expect(ids(store)).toEqual(['a', 'b', 'c']);
    for (const id of ['a', 'c']) expect((await store.getTrace(id))?.spans).toHaveLength(3);
    await closeStore(store);
    const again = await openAt(dir); // the repaired extents were written to the index
    expect(again.warnings).toEqual([]);
    expect((await again.getTrace('b'))?.spans).toHaveLength(3);
  });

  it('keeps the file when the index points past its end, as a pack taken as written too early left it', async () => {
    const { dir, store } = await reopenedWithThree();
    const extents = extentsOf(store, 'c');
    extents.push([1, extents[0][2] + 2, extents[0][2] + 5000]);
    expect((await store.getTrace('c'))?.spans).toHaveLength(3);
    expect(store.warnings.join('\n')).toMatch(MISMATCH);
    expect(setAside(dir)).toEqual([]);
    expect(extentsOf(store, 'c')).toHaveLength(1);
  });

  it('repairs a wrong extent into a pack still in memory (not written yet)', async () => {
    const dir = newDir();
    const store = await openAt(dir, { flushIntervalMs: 60_000 });
    for (const id of ['a', 'b']) ingest(store, traceBatch(id, 3));
    extentsOf(store, 'a')[0][2] -= 3; // ends inside its last entry
    expect((await store.getTrace('a'))?.spans).toHaveLength(3);
    expect(store.warnings.join('\n')).toMatch(MISMATCH);
    ingest(store, batch(spanEnd('a-s1', 'a', { output: 'later' })));
    expect((await store.getTrace('a'))?.spans.find((s) => s.id === 'a-s1')?.output).toBe('later');
    await store.flush();
    expect(setAside(dir)).toEqual([]);
  });

  it('moves no other pack aside for one trace read wrong across several packs', async () => {
    const dir = newDir();
    // Trace x has entries in packs 1, 2 and 3 (a restart opens a new pack), beside others.
    for (let pack = 1; pack <= 3; pack++) {
      const store = await openAt(dir);
      ingest(store, traceBatch(`other${pack}`, 2));
      ingest(store, batch(spanEnd(`x-s${pack}`, 'x', { start_time: '2026-01-02T03:04:05Z' })));
      await closeStore(store);
    }
    const store = await openAt(dir);
    const extents = extentsOf(store, 'x');
    expect(extents.map(([pack]) => pack)).toEqual([1, 2, 3]);
    for (const extent of extents) extent[1] += 1;
    expect((await store.getTrace('x'))?.spans.map((s) => s.id).sort()).toEqual(['x-s1', 'x-s2', 'x-s3']);
    expect(setAside(dir)).toEqual([]);
    expect(ids(store)).toEqual(['other1', 'other2', 'other3', 'x']);
    for (let pack = 1; pack <= 3; pack++) expect((await store.getTrace(`other${pack}`))?.spans).toHaveLength(2);
  });

  it('still moves aside, alone, a pack whose bytes are damaged', async () => {
    const dir = newDir();
    for (let pack = 1; pack <= 2; pack++) {
      const store = await openAt(dir);
      ingest(store, traceBatch(`t${pack}`, 2));
      ingest(store, batch(spanEnd(`x-s${pack}`, 'x', { start_time: '2026-01-02T03:04:05Z', name: `step ${pack}` })));
      await closeStore(store);
    }
    const path = join(dir, 'packs', 'pack-000002.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"step 2"', '"step X"')); // same length: a checksum finds it
    const store = await openAt(dir);
    extentsOf(store, 'x')[0][1] += 1; // and pack 1, intact, read wrong
    const x = await store.getTrace('x');
    expect(x?.spans.map((s) => s.id)).toEqual(['x-s1']);
    // Pack 2 only (start-up already kept a copy of it as it was; the read moved it aside).
    expect(setAside(dir).length).toBeGreaterThan(0);
    expect(setAside(dir).filter((f) => !f.startsWith('pack-000002.json.corrupt-'))).toEqual([]);
    expect(store.warnings.join('\n')).toMatch(/pack-000002\.json is damaged .*moved it to/);
    expect(store.warnings.join('\n')).toMatch(MISMATCH);
    expect((await store.getTrace('t1'))?.spans).toHaveLength(2);
  });

  it('drops, without looping, an extent into a pack the store does not have', async () => {
    const { dir, store } = await reopenedWithThree();
    extentsOf(store, 'a').push([999, 25, 400]);
    expect((await store.getTrace('a'))?.spans).toHaveLength(3);
    expect(store.warnings.join('\n')).toMatch(
      /pack-000999\.json, which the store can not read there; what it pointed at is dropped/,
    );
    expect(extentsOf(store, 'a').map(([pack]) => pack)).toEqual([1]);
    expect(setAside(dir)).toEqual([]);
  });
});
