import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normaliseNativeBatch } from '../../src/core/normalise/native';
import { LOCK_FILE, STORE_LOCKED } from '../../src/store/storeLock';
import { type TraceStore, openStore } from '../../src/store/traceStore';
import { at, batch, traceBatch, traceEnd, traceStart } from '../support/builders';
import { storesOfEachTest } from '../support/stores';

const { newDir, openAt } = storesOfEachTest();

function ingest(store: TraceStore, body: unknown) {
  const result = normaliseNativeBatch(body);
  if (!result.ok) throw new Error(JSON.stringify(result.details));
  store.apply(result.patches);
}

/** A store with traces a, b, c written and closed. */
async function filledStore(): Promise<string> {
  const dir = newDir();
  const store = await openAt(dir);
  for (const id of ['a', 'b', 'c']) ingest(store, traceBatch(id, 3));
  await store.close();
  return dir;
}

const packPath = (dir: string, id: number) => join(dir, 'packs', `pack-${String(id).padStart(6, '0')}.json`);

describe('store recovery', () => {
  it('moves a corrupt index segment aside, warns, and recovers its traces from the packs', async () => {
    const dir = await filledStore();
    writeFileSync(join(dir, 'index', 'seg-000001.json'), '{"version":1,"traces":{"a":{"summ'); // cut short
    const store = await openAt(dir);
    expect(store.warnings.join('\n')).toMatch(
      /seg-000001\.json is not valid store data.*moved it to .*seg-000001\.json\.corrupt-/,
    );
    expect(
      store
        .listTraces()
        .map((t) => t.id)
        .sort(),
    ).toEqual(['a', 'b', 'c']);
    expect(store.getSummary('b')?.span_count).toBe(3);
    expect((await store.getTrace('c'))?.spans).toHaveLength(3);
    expect(readdirSync(join(dir, 'index')).some((f) => f.startsWith('seg-000001.json.corrupt-'))).toBe(true);
    // Repaired for good: the next open has nothing to warn about.
    await store.close();
    expect((await openAt(dir)).warnings).toEqual([]);
  });

  it('rebuilds the whole index from the packs when it is gone', async () => {
    const dir = await filledStore();
    rmSync(join(dir, 'index'), { recursive: true });
    const store = await openAt(dir);
    expect(
      store
        .listTraces()
        .map((t) => t.id)
        .sort(),
    ).toEqual(['a', 'b', 'c']);
    expect(store.warnings.join('\n')).toMatch(/recovered 3 trace/);
  });

  it('moves a corrupt pack aside, warns, drops the traces in it, and still loads every other trace', async () => {
    const dir = newDir();
    let store = await openAt(dir);
    ingest(store, traceBatch('first', 3));
    await store.close();
    store = await openAt(dir); // a new open pack: the next traces land in pack 2
    ingest(store, traceBatch('second', 3));
    ingest(store, traceBatch('third', 2));
    await store.close();
    writeFileSync(packPath(dir, 1), '{"version":1,"units":[{"trace_id":"fir');
    const again = await openAt(dir);
    expect(again.listTraces()).toHaveLength(3); // nothing has read pack 1 yet
    expect(await again.getTrace('first')).toBeUndefined();
    expect(again.warnings.join('\n')).toMatch(
      /pack-000001\.json is damaged .*moved it to .*corrupt-.*kept 0 entries .*1 of its 1 trace\(s\) had nothing left and were removed/,
    );
    expect(
      again
        .listTraces()
        .map((t) => t.id)
        .sort(),
    ).toEqual(['second', 'third']);
    expect((await again.getTrace('second'))?.spans).toHaveLength(3);
    expect(readdirSync(join(dir, 'packs')).some((f) => f.startsWith('pack-000001.json.corrupt-'))).toBe(true);
    await again.close();
    const later = await openAt(dir);
    expect(
      later
        .listTraces()
        .map((t) => t.id)
        .sort(),
    ).toEqual(['second', 'third']);
    expect(later.warnings).toEqual([]);
  });

  it('a pack that is valid JSON but not a pack is treated as corrupt', async () => {
    const dir = await filledStore();
    writeFileSync(packPath(dir, 1), '[1,2,3]');
    const store = await openAt(dir);
    expect(store.listTraces()).toEqual([]);
    expect(store.warnings.join('\n')).toMatch(/not a trace pack/);
  });

  it('drops the traces whose pack is gone', async () => {
    const dir = await filledStore();
    unlinkSync(packPath(dir, 1));
    const store = await openAt(dir);
    expect(store.listTraces()).toEqual([]);
    expect(store.warnings.join('\n')).toMatch(/3 trace\(s\) in the index had no data/);
  });

  it('keeps what reached the newest pack when the index write did not happen', async () => {
    const dir = await filledStore();
    const segment = readFileSync(join(dir, 'index', 'seg-000001.json'), 'utf8');
    const store = await openAt(dir);
    ingest(store, traceBatch('d', 2));
    ingest(store, batch({ event: 'span_update', span: { id: 'a-s0', trace_id: 'a', output: 'newer' } }));
    await store.close();
    writeFileSync(join(dir, 'index', 'seg-000001.json'), segment); // as if the crash came between the two writes
    const again = await openAt(dir);
    expect(
      again
        .listTraces()
        .map((t) => t.id)
        .sort(),
    ).toEqual(['a', 'b', 'c', 'd']);
    expect((await again.getTrace('a'))!.spans.find((s) => s.id === 'a-s0')!.output).toBe('newer');
  });
});

