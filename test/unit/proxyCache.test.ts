// The AI proxy's cache on real files: what it keeps, what it refuses, how it stays under its
// size (least recently used first), and what it does with a damaged index or body.

import { readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProxyCache } from '../../src/collector/proxy/proxyCache';
import { tempDir } from '../support/collector';

const key = (n: number) => n.toString(16).padStart(64, '0');
const reply = (text: string, status = 200) => ({
  status,
  contentType: 'application/json',
  chunks: [Buffer.from(text)],
});

describe('the proxy cache', () => {
  it('keeps a reply with its chunks and content type, across a reopen', async () => {
    const dir = tempDir();
    const warnings: string[] = [];
    const cache = await ProxyCache.open(dir, 1024, (m) => warnings.push(m));
    await cache.put(key(1), {
      status: 200,
      contentType: 'text/event-stream',
      chunks: [Buffer.from('data: 1\n\n'), Buffer.from('data: 2\n\n')],
    });
    await cache.close();
    const again = await ProxyCache.open(dir, 1024, (m) => warnings.push(m));
    const hit = await again.get(key(1));
    expect(hit?.reply).toMatchObject({ status: 200, contentType: 'text/event-stream', chunks: [9, 9], size: 18 });
    expect(hit?.body.toString()).toBe('data: 1\n\ndata: 2\n\n');
    expect(await again.get(key(2))).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('never stores a reply that is not 2xx', async () => {
    const cache = await ProxyCache.open(tempDir(), 1024, () => undefined);
    await cache.put(key(1), reply('{"error":{}}', 429));
    await cache.put(key(2), reply('{"error":{}}', 500));
    expect(await cache.get(key(1))).toBeUndefined();
    expect(await cache.get(key(2))).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('stays under its size by dropping the least recently used replies', async () => {
    const dir = tempDir();
    const cache = await ProxyCache.open(dir, 250, () => undefined);
    const t0 = 1_000_000;
    await cache.put(key(1), reply('a'.repeat(100)), t0);
    await cache.put(key(2), reply('b'.repeat(100)), t0 + 1);
    expect(await cache.get(key(1), undefined, t0 + 2)).toBeDefined(); // 1 is now the more recently used
    await cache.put(key(3), reply('c'.repeat(100)), t0 + 3);
    await cache.close();
    expect(await cache.get(key(2))).toBeUndefined();
    expect((await cache.get(key(1)))?.body.toString()).toBe('a'.repeat(100));
    expect((await cache.get(key(3)))?.body.toString()).toBe('c'.repeat(100));
    expect(cache.size).toBe(200);
    expect(readdirSync(join(dir, 'bodies')).sort()).toEqual([key(1), key(3)]);
    // A reply larger than the whole cache is not kept.
    await cache.put(key(4), reply('d'.repeat(300)));
    expect(await cache.get(key(4))).toBeUndefined();
  });

  it('remembers the last use across a reopen, so the order of eviction survives a restart', async () => {
    const dir = tempDir();
    const cache = await ProxyCache.open(dir, 1024, () => undefined);
    await cache.put(key(1), reply('{}'), 1000);
    await cache.get(key(1), undefined, 5000);
    await cache.close();
    expect(JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')).entries[key(1)]).toMatchObject({
      storedAt: 1000,
      lastUsedAt: 5000,
    });
  });

  it('honours a maximum age', async () => {
    const cache = await ProxyCache.open(tempDir(), 1024, () => undefined);
    await cache.put(key(1), reply('{}'), 10_000);
    expect(await cache.get(key(1), 5_000, 14_000)).toBeDefined();
    expect(await cache.get(key(1), 5_000, 16_000)).toBeUndefined();
  });

  it('moves a damaged index aside and starts empty, and drops an entry whose body was cut short', async () => {
    const dir = tempDir();
    const cache = await ProxyCache.open(dir, 1024, () => undefined);
    await cache.put(key(1), reply('{"ok":true}'));
    await cache.put(key(2), reply('{"ok":2}'));
    await cache.close();
    truncateSync(join(dir, 'bodies', key(2)), 3);
    const warnings: string[] = [];
    const reopened = await ProxyCache.open(dir, 1024, (m) => warnings.push(m));
    expect(await reopened.get(key(2))).toBeUndefined();
    expect(warnings.join()).toMatch(/cut short/);
    expect((await reopened.get(key(1)))?.body.toString()).toBe('{"ok":true}');
    await reopened.close();
    expect(JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')).entries).not.toHaveProperty(key(2));

    writeFileSync(join(dir, 'index.json'), '{"version":1,"entr');
    const fresh = await ProxyCache.open(dir, 1024, (m) => warnings.push(m));
    expect(await fresh.get(key(1))).toBeUndefined();
    expect(warnings.at(-1)).toMatch(/could not be read.*moved to .*index\.json\.corrupt-/);
  });

  it('removes at open the files in bodies/ its index does not name: cut-off writes, bodies whose entry a crash lost', async () => {
    const dir = tempDir();
    const cache = await ProxyCache.open(dir, 1024, () => undefined);
    await cache.put(key(1), reply('{"kept":1}'));
    await cache.close();
    writeFileSync(join(dir, 'bodies', `.${key(2)}.1234-1.tmp`), '{"cut');
    writeFileSync(join(dir, 'bodies', key(3)), '{"orphan":3}');
    const reopened = await ProxyCache.open(dir, 1024, () => undefined);
    expect(readdirSync(join(dir, 'bodies'))).toEqual([key(1)]);
    expect((await reopened.get(key(1)))?.body.toString()).toBe('{"kept":1}');
    expect(reopened.size).toBe(10);
  });
});
