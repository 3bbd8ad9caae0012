// A store folder read without opening it (what `spanscope mcp --data` does): the traces a store
// holds, read while that store has the folder open and locked, following what it writes next,
// and never changing a file, even a damaged one.

import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openReadOnlyStore } from '../../src/store/readOnlyStore';
import { LOCK_FILE } from '../../src/store/storeLock';
import type { Patch } from '../../src/core/model/model';
import { at } from '../support/builders';
import { tempDir } from '../support/collector';
import { storesOfEachTest } from '../support/stores';

const stores = storesOfEachTest();

function trace(id: string, start: number, spans = 2, inputChars = 100): Patch[] {
  const patches: Patch[] = [
    {
      kind: 'trace',
      trace: {
        id,
        name: `run ${id}`,
        project_name: 'p',
        start_time: at(start),
        end_time: at(start + 100),
        input: { q: id },
      },
    },
  ];
  for (let i = 0; i < spans; i++)
    patches.push({
      kind: 'span',
      span: {
        id: `${id}-s${i}`,
        trace_id: id,
        name: `step ${i}`,
        type: 'llm',
        start_time: at(start + i),
        end_time: at(start + i + 1),
        model: 'm',
        input: 'x'.repeat(inputChars),
      },
    });
  return patches;
}

/** Every file under a folder with its size and time: what "nothing was written" compares. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[p] = `${statSync(p).size}:${statSync(p).mtimeMs}`;
    }
  };
  walk(dir);
  return out;
}

describe('openReadOnlyStore', () => {
  it('reads the traces of a store that has the folder open, the same as the store reads them', async () => {
    const dir = stores.newDir();
    const store = await stores.openAt(dir);
    store.apply(trace('a', 0));
    store.apply(trace('b', 1000, 3));
    store.apply([{ kind: 'score', score: { target: 'span', id: 'b-s1', trace_id: 'b', name: 'relevance', value: 1 } }]);
    await store.flush();
    const before = snapshot(dir);
    const lock = readFileSync(join(dir, LOCK_FILE), 'utf8');

    const ro = await openReadOnlyStore(dir);
    expect(ro.listTraces().map((t) => t.id)).toEqual(['b', 'a']);
    expect([...ro.summaries()].map((t) => t.id).sort()).toEqual(['a', 'b']);
    expect(ro.searchText('b')).toContain('step 1');
    expect(await ro.getTrace('b')).toEqual(await store.getTrace('b'));
    expect(await ro.getTrace('nope')).toBeUndefined();

    expect(snapshot(dir)).toEqual(before);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(lock);
  });

  it('follows what the store writes after: new traces, new spans, deletions', async () => {
    const dir = stores.newDir();
    const store = await stores.openAt(dir);
    store.apply(trace('a', 0));
    await store.flush();
    const ro = await openReadOnlyStore(dir);
    expect(ro.listTraces().map((t) => t.id)).toEqual(['a']);

    store.apply(trace('c', 5000));
    store.apply([
      {
        kind: 'span',
        span: { id: 'a-late', trace_id: 'a', name: 'late', type: 'tool', start_time: at(50), end_time: at(60) },
      },
    ]);
    store.deleteTraces(['c']);
    store.apply(trace('d', 6000));
    await store.flush();
    await ro.refresh();
    expect(ro.listTraces().map((t) => t.id)).toEqual(['d', 'a']);
    expect((await ro.getTrace('a'))!.spans.map((s) => s.id).sort()).toEqual(['a-late', 'a-s0', 'a-s1']);
    expect(await ro.getTrace('c')).toBeUndefined();
  });

  it('reads a store that retention by size has trimmed, as the store reads it', async () => {
    const dir = stores.newDir();
    const store = await stores.openAt(dir, { maxBytes: 300_000 });
    for (let i = 0; i < 40; i++) {
      store.apply(trace(`t${i}`, i * 1000, 20, 2000));
      if (i % 3 === 2) await store.flush();
    }
    await store.flush();
    const ro = await openReadOnlyStore(dir);
    const ids = ro.listTraces({ limit: 1000 }).map((t) => t.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.length).toBeLessThan(40); // some went, by size
    for (const id of ids) expect(await ro.getTrace(id), id).toEqual(await store.getTrace(id));
  });

  it('leaves a damaged index segment where it is, with a warning, and reads the rest', async () => {
    const dir = stores.newDir();
    const store = await stores.openAt(dir);
    store.apply(trace('a', 0));
    await store.flush();
    const segment = readdirSync(join(dir, 'index')).find((n) => n.startsWith('seg-'))!;
    writeFileSync(join(dir, 'index', 'seg-000099.json'), '{"version":2,"cov');
    const warnings: string[] = [];
    const ro = await openReadOnlyStore(dir, (m) => warnings.push(m));
    expect(ro.listTraces().map((t) => t.id)).toEqual(['a']);
    expect(warnings).toEqual([expect.stringMatching(/seg-000099\.json is not valid store data.*left out/)]);
    expect(readdirSync(join(dir, 'index')).sort()).toEqual([segment, 'seg-000099.json'].sort());
  });

  it('says what is wrong with a folder that holds no store', async () => {
    await expect(openReadOnlyStore(tempDir())).rejects.toThrow(/holds no Spanscope store/);
    await expect(openReadOnlyStore(join(tempDir(), 'missing'))).rejects.toThrow(/is not a folder/);
  });
});