describe('retention', () => {
  it('removes the traces that arrived first beyond the count, whatever their start times', async () => {
    const store = await openAt(newDir(), { maxTraces: 3 });
    const removed: string[] = [];
    store.onChange((c) => removed.push(...c.removed));
    const done = (id: string, ms: number) => [traceStart(id, { start_time: at(ms) }), traceEnd(id)];
    ingest(store, batch(...done('t2', 2), ...done('t0', 0), ...done('t3', 3)));
    ingest(store, batch(...done('t1', 1)));
    ingest(store, batch(...done('t4', 4)));
    expect(store.listTraces().map((t) => t.id)).toEqual(['t4', 't3', 't1']);
    expect(removed).toEqual(['t2', 't0']);
    await store.close();
    expect((await openAt(store.dir, { maxTraces: 3 })).listTraces().map((t) => t.id)).toEqual(['t4', 't3', 't1']);
  });

  it('removes the oldest traces while the packs exceed the byte limit', async () => {
    const store = await openAt(newDir(), { maxBytes: 6 * 1024 * 1024 });
    // 20 traces of ~0.5 MB: the packs fill and the oldest go as soon as the packs are over the limit.
    for (let i = 0; i < 20; i++) {
      const events = traceBatch(`t${String(i).padStart(2, '0')}`, 50, 10_000).events.map((e: any) =>
        e.trace ? { ...e, trace: { ...e.trace, start_time: at(i * 10) } } : e,
      );
      ingest(store, { events });
      await store.flush();
    }
    await store.flush();
    const left = store.listTraces({ limit: 100 }).map((t) => t.id);
    expect(left.length).toBeGreaterThan(3);
    expect(left.length).toBeLessThan(20);
    const expected = Array.from({ length: 20 }, (_, i) => `t${String(19 - i).padStart(2, '0')}`).slice(0, left.length);
    expect(left).toEqual(expected); // the newest ones are kept
    const onDisk = readdirSync(join(store.dir, 'packs')).reduce(
      (sum, f) => sum + statSync(join(store.dir, 'packs', f)).size,
      0,
    );
    expect(onDisk).toBeLessThanOrEqual(6 * 1024 * 1024 + 4 * 1024 * 1024); // the limit, plus at most the open pack
  });

  it('takes new limits while open: the oldest go at once, listeners hear it, and the limit holds after', async () => {
    const store = await openAt(newDir());
    const removed: string[] = [];
    store.onChange((c) => removed.push(...c.removed));
    for (let i = 0; i < 6; i++) ingest(store, batch(traceStart(`t${i}`, { start_time: at(i) }), traceEnd(`t${i}`)));
    store.setRetention({ maxTraces: 2 });
    expect(store.listTraces().map((t) => t.id)).toEqual(['t5', 't4']);
    expect(removed).toEqual(['t0', 't1', 't2', 't3']);
    ingest(store, batch(traceStart('t6', { start_time: at(6) }), traceEnd('t6')));
    expect(store.listTraces().map((t) => t.id)).toEqual(['t6', 't5']);
    // Back to the default: nothing more goes, and what went stays gone through a reopen.
    store.setRetention({});
    ingest(store, batch(traceStart('t7', { start_time: at(7) }), traceEnd('t7')));
    await store.close();
    expect((await openAt(store.dir)).listTraces().map((t) => t.id)).toEqual(['t7', 't6', 't5']);
  });
});

describe('store lock', () => {
  it('refuses a second open of the same folder in this process', async () => {
    const dir = newDir();
    await openAt(dir);
    await expect(openStore({ dir })).rejects.toMatchObject({ code: STORE_LOCKED });
  });

  it('refuses a folder another live process holds, and takes over from a dead one', async () => {
    const dir = newDir();
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    try {
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: holder.pid }));
      await expect(openStore({ dir })).rejects.toMatchObject({
        code: STORE_LOCKED,
        message: expect.stringContaining(`pid ${holder.pid}`),
      });
    } finally {
      holder.kill();
      await new Promise((r) => holder.once('exit', r));
    }
    const store = await openAt(dir); // the pid is dead now: a stale lock
    ingest(store, traceBatch('a', 1));
    await store.close();
    expect(readdirSync(dir)).not.toContain(LOCK_FILE);
  });
});
