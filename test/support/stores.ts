// Stores a test opens on real folders: each one closed, and its folder removed, after the test
// (a failed assertion included), so a test file never leaves a store locked or a folder behind.

import { rmSync } from 'node:fs';
import { afterEach } from 'vitest';
import { type TraceStore, openStore } from '../../src/store/traceStore';
import type { StoreOptions } from '../../src/store/types';
import { tempDir } from './collector';

export type TestStore = TraceStore & { warnings: string[] };

export interface TestStores {
  /** A new empty folder, removed after the test. */
  newDir(): string;
  /** Opens the store in `dir`, keeping its warnings; closed after the test unless closed before. */
  openAt(dir: string, options?: Partial<StoreOptions>): Promise<TestStore>;
  /** Closes a store before the test ends (a restart). */
  closeStore(store: TraceStore): Promise<void>;
}

/** Call at the top of a test file. */
export function storesOfEachTest(): TestStores {
  const dirs: string[] = [];
  const open: TraceStore[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return {
    newDir() {
      const dir = tempDir();
      dirs.push(dir);
      return dir;
    },
    async openAt(dir, options = {}) {
      const warnings: string[] = [];
      const store = await openStore({ dir, warn: (m) => warnings.push(m), ...options });
      open.push(store);
      return Object.assign(store, { warnings });
    },
    async closeStore(store) {
      await store.close();
      const at = open.indexOf(store);
      if (at >= 0) open.splice(at, 1);
    },
  };
}
