// The store's files, read and written through lowdb. Every file is bounded by design (one
// pack of trace chunks, one index segment), so lowdb's "rewrite the whole file" costs what
// changed, not what is stored. lowdb's
// writer replaces a file atomically (temp file + rename); what it can not prevent (a file cut
// short by a full disk, edited by hand, or written by another program) is found here when
// the file does not parse, and moved aside so the rest of the store still loads.

import { readdirSync, renameSync, rmSync } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';

export class CorruptFileError extends Error {
  constructor(readonly path: string, reason: string) {
    super(`${path} is not valid store data (${reason})`);
  }
}

/** Serialises compactly and remembers the size, which retention by bytes adds up. */
class SizedJson {
  size = 0;
  // biome-ignore lint/suspicious/noExplicitAny: lowdb's DataFile<T> wants a parse returning T: this one serves object and unknown files
  readonly parse = (text: string): any => {
    this.size = text.length;
    return JSON.parse(text);
  };
  readonly stringify = (data: unknown): string => {
    const text = JSON.stringify(data);
    this.size = text.length;
    return text;
  };
}

/**
 * Writes data already serialised (a pack: see packLog.ts; an index segment: see
 * TraceIndex.segmentJson), atomically, by lowdb's writer.
 * The bytes pass through lowdb as they are (its writer takes a Buffer as well as a string),
 * so a pack is not decoded and encoded again on every flush.
 */
export async function writeBytes(path: string, bytes: Buffer | string): Promise<void> {
  const passThrough = { parse: (t: string) => t, stringify: (b: Buffer | string) => b as unknown as string };
  const db = new Low<Buffer | string>(new DataFile<Buffer | string>(path, passThrough as never), bytes);
  await db.write();
}

/** Writes one file (atomically, by lowdb's writer); resolves with its size in characters. */
export async function writeJson(path: string, data: object): Promise<number> {
  const json = new SizedJson();
  const db = new Low<object>(new DataFile<object>(path, json), data);
  await db.write();
  return json.size;
}

export interface FileRead {
  data: unknown;
  /** Characters read. */
  size: number;
}

/** undefined when the file does not exist; throws CorruptFileError when it does not parse. */
export async function readJson(path: string): Promise<FileRead | undefined> {
  const json = new SizedJson();
  const db = new Low<unknown>(new DataFile(path, json), null);
  try {
    await db.read();
  } catch (err) {
    if (err instanceof SyntaxError) throw new CorruptFileError(path, err.message);
    throw err;
  }
  return db.data === null ? undefined : { data: db.data, size: json.size };
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

/** lowdb's writer leaves `.<name>.tmp` behind when the process died mid-write. */
export function removeTempFiles(dir: string): void {
  for (const name of listDir(dir)) if (name.startsWith('.') && name.endsWith('.tmp')) rmSync(join(dir, name), { force: true });
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
