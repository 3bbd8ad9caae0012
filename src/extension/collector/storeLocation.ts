// Where this window keeps its traces. The store locks its folder, so two windows that would
// share one (two empty windows both use the global storage) can not corrupt each other; the
// second falls back to a folder of its own instead of failing. Those per-window folders are
// named by the window's pid, and removed once that window is gone and they have not been
// written for a day (the grace lets a user who reopens soon after a crash still find them).

import { readdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import * as path from 'node:path';
import { LOCK_FILE, isAlive, isStoreLocked, readOwner } from '../../store/storeLock';

export interface StoreLocation<S> {
  store: S;
  dir: string;
  /** True when the usual folder was locked by another window and a per-window one is used. */
  fallback: boolean;
}

/** `<base>/traces`; `base` is the workspace's storage, or the global storage for an empty window. */
export function storeDirs(baseDir: string, windowKey: string | number): { dir: string; fallbackDir: string } {
  return {
    dir: path.join(baseDir, 'traces'),
    fallbackDir: path.join(baseDir, 'windows', String(windowKey), 'traces'),
  };
}

export async function openWithFallback<S>(
  dirs: { dir: string; fallbackDir: string },
  open: (dir: string) => Promise<S>,
): Promise<StoreLocation<S>> {
  try {
    return { store: await open(dirs.dir), dir: dirs.dir, fallback: false };
  } catch (err) {
    if (!isStoreLocked(err)) throw err;
  }
  return { store: await open(dirs.fallbackDir), dir: dirs.fallbackDir, fallback: true };
}

export const STALE_WINDOW_FOLDER_MS = 24 * 60 * 60 * 1000;

export interface StaleFolderOptions {
  /** Defaults to Date.now(). */
  now?: number;
  /** Folders last written more recently than this are kept; default one day. */
  maxAgeMs?: number;
  isAlive?: (pid: number) => boolean;
}

/**
 * Removes `<base>/windows/<pid>` folders whose window process is gone (and whose store lock,
 * if any, no live process holds) and whose files were last written longer than `maxAgeMs`
 * ago. Returns the folders removed; a folder that can not be read or removed is left alone.
 */
export async function removeStaleWindowFolders(baseDir: string, o: StaleFolderOptions = {}): Promise<string[]> {
  const now = o.now ?? Date.now();
  const maxAge = o.maxAgeMs ?? STALE_WINDOW_FOLDER_MS;
  const alive = o.isAlive ?? isAlive;
  const windows = path.join(baseDir, 'windows');
  const removed: string[] = [];
  for (const name of listDir(windows)) {
    if (!/^\d+$/.test(name) || alive(Number(name))) continue;
    const folder = path.join(windows, name);
    const lockOwner = readOwner(path.join(folder, 'traces', LOCK_FILE));
    if (lockOwner !== undefined && alive(lockOwner)) continue;
    const lastWrite = newestMtime(folder);
    if (lastWrite === undefined || now - lastWrite < maxAge) continue;
    try {
      await rm(folder, { recursive: true, force: true });
      removed.push(folder);
    } catch {
      // In use or not ours to remove: try again at the next start.
    }
  }
  return removed;
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The newest modification time of the folder, its `traces` folder and the files directly in either. */
function newestMtime(folder: string): number | undefined {
  let newest: number | undefined;
  for (const dir of [folder, path.join(folder, 'traces')]) {
    for (const entry of ['', ...listDir(dir)]) {
      try {
        const t = statSync(path.join(dir, entry)).mtimeMs;
        if (newest === undefined || t > newest) newest = t;
      } catch {
        // gone meanwhile
      }
    }
  }
  return newest;
}
