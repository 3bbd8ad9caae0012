// The store's one lowdb document, held-updates.json (updates still waiting for their span at
// close, spanRecall.ts), on real files: DurableJsonFile keeps writes in the order asked, and
// a file that does not parse is said in a warning without stopping the store from opening.

import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { describe, expect, it } from 'vitest';
import { normaliseNativeBatch } from '../../src/core/normalise/native';
import { HELD_FILE } from '../../src/store/spanRecall';
import { CorruptFileError, DurableJsonFile } from '../../src/store/storeFiles';
import type { TraceStore } from '../../src/store/traceStore';
import { batch, score, spanStart } from '../support/builders';
import { tempDir } from '../support/collector';
import { storesOfEachTest } from '../support/stores';

const { newDir, openAt, closeStore } = storesOfEachTest();

function ingest(store: TraceStore, body: unknown) {
  const result = normaliseNativeBatch(body);
  if (!result.ok) throw new Error(result.error);
  store.apply(result.patches);
}

describe('DurableJsonFile', () => {
  it('lands writes in the order they were asked for, each as the document was then', async () => {
    const path = join(tempDir(), 'doc.json');
    const db = new Low<{ n: number; pad: string }>(new DurableJsonFile(path), { n: 0, pad: '' });
    const writes: Promise<void>[] = [];
    for (let n = 1; n <= 8; n++) {
      db.data = { n, pad: 'x'.repeat((9 - n) * 200_000) }; // the later, the smaller: the quickest to write
      writes.push(db.write());
    }
    await Promise.all(writes);
    expect(JSON.parse(readFileSync(path, 'utf8')).n).toBe(8);
    const again = new Low<{ n: number; pad: string }>(new DurableJsonFile(path), { n: 0, pad: '' });
    await again.read();
    expect(again.data.n).toBe(8);
    expect(readdirSync(join(path, '..'))).toEqual(['doc.json']);
  });

  it('reads a missing file as nothing, and one that does not parse as a CorruptFileError', async () => {
    const dir = tempDir();
    expect(await new DurableJsonFile(join(dir, 'none.json')).read()).toBeNull();
    writeFileSync(join(dir, 'cut.json'), '{"version":1,"waiting":[["span:a",[');
    await expect(new DurableJsonFile(join(dir, 'cut.json')).read()).rejects.toBeInstanceOf(CorruptFileError);
  });
});

describe('held-updates.json', () => {
  it('is written at close while updates wait, read back at open, and gone once read', async () => {
    const dir = newDir();
    const store = await openAt(dir);
    ingest(store, batch(score('span', 'not-yet', 'q', 0.25)));
    await closeStore(store);
    expect(JSON.parse(readFileSync(join(dir, HELD_FILE), 'utf8'))).toMatchObject({
      version: 1,
      waiting: [['span:not-yet', [expect.objectContaining({ kind: 'score' })]]],
    });
    const again = await openAt(dir);
    expect(existsSync(join(dir, HELD_FILE))).toBe(false);
    ingest(again, batch(spanStart('not-yet', 't')));
    expect(again.getSummary('t')?.score_averages).toEqual({ q: { avg: 0.25, count: 1 } });
  });

  it('cut short, is reported and dropped, and the store still opens with its traces', async () => {
    const dir = newDir();
    const store = await openAt(dir);
    ingest(store, batch(spanStart('kept', 't-kept'), score('span', 'not-yet', 'q', 1)));
    await closeStore(store);
    const text = readFileSync(join(dir, HELD_FILE), 'utf8');
    writeFileSync(join(dir, HELD_FILE), text.slice(0, text.length >> 1));
    const again = await openAt(dir);
    expect(again.warnings).toEqual([
      expect.stringMatching(
        /held-updates\.json is not valid store data .*; the updates that were waiting for their spans are dropped/,
      ),
    ]);
    expect(again.getSummary('t-kept')).toBeDefined();
    expect(existsSync(join(dir, HELD_FILE))).toBe(false);
  });
});
