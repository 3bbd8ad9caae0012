// Where this window keeps its traces. The store locks its folder, so two windows that would
// share one (two empty windows both use the global storage) can not corrupt each other; the
// second falls back to a folder of its own instead of failing.

import * as path from 'node:path';

export const STORE_LOCKED = 'ESTORELOCKED';

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

export async function openWithFallback<S>(dirs: { dir: string; fallbackDir: string }, open: (dir: string) => Promise<S>): Promise<StoreLocation<S>> {
  try {
    return { store: await open(dirs.dir), dir: dirs.dir, fallback: false };
  } catch (err) {
    if (!isStoreLocked(err)) throw err;
  }
  return { store: await open(dirs.fallbackDir), dir: dirs.fallbackDir, fallback: true };
}

export function isStoreLocked(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === STORE_LOCKED;
}
