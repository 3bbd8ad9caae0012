// The collector service with the real store and collector, on real sockets and real folders:
// what happens when a port is taken, when two windows share a store folder, and on shutdown.

import { existsSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector } from '../../src/collector/server';
import { CollectorService, type CollectorState } from '../../src/extension/collector/collectorService';
import { listenWithFallback, PortsBusyError } from '../../src/extension/collector/portFallback';
import { storeDirs } from '../../src/extension/collector/storeLocation';
import { MemoryLogger } from '../../src/extension/log';
import { openStore } from '../../src/store/traceStore';
import { normaliseNativeBatch } from '../../src/core/normalise/native';
import { at, batch, traceEnd, traceStart } from '../support/builders';
import { tempDir } from '../support/collector';
import { http } from '../support/http';
import { startFakeOpenAI } from '../support/fakeOpenAI';

const cleanups: (() => Promise<unknown> | unknown)[] = [];

function normaliseOrThrow(body: unknown) {
  const r = normaliseNativeBatch(body);
  if (!r.ok) throw new Error(JSON.stringify(r.details));
  return r.patches;
}
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Holds a port like another program would. Port 0 takes any free one. */
async function occupy(port = 0): Promise<Server & { port: number }> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  cleanups.push(() => new Promise((r) => server.close(r)));
  return Object.assign(server, { port: (server.address() as { port: number }).port });
}

/** Two adjacent ports held, found by trying (other tests and engineers share this machine). */
async function occupyTwoInARow(): Promise<[Server & { port: number }, Server & { port: number }]> {
  for (let i = 0; i < 20; i++) {
    const a = await occupy();
    const b = await occupy(a.port + 1).catch(() => undefined);
    if (b) return [a, b];
    await new Promise((r) => a.close(r));
  }
  throw new Error('no two adjacent free ports');
}

function newService(storageDir: string, port: number, windowKey: string, portAttempts?: number) {
  const log = new MemoryLogger();
  const service = new CollectorService({
    backend: { openStore, startCollector },
    storageDir,
    windowKey,
    token: `token-${windowKey}`,
    version: '0.1.0-test',
    log,
    settings: () => ({ port }),
    portAttempts,
  });
  const states: CollectorState['phase'][] = [];
  service.onDidChangeState((s) => states.push(s.phase));
  cleanups.push(() => service.shutdown());
  return { service, log, states };
}

describe('port fallback', () => {
  it('takes the next port when the first is in use, and says which were busy', async () => {
    const taken = await occupy();
    const result = await listenWithFallback(taken.port, 10, async (port) => {
      const s = await occupy(port);
      return s.port;
    });
    expect(result.port).toBeGreaterThan(taken.port);
    expect(result.busy[0]).toBe(taken.port);
    expect(result.value).toBe(result.port);
  });

  it('gives up after the allowed attempts with every busy port named', async () => {
    const taken = await occupy();
    const err = await listenWithFallback(taken.port, 1, (port) => occupy(port)).catch((e) => e);
    expect(err).toBeInstanceOf(PortsBusyError);
    expect(err.ports).toEqual([taken.port]);
    expect(err.message).toBe(`port ${taken.port} is in use`);
  });

  it('does not walk on for failures other than a busy port', async () => {
    let tries = 0;
    const err = await listenWithFallback(7726, 10, async () => {
      tries++;
      throw Object.assign(new Error('permission denied'), { code: 'EACCES' });
    }).catch((e) => e);
    expect(err.message).toBe('permission denied');
    expect(tries).toBe(1);
  });
});

