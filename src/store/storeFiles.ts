// The store's small file operations, and its one JSON document kept through lowdb. Packs and
// index segments are bytes the store builds itself (packLog.ts, segmentFile.ts): they are
// written by writeFileAtomic (atomicWrite.ts: temp file, fsync, rename, fsync the folder),
// with no object to serialise. A small JSON document (held-updates.json, see spanRecall.ts)
// is a lowdb `Low` over DurableJsonFile, an adapter that writes through the same durable
// helper: lowdb's own writer (steno) renames without fsync, which is fine for a cache
// (proxyCache.ts) but not for data a 200 was given for. What a write can not prevent (a file
// cut short by a full disk, edited by hand, written by another program) is found when the
// file does not parse, and moved aside so the rest of the store still loads.

import { readdirSync, renameSync, rmSync } from 'node:fs';
import { readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Adapter } from 'lowdb';
import { isTempFile, writeFileAtomic } from './atomicWrite';

export class CorruptFileError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path} is not valid store data (${reason})`);
  }
}

/**
 * A lowdb adapter for one JSON file of the store: read whole and parsed (a file that does not
 * parse is a CorruptFileError, for the caller to move aside), written compactly by
 * writeFileAtomic. Writes are queued, so they land in the order they were asked for: each
 * is serialised when asked (the document as it was then), and the last one asked wins.
 */
export class DurableJsonFile<T> implements Adapter<T> {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new CorruptFileError(this.path, (err as Error).message);
    }
  }

  write(data: T): Promise<void> {
    const text = JSON.stringify(data);
    const done = this.queue.then(() => writeFileAtomic(this.path, text));
    this.queue = done.catch(() => undefined);
    return done;
  }
}

export async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Renames a damaged file to `<name>.corrupt-<time>` so it is kept for a person to look at. */
export async function moveAside(path: string): Promise<string> {
  const aside = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await rename(path, aside);
  return aside;
}

export function moveAsideSync(path: string): string {
  const aside = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  renameSync(path, aside);
  return aside;
}

/** Names in a folder; empty when it does not exist. */
export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Removes the temp files of writes a crash interrupted (atomicWrite.ts; lowdb's `.<name>.tmp` from before it). */
export function removeTempFiles(dir: string): void {
  for (const name of listDir(dir)) if (isTempFile(name)) rmSync(join(dir, name), { force: true });
}

/** Runs jobs at most `limit` at a time; every job runs, and the first error is thrown after. */
export async function runLimited(jobs: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < jobs.length) {
      try {
        await jobs[next++]();
      } catch (err) {
        errors.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  if (errors.length) throw errors[0];
}
