// One process writes a store folder at a time: two collectors (two VS Code windows, or the
// CLI beside the extension) writing the same files would overwrite each other's traces. The
// lock is a file holding the owner's pid; a lock whose process is gone is taken over.

import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'spanscope.lock';

/** The `code` of a StoreLockedError, which survives crossing bundles (the extension and its backend) where `instanceof` does not. */
export const STORE_LOCKED = 'ESTORELOCKED';

export class StoreLockedError extends Error {
  readonly code = STORE_LOCKED;
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(`the store ${dir} is in use by another Spanscope process (pid ${pid})`);
  }
}

export function isStoreLocked(err: unknown): err is StoreLockedError {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === STORE_LOCKED;
}

/** Store folders this process holds, so a second open in the same process is refused too. */
const heldHere = new Set<string>();

/** Takes the lock or throws StoreLockedError; returns the function that releases it. */
export function acquireStoreLock(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  if (heldHere.has(path)) throw new StoreLockedError(dir, process.pid);
  const owner = readOwner(path);
  if (owner !== undefined && owner !== process.pid && isAlive(owner)) throw new StoreLockedError(dir, owner);
  // Written aside and renamed: a reader never sees a half-written pid.
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
  renameSync(temp, path);
  // Two processes taking over the same stale lock at once: the last rename wins, the other sees it.
  const now = readOwner(path);
  if (now !== process.pid) throw new StoreLockedError(dir, now ?? -1);
  heldHere.add(path);
  return () => {
    heldHere.delete(path);
    if (readOwner(path) === process.pid) rmSync(path, { force: true });
  };
}

/** The pid written in the lock file at `path`; undefined when there is none or it can not be read. */
export function readOwner(path: string): number | undefined {
  try {
    const pid = JSON.parse(readFileSync(path, 'utf8')).pid;
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined; // missing or unreadable: nobody holds it
  }
}

/** Whether a process with this pid exists (one we may not signal counts). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
