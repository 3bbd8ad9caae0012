// Per-window store folders left behind by windows that closed: which are removed at start,
// on real folders with real modification times and real (dead and live) processes.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector } from '../../src/collector/server';
import { CollectorService } from '../../src/extension/collector/collectorService';
import { removeStaleWindowFolders } from '../../src/extension/collector/storeLocation';
import { MemoryLogger } from '../../src/extension/log';
import { LOCK_FILE } from '../../src/store/storeLock';
import { openStore } from '../../src/store/traceStore';
import { tempDir } from '../support/collector';

const DAY = 24 * 60 * 60 * 1000;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The pid of a process that has exited (a short-lived child). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

/** `<base>/windows/<name>/traces` with a data file and, optionally, a lock, all last written `ageMs` ago. */
function windowFolder(base: string, name: string | number, ageMs: number, lockPid?: number): string {
  const folder = join(base, 'windows', String(name));
  const traces = join(folder, 'traces');
  mkdirSync(traces, { recursive: true });
  const files = [join(traces, 'index-0.json')];
  writeFileSync(files[0], '{}');
  if (lockPid !== undefined) {
    files.push(join(traces, LOCK_FILE));
    writeFileSync(files[1], JSON.stringify({ pid: lockPid }));
  }
  const when = new Date(Date.now() - ageMs);
  for (const p of [...files, traces, folder]) utimesSync(p, when, when);
  return folder;
}

function base(): string {
  const dir = tempDir();
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('per-window store folders left behind', () => {
  it('removes those of closed windows not written for a day, and keeps the rest', async () => {
    const dir = base();
    const gone = deadPid();
    const old = windowFolder(dir, gone, 2 * DAY);
    const recent = windowFolder(dir, gone + 100_000, DAY / 2, undefined);
    const live = windowFolder(dir, process.pid, 3 * DAY);
    const lockedByLive = windowFolder(dir, gone + 200_000, 3 * DAY, process.pid);
    const notAPid = windowFolder(dir, 'w1', 3 * DAY);
    const alive = (pid: number) => pid === process.pid;

    expect(await removeStaleWindowFolders(dir, { isAlive: alive })).toEqual([old]);
    expect(existsSync(old)).toBe(false);
    for (const kept of [recent, live, lockedByLive, notAPid]) expect(existsSync(kept), kept).toBe(true);
    // A file written inside an old folder makes it recent again.
    const touched = windowFolder(dir, gone + 300_000, 2 * DAY);
    writeFileSync(join(touched, 'traces', 'fresh.json'), '{}');
    expect(await removeStaleWindowFolders(dir, { isAlive: alive })).toEqual([]);
  });

  it('checks that the window is gone with the process table by default', async () => {
    const dir = base();
    const old = windowFolder(dir, deadPid(), 2 * DAY);
    const mine = windowFolder(dir, process.pid, 2 * DAY);
    expect(await removeStaleWindowFolders(dir)).toEqual([old]);
    expect(existsSync(mine)).toBe(true);
    expect(await removeStaleWindowFolders(join(dir, 'no-such-folder'))).toEqual([]);
  });

  it('are cleaned up when a window opens its store', async () => {
    const dir = base();
    const old = windowFolder(dir, deadPid(), 2 * DAY);
    const log = new MemoryLogger();
    const service = new CollectorService({
      backend: { openStore, startCollector },
      storageDir: dir,
      windowKey: process.pid,
      token: 't',
      version: '0.1.0-test',
      log,
      settings: () => ({ port: 0 }),
    });
    cleanups.push(() => service.shutdown());
    await service.getStore();
    await expect.poll(() => existsSync(old)).toBe(false);
    expect(log.lines.join('\n')).toContain(`removed ${old}: its window closed more than a day ago`);
    expect(existsSync(join(dir, 'traces'))).toBe(true);
  });
});
