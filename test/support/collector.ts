// A collector on a free port with a store in a fresh temp folder, for integration tests
// (and any other test that needs a real one): `await startTestCollector()`, then `close()`.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Collector, type CollectorOptions, startCollector } from '../../src/collector/server';
import { type TraceStore, openStore } from '../../src/store/traceStore';
import type { StoreOptions } from '../../src/store/types';
import { type HttpOptions, type HttpReply, http } from './http';

/** Folders tempDir made for the test file under way; removeTempDirs (test/support/setup.ts) deletes them after it. */
const madeDirs: string[] = [];

export function tempDir(prefix = 'spanscope-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  madeDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of madeDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface TestCollector {
  collector: Collector;
  store: TraceStore;
  dir: string;
  port: number;
  token: string;
  /** Warnings the store gave. */
  warnings: string[];
  /** Lines the collector logged. */
  logs: string[];
  /** Request with the token (Bearer) added. */
  get(path: string, options?: HttpOptions): Promise<HttpReply>;
  /** Request without the token. */
  raw(path: string, options?: HttpOptions): Promise<HttpReply>;
  /** POST a native batch to /api/ingest. */
  ingest(body: unknown): Promise<HttpReply>;
  /** Stops the collector, closes the store (so it flushes), keeps the folder. */
  stop(): Promise<void>;
  /** stop() and delete the folder. */
  close(): Promise<void>;
}

export async function startTestCollector(
  options: { dir?: string; store?: Partial<StoreOptions>; collector?: Partial<Omit<CollectorOptions, 'store'>> } = {},
): Promise<TestCollector> {
  const dir = options.dir ?? tempDir();
  const warnings: string[] = [];
  const logs: string[] = [];
  const store = await openStore({ dir, warn: (m) => warnings.push(m), ...options.store });
  const collector = await startCollector({
    store,
    port: 0,
    token: 'test-token',
    version: 'test',
    log: (m) => logs.push(m),
    ...options.collector,
  });
  const port = collector.port;
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= collector.close().then(() => store.close()));
  return {
    collector,
    store,
    dir,
    port,
    token: collector.token,
    warnings,
    logs,
    get: (path, o = {}) =>
      http(port, path, { ...o, headers: { authorization: `Bearer ${collector.token}`, ...o.headers } }),
    raw: (path, o) => http(port, path, o),
    ingest: (body) => http(port, '/api/ingest', { method: 'POST', body: body as object }),
    stop,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
