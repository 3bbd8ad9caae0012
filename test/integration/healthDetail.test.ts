// /api/health without a token tells any local process whether the collector keeps what it
// acknowledges (status, the reason, how many records wait, what damage was found) but not
// where the files are: a path names the user's home and workspace. With the read token
// (Bearer, ?token= or the web UI's cookie) it gives the paths too. Real collector, real store
// folders with a space in their name, real damage: a changed pack, a folder where a pack goes.

import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { traceBatch } from '../support/builders';
import { type TestCollector, startTestCollector, tempDir } from '../support/collector';
import { http } from '../support/http';

let c: TestCollector | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
});

/** A store folder as a user's might be: under a person's name, with spaces. */
function storeDir(): string {
  const dir = join(tempDir(), 'Jane Doe', 'client work', '.spanscope');
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not ${what} within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every text of a health reply, for looking for paths in. */
const texts = (health: { reason?: string; problems?: string[] }) => [health.reason ?? '', ...(health.problems ?? [])];

describe('/api/health', () => {
  it('reports damage found in the store without its paths to a caller with no token, and with them to one with the token', async () => {
    const dir = storeDir();
    c = await startTestCollector({ dir });
    for (const id of ['a', 'b', 'c']) expect((await c.ingest(traceBatch(id, 3))).status).toBe(200);
    await c.stop();
    const pack = join(dir, 'packs', 'pack-000001.json');
    writeFileSync(pack, readFileSync(pack, 'utf8').replace('"trace b"', '"trace X"'));
    c = await startTestCollector({ dir });
    await c.get('/api/traces/b'); // reading the damaged entry is what finds it

    const open = (await c.raw('/api/health')).json;
    expect(open.status).toBe('ok');
    expect(open.version).toBe('test');
    expect(open.problems.length).toBeGreaterThanOrEqual(2);
    expect(open.problems.join('\n')).toMatch(/pack-000001\.json is damaged|is damaged/);
    expect(open.problems.join('\n')).toMatch(/kept 2 entries that check out, lost 1/);
    for (const text of texts(open)) {
      expect(text).not.toContain('Jane Doe');
      expect(text).not.toContain('client work');
      expect(text).not.toContain(dir);
      expect(text).not.toMatch(/\/tmp\/|\/home\//);
      if (homedir().length > 1) expect(text).not.toContain(homedir());
    }

    const bearer = (await c.get('/api/health')).json;
    expect(bearer.problems.join('\n')).toContain(join(dir, 'packs', 'pack-000001.json'));
    expect(bearer.problems.length).toBe(open.problems.length);
    const query = (await c.raw(`/api/health?token=${c.token}`)).json;
    expect(query).toEqual(bearer);
    const cookie = (await c.raw('/api/health', { headers: { cookie: `spanscope_token_${c.port}=${c.token}` } })).json;
    expect(cookie).toEqual(bearer);

    // A wrong token is no token: still 200, still without paths.
    const wrong = await c.raw('/api/health', { headers: { authorization: 'Bearer not-the-token' } });
    expect(wrong.status).toBe(200);
    expect(wrong.json).toEqual(open);
  });

  it('says why writes fail, without the path, to a caller with no token', async () => {
    const dir = storeDir();
    c = await startTestCollector({ dir, store: { flushIntervalMs: 50 } });
    const blocker = join(dir, 'packs', 'pack-000001.json'); // the open pack of a new store
    mkdirSync(blocker);
    expect((await c.ingest(traceBatch('t', 2))).status).toBe(200);
    const open = await until('degraded', async () => {
      const h = (await http(c!.port, '/api/health')).json;
      return h.status === 'degraded' ? h : undefined;
    });
    expect(open).toMatchObject({ status: 'degraded', since: expect.any(String) });
    expect(open.unwritten).toBeGreaterThan(0);
    expect(open.reason).toMatch(/EISDIR|EEXIST|ENOTEMPTY/);
    for (const text of texts(open)) {
      expect(text).not.toContain('Jane Doe');
      expect(text).not.toContain(dir);
    }
    const full = (await c.get('/api/health')).json;
    expect(full.status).toBe('degraded');
    expect(texts(full).join('\n')).toContain('Jane Doe');
    rmdirSync(blocker);
    await until('ok again', async () => ((await c!.raw('/api/health')).json.status === 'ok' ? true : undefined));
  });
});