describe('the collector service', () => {
  it('starts the collector on a free port and serves the read API with its token', async () => {
    const dir = tempDir();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const { service, states } = newService(dir, 0, 'w1');
    await service.start();
    const state = service.state;
    expect(state.phase).toBe('listening');
    if (state.phase !== 'listening') return;
    expect(states).toEqual(['starting', 'listening']);
    const health = await http(state.port, '/api/health');
    expect(health.status).toBe(200);
    const traces = await http(state.port, '/api/traces', { headers: { authorization: 'Bearer token-w1' } });
    expect(traces.status).toBe(200);
    expect(existsSync(join(dir, 'traces'))).toBe(true);
  });

  it('serves the AI proxy with the upstream of its settings, its cache in the store folder', async () => {
    const fake = await startFakeOpenAI();
    cleanups.push(() => fake.close());
    const dir = tempDir();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const service = new CollectorService({
      backend: { openStore, startCollector },
      storageDir: dir,
      windowKey: 'w1',
      token: 't',
      version: '0.1.0-test',
      log: new MemoryLogger(),
      settings: () => ({ port: 0, proxy: { upstream: fake.baseURL, cacheMaxBytes: 1024 * 1024 } }),
    });
    cleanups.push(() => service.shutdown());
    await service.start();
    const state = service.state;
    if (state.phase !== 'listening') throw new Error(state.phase);
    const reply = await http(state.port, '/v1/proxy/chat/completions', {
      body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], seed: 1 },
      headers: { authorization: 'Bearer sk-x' },
    });
    expect(reply.status).toBe(200);
    expect(fake.requests).toHaveLength(1);
    await service.shutdown();
    expect(existsSync(join(dir, 'traces', 'proxy-cache', 'index.json'))).toBe(true);
  });

  it('lets a second window take the next port and its own store folder', async () => {
    const dir = tempDir();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const free = await occupy();
    await new Promise((r) => free.close(r));
    const first = newService(dir, free.port, 'w1');
    await first.service.start();
    expect(first.service.state).toMatchObject({ phase: 'listening', port: free.port });

    const second = newService(dir, free.port, 'w2');
    await second.service.start();
    const s2 = second.service.state;
    expect(s2.phase).toBe('listening');
    if (s2.phase !== 'listening') return;
    expect(s2.port).toBeGreaterThan(free.port);
    expect(s2.busyPorts[0]).toBe(free.port);
    expect(second.service.storeDir).toBe(storeDirs(dir, 'w2').fallbackDir);
    expect(second.log.lines.join('\n')).toMatch(/in use by another VS Code window/);
    // Another program on this shared machine may hold the ports after ours too.
    expect(second.log.lines.join('\n')).toMatch(
      new RegExp(`port ${free.port}(, \\d+)* in use .*listening on ${s2.port} instead`),
    );
    // Both answer.
    for (const s of [first.service.state, s2])
      if (s.phase === 'listening') expect((await http(s.port, '/api/health')).status).toBe(200);
  });

  it('gives the open store changed retention settings without a restart', async () => {
    const dir = tempDir();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    let maxTraces: number | undefined;
    const log = new MemoryLogger();
    const service = new CollectorService({
      backend: { openStore, startCollector },
      storageDir: dir,
      windowKey: 'w1',
      token: 't',
      version: '0.1.0-test',
      log,
      settings: () => ({ port: 0, maxTraces }),
    });
    cleanups.push(() => service.shutdown());
    expect(service.applyRetention()).toBe(false); // no store open yet: it opens with the settings
    const store = await service.getStore();
    for (let i = 0; i < 5; i++)
      store.apply(normaliseOrThrow(batch(traceStart(`t${i}`, { start_time: at(i) }), traceEnd(`t${i}`)))); // finished: retention may take them
    maxTraces = 3;
    expect(service.applyRetention()).toBe(true);
    expect(store.listTraces().map((t) => t.id)).toEqual(['t4', 't3', 't2']);
    expect(log.lines.join('\n')).toContain('retention now 3 traces');
  });

  it('reports an error state naming the busy ports when none is free', async () => {
    const dir = tempDir();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const [a, b] = await occupyTwoInARow();
    const { service, states } = newService(dir, a.port, 'w1', 2);
    await service.start();
    expect(states).toEqual(['starting', 'error']);
    expect(service.state).toEqual({
      phase: 'error',
      reason: 'ports-busy',
      ports: [a.port, b.port],
      message: `Spanscope could not start its collector: ports ${a.port}–${b.port} are all in use.`,
    });
    // Once a port is free again, Retry works.
    await new Promise((r) => b.close(r));
    await service.restart();
    expect(service.state).toMatchObject({ phase: 'listening', port: b.port, busyPorts: [a.port] });
  });

  it('restarts on another port and closes everything on shutdown', async () => {
    const dir = tempDir();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const { service, log } = newService(dir, 0, 'w1');
    await service.start();
    const before = service.state;
    await service.restart();
    const after = service.state;
    expect(after.phase).toBe('listening');
    if (before.phase !== 'listening' || after.phase !== 'listening') return;
    expect((await http(after.port, '/api/health')).status).toBe(200);
    const store = await service.getStore();
    store.apply([{ kind: 'trace', trace: { id: 'kept', name: 'kept', start_time: '2026-01-02T03:04:05.000000Z' } }]);
    await service.shutdown();
    await service.shutdown(); // twice is fine
    await expect(http(after.port, '/api/health')).rejects.toThrow();
    expect(log.lines).toContain('info store flushed and closed');
    // The store's lock is released and its data is on disk.
    const again = await openStore({ dir: join(dir, 'traces') });
    expect(again.getSummary('kept')?.name).toBe('kept');
    await again.close();
  });
});
