// Replacing a file so that a crash, or a power cut, leaves either the old file or the whole
// new one: the bytes go to a temp file in the same folder (a rename is atomic only within one
// file system), the temp file is fsynced (its bytes are on the disk, not only in the page
// cache), renamed over the target, and the folder is fsynced (the rename itself is on the
// disk). Without the two fsyncs a rename can reach the disk before the data it names, and a
// power cut leaves an empty or partial file under the new name: the store's promise that a
// 200 is on disk within the flush interval (docs/protocol.md) would hold only until then.
//
// Used for the packs and index segments (bytes built by the store, up to 4 MB) and the proxy
// cache's reply bodies; the small JSON documents go through lowdb (see
// docs/decisions/0001-lowdb-for-small-documents-own-atomic-write-for-packs.md).
//
// `SPANSCOPE_FSYNC=0` in the environment skips both fsyncs (the rename stays): for measuring
// what they cost (bench/_flushFsync.ts), never a default.

import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

let counter = 0;

/**
 * The temp file a write goes through: hidden, in the target's folder, unique per call (two
 * writes of one file at once must not share a temp file), and ending `.tmp` so that one left
 * by a crash is recognised and removed at open (isTempFile).
 */
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${++counter}.tmp`);
}

/** Whether a name in a store folder is a temp file of an interrupted write (ours, or lowdb's `.<name>.tmp`). */
export function isTempFile(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}

function durable(): boolean {
  return process.env.SPANSCOPE_FSYNC !== '0';
}

/**
 * Replaces `path` with `data` (bytes, text as UTF-8, or chunks written in order) atomically
 * and durably. On failure the target is as it was and the temp file is removed.
 */
export async function writeFileAtomic(path: string, data: Buffer | string | readonly Buffer[]): Promise<void> {
  const temp = tempPathFor(path);
  const sync = durable();
  try {
    const file = await open(temp, 'w');
    try {
      if (typeof data === 'string' || Buffer.isBuffer(data)) await file.writeFile(data);
      else for (const chunk of data) await file.write(chunk);
      if (sync) await file.sync();
    } finally {
      await file.close();
    }
    await renameOver(temp, path);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
  if (sync) await syncFolder(dirname(path));
}

/**
 * On Windows a rename over a file fails (EPERM, EACCES, EBUSY) while another program holds it
 * open without sharing it for deletion, as virus scanners and indexers do for a moment after
 * a write; lowdb's writer retried for that, and a first failure would put the store in
 * `degraded` (writeHealth.ts). Elsewhere those codes are lasting (permissions): no retry.
 */
async function renameOver(temp: string, path: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await rename(temp, path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (process.platform !== 'win32' || attempt >= 10 || !(code === 'EPERM' || code === 'EACCES' || code === 'EBUSY'))
        throw err;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}

/**
 * Makes the names in a folder (a rename, a new file) durable. Windows can not open a folder
 * to fsync it (NTFS journals the rename itself), so there it does nothing.
 */
export async function syncFolder(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const folder = await open(dir, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}
