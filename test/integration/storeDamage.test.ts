// Issue 13 items 4 and 10, on real files: recovery never deletes what can still be read. A
// missing index segment is rebuilt from the packs (at main its traces were dropped and the
// packs holding them deleted: 300 → 44); a changed character in a pack or a segment is found
// by its checksum and reported with the file, never served; a folder where a pack should be
// does not stop start-up (EISDIR at main); a store written before checksums still reads.

import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
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

const ids = (store: TraceStore) =>
  store
    .listTraces({ limit: 10_000 })
    .map((t) => t.id)
    .sort();
const packFiles = (dir: string) =>
  readdirSync(join(dir, 'packs'))
    .filter((f) => /^pack-\d+\.json$/.test(f))
    .sort();

describe('a missing index segment', () => {
  it('is rebuilt from the packs, and start-up deletes no pack that holds its traces', async () => {
    const dir = newDir();
    let store = await openAt(dir);
    const all = Array.from({ length: 300 }, (_, i) => `t${String(i).padStart(3, '0')}`);
    for (const id of all) ingest(store, traceBatch(id, 2, 10_000));
    await closeStore(store);
    const packs = packFiles(dir);
    expect(packs.length).toBeGreaterThan(1);
    expect(readdirSync(join(dir, 'index')).sort()).toEqual(['seg-000001.json', 'seg-000002.json']);
    unlinkSync(join(dir, 'index', 'seg-000001.json')); // its 256 traces
    store = await openAt(dir);
    expect(store.warnings.join('\n')).toMatch(/seg-000001\.json are missing; recovered their traces from the packs/);
    expect(ids(store)).toEqual(all);
    expect((await store.getTrace('t000'))?.spans).toHaveLength(2);
    await closeStore(store);
    expect(packFiles(dir)).toEqual(packs);
    store = await openAt(dir);
    expect(store.warnings).toEqual([]);
    expect(ids(store)).toEqual(all);
  });

  it('a segment that still parses but was changed is found by its checksum and rebuilt', async () => {
    const dir = newDir();
    let store = await openAt(dir);
    for (const id of ['a', 'b', 'c']) ingest(store, traceBatch(id, 3));
    await closeStore(store);
    const path = join(dir, 'index', 'seg-000001.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"span_count":3', '"span_count":4'));
    store = await openAt(dir);
    expect(store.warnings.join('\n')).toMatch(
      /seg-000001\.json is not valid store data \(does not match its checksum\); moved it to .*corrupt-.* and recovered its traces from the packs/,
    );
    expect(ids(store)).toEqual(['a', 'b', 'c']);
    expect(store.getSummary('b')?.span_count).toBe(3);
  });
});

describe('a damaged pack', () => {
  async function threeTraces(): Promise<string> {
    const dir = newDir();
    const store = await openAt(dir);
    for (const id of ['a', 'b', 'c']) ingest(store, traceBatch(id, 3));
    await closeStore(store);
    return dir;
  }

  it('one changed character is reported with the file and never served; the other traces in the pack are kept', async () => {
    const dir = await threeTraces();
    const path = join(dir, 'packs', 'pack-000001.json');
    const text = readFileSync(path, 'utf8');
    expect(text.split('"trace b"').length).toBe(2);
    writeFileSync(path, text.replace('"trace b"', '"trace X"')); // same length, still valid JSON
    const store = await openAt(dir);
    expect(store.warnings.join('\n')).toMatch(/pack-000001\.json is damaged: 1 entry does not match their checksum/);
    const detail = await store.getTrace('b');
    expect(detail).toBeUndefined();
    expect(store.warnings.join('\n')).toMatch(
      /pack-000001\.json is damaged .*moved it to .*corrupt-.*kept 2 entries that check out, lost 1; 1 of its 3 trace\(s\) had nothing left and were removed/,
    );
    expect(ids(store)).toEqual(['a', 'c']);
    expect((await store.getTrace('a'))?.spans).toHaveLength(3);
    // What /api/health shows beside the log: the file, and what was kept.
    expect(store.health()).toMatchObject({
      status: 'ok',
      problems: [
        expect.stringMatching(/pack-000001\.json is damaged: 1 entry/),
        expect.stringMatching(/kept 2 entries/),
      ],
    });
    await closeStore(store);
    const again = await openAt(dir);
    expect(again.warnings).toEqual([]);
    expect(ids(again)).toEqual(['a', 'c']);
    expect((await again.getTrace('c'))?.spans).toHaveLength(3);
    expect(JSON.stringify(await again.getTrace('a'))).not.toContain('trace X');
  });

  it('a folder in place of a pack does not stop start-up (EISDIR): it is moved aside and the rest loads', async () => {
    const dir = newDir();
    let store = await openAt(dir);
    ingest(store, traceBatch('first', 2));
    await closeStore(store);
    store = await openAt(dir); // the next trace lands in pack 2
    ingest(store, traceBatch('second', 2));
    await closeStore(store);
    const path = join(dir, 'packs', 'pack-000001.json');
    rmSync(path);
    mkdirSync(path);
    store = await openAt(dir);
    expect(store.warnings.join('\n')).toMatch(/pack-000001\.json is not a file; moved it to .*corrupt-/);
    expect(ids(store)).toEqual(['second']);
    expect((await store.getTrace('second'))?.spans).toHaveLength(2);
  });

  it('a pack cut short after the last flush keeps every entry before the cut', async () => {
    const dir = await threeTraces();
    const path = join(dir, 'packs', 'pack-000001.json');
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 40)); // into c's entry
    rmSync(join(dir, 'index'), { recursive: true }); // and the index lost: all from the packs
    const store = await openAt(dir);
    expect(store.warnings.join('\n')).toMatch(
      /pack-000001\.json is damaged: 0 entries do not match their checksum, and the entries after the damage can not be told apart/,
    );
    expect(ids(store)).toEqual(['a', 'b']);
    expect((await store.getTrace('b'))?.spans).toHaveLength(3);
  });
});

describe('a store written before checksums (test/fixtures/store-v2, made by main at 8279f50)', () => {
  it('reads as it did: traces, a later update and a deletion', async () => {
    const dir = newDir();
    cpSync(join(__dirname, '../fixtures/store-v2'), dir, { recursive: true });
    let store = await openAt(dir);
    expect(store.warnings).toEqual([]);
    expect(ids(store)).toEqual(['a', 'b', 'c']);
    expect((await store.getTrace('a'))?.spans.find((s) => s.id === 'a-s1')?.output).toBe('later');
    ingest(store, traceBatch('d', 1)); // new entries and segments with checksums beside the old ones
    await closeStore(store);
    store = await openAt(dir);
    expect(store.warnings).toEqual([]);
    expect(ids(store)).toEqual(['a', 'b', 'c', 'd']);
    expect((await store.getTrace('b'))?.spans).toHaveLength(3);
    expect((await store.getTrace('d'))?.spans).toHaveLength(1);
  });
});
