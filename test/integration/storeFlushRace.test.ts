// Issue 13: a flush writes a copy of the open pack while entries keep coming; when the pack
// fills and seals before that copy is on disk, the copy must not stand for the sealed pack.
// It did: the file held only what the pack had when the flush began, the index pointed past
// its end, and the traces there were read as damage (the pack moved aside, its traces
// removed) or lost at the next start.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normaliseNativeBatch } from '../../src/core/normalise/native';
import type { TraceStore } from '../../src/store/traceStore';
import { traceBatch } from '../support/builders';
import { storesOfEachTest } from '../support/stores';

const { newDir, openAt, closeStore } = storesOfEachTest();

function ingest(store: TraceStore, body: unknown) {
  const result = normaliseNativeBatch(body);
  if (!result.ok) throw new Error(JSON.stringify(result.details));
  store.apply(result.patches);
}

/** One turn of the event loop: the flush has taken what it writes, and its files are not written yet. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('a pack that seals while a flush writes it', () => {
  it('is written whole: every trace in it reads back after a restart, and nothing is judged damaged', async () => {
    const dir = newDir();
    let store = await openAt(dir, { flushIntervalMs: 60_000 });
    ingest(store, traceBatch('before', 3, 100));
    const flushing = store.flush();
    await turn();
    // ~6 MB while the flush writes: the open pack (4 MB at most) fills and seals.
    const big = Array.from({ length: 6 }, (_, i) => `big${i}`);
    for (const id of big) ingest(store, traceBatch(id, 10, 100_000));
    await flushing;
    await closeStore(store);
    expect(readdirSync(join(dir, 'packs')).filter((f) => f.includes('.corrupt-'))).toEqual([]);

    store = await openAt(dir);
    for (const id of ['before', ...big])
      expect((await store.getTrace(id))?.spans.length, `trace ${id} after a restart`).toBe(id === 'before' ? 3 : 10);
    expect(store.warnings).toEqual([]);
    expect(readdirSync(join(dir, 'packs')).filter((f) => f.includes('.corrupt-'))).toEqual([]);
  });

  it('is read from disk in the same run once it left memory, without damage', async () => {
    const dir = newDir();
    const store = await openAt(dir, { flushIntervalMs: 60_000 });
    ingest(store, traceBatch('before', 3, 100));
    const flushing = store.flush();
    await turn();
    for (let i = 0; i < 6; i++) ingest(store, traceBatch(`big${i}`, 10, 100_000));
    await flushing;
    // 40 MB more, flushed as it comes: the packs above leave memory (32 MB of recent packs stay).
    for (let i = 0; i < 40; i++) {
      ingest(store, traceBatch(`later${i}`, 10, 100_000));
      await store.flush();
    }
    for (let i = 0; i < 6; i++) expect((await store.getTrace(`big${i}`))?.spans.length, `big${i}`).toBe(10);
    expect(store.warnings).toEqual([]);
  });
});
