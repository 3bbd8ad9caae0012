import { spawn } from 'node:child_process';
import { readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { normaliseNativeBatch } from '../../src/core/normalise/native';
import { LOCK_FILE } from '../../src/store/storeLock';
import { traceFileKey } from '../../src/store/storeFiles';
import { type TraceStore, openStore } from '../../src/store/traceStore';
import type { StoreOptions } from '../../src/store/types';
import { at, batch, traceBatch, traceStart } from '../support/builders';
import { tempDir } from '../support/collector';

const dirs: string[] = [];
const open: TraceStore[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function openAt(dir: string, options: Partial<StoreOptions> = {}) {
  const warnings: string[] = [];
  const store = await openStore({ dir, warn: (m) => warnings.push(m), ...options });
  open.push(store);
  return Object.assign(store, { warnings });
}

function newDir(): string {
  const dir = tempDir();
  dirs.push(dir);
  return dir;
}

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

describe('store recovery', () => {
  it('moves a corrupt index segment aside, warns, and re-indexes its traces from their files', async () => {
    const dir = await filledStore();
    writeFileSync(join(dir, 'index', 'seg-000001.json'), '{"version":1,"traces":{"a":{"summ'); // cut short
    const store = await openAt(dir);
    expect(store.warnings.join('\n')).toMatch(/seg-000001\.json is not valid store data.*moved it to .*seg-000001\.json\.corrupt-/);
    expect(store.listTraces().map((t) => t.id).sort()).toEqual(['a', 'b', 'c']);
    expect(store.getSummary('b')?.span_count).toBe(3);
    expect(readdirSync(join(dir, 'index')).some((f) => f.startsWith('seg-000001.json.corrupt-'))).toBe(true);
  });

  it('moves a corrupt trace file aside, warns, and still loads every other trace', async () => {
    const dir = await filledStore();
    writeFileSync(join(dir, 'traces', `${traceFileKey('b')}.json`), '{"version":1,"trace_id":"b","tr');
    const store = await openAt(dir);
    expect(store.listTraces()).toHaveLength(3); // the index does not know yet
    expect(await store.getTrace('b')).toBeUndefined();
    expect(store.warnings.join('\n')).toMatch(/is not valid store data .*moved it to .*corrupt-.*that trace is lost/);
    expect(store.listTraces().map((t) => t.id).sort()).toEqual(['a', 'c']);
    expect((await store.getTrace('a'))?.spans).toHaveLength(3);
    // And the loss is remembered: after a reopen, b is gone without another warning.
    await store.close();
    const again = await openAt(dir);
    expect(again.listTraces().map((t) => t.id).sort()).toEqual(['a', 'c']);
    expect(again.warnings).toEqual([]);
  });

  it('a trace file that is valid JSON but not a trace is treated as corrupt', async () => {
    const dir = await filledStore();
    writeFileSync(join(dir, 'traces', `${traceFileKey('a')}.json`), '[1,2,3]');
    const store = await openAt(dir);
    expect(await store.getTrace('a')).toBeUndefined();
    expect(store.warnings).toHaveLength(1);
  });

  it('drops a summary whose trace file is gone', async () => {
    const dir = await filledStore();
    unlinkSync(join(dir, 'traces', `${traceFileKey('c')}.json`));
    const store = await openAt(dir);
    expect(store.listTraces().map((t) => t.id).sort()).toEqual(['a', 'b']);
    expect(store.warnings.join('\n')).toMatch(/1 trace\(s\) in the index had no file/);
  });

  it('indexes a trace file no segment lists (a crash between the two writes)', async () => {
    const dir = await filledStore();
    rmSync(join(dir, 'index'), { recursive: true });
    const store = await openAt(dir);
    expect(store.listTraces().map((t) => t.id).sort()).toEqual(['a', 'b', 'c']);
    expect(store.warnings.join('\n')).toMatch(/re-indexed 3 trace/);
  });

  it('loses only the spans of a damaged later chunk of a big trace', async () => {
    const dir = newDir();
    const store = await openAt(dir);
    ingest(store, traceBatch('big', 2100));
    await store.close();
    writeFileSync(join(dir, 'traces', `${traceFileKey('big')}.c1.json`), 'garbage');
    const again = await openAt(dir);
    const detail = (await again.getTrace('big'))!;
    expect(detail.spans).toHaveLength(1100);
    expect(again.warnings.join('\n')).toMatch(/the spans in it are lost/);
  });
});

describe('retention', () => {
  it('removes the oldest traces beyond the count, oldest start first', async () => {
    const store = await openAt(newDir(), { maxTraces: 3 });
    const removed: string[] = [];
    store.onChange((c) => removed.push(...c.removed));
    ingest(store, batch(traceStart('t2', { start_time: at(2) }), traceStart('t0', { start_time: at(0) }), traceStart('t3', { start_time: at(3) })));
    ingest(store, batch(traceStart('t1', { start_time: at(1) })));
    ingest(store, batch(traceStart('t4', { start_time: at(4) })));
    expect(store.listTraces().map((t) => t.id)).toEqual(['t4', 't3', 't2']);
    expect(removed).toEqual(['t0', 't1']);
    await store.flush();
    expect(readdirSync(join(store.dir, 'traces'))).toHaveLength(3);
  });

  it('removes the oldest traces while the files exceed the byte limit', async () => {
    const store = await openAt(newDir(), { maxBytes: 25_000 });
    for (let i = 0; i < 6; i++) ingest(store, { events: traceBatch(`t${i}`, 10, 200).events.map((e: any) => (e.trace ? { ...e, trace: { ...e.trace, start_time: at(i * 10) } } : e)) });
    await store.flush();
    await store.flush(); // the second flush writes the deletions the first one decided
    const left = store.listTraces().map((t) => t.id);
    expect(left.length).toBeGreaterThan(0);
    expect(left.length).toBeLessThan(6);
    expect(left).toEqual(['t5', 't4', 't3', 't2', 't1', 't0'].slice(0, left.length));
    const bytes = readdirSync(join(store.dir, 'traces')).length;
    expect(bytes).toBe(left.length);
  });
});

describe('store lock', () => {
  it('refuses a second open of the same folder in this process', async () => {
    const dir = newDir();
    await openAt(dir);
    await expect(openStore({ dir })).rejects.toMatchObject({ code: 'ESTORELOCKED' });
  });

  it('refuses a folder another live process holds, and takes over from a dead one', async () => {
    const dir = newDir();
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    try {
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: holder.pid }));
      await expect(openStore({ dir })).rejects.toMatchObject({ code: 'ESTORELOCKED', message: expect.stringContaining(`pid ${holder.pid}`) });
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
