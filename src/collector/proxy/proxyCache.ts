// The proxy's cache on disk, in a folder beside the traces: one file per reply body under
// `bodies/` (named by the cache key, written by the store's writeFileAtomic: temp file, fsync,
// rename, fsync the folder) and an index kept open as a lowdb document (`index.json`: per key
// the status, content type, the sizes of the chunks a stream arrived in, when it was stored
// and last used), written by lowdb's own writer: it queues writes and keeps only the newest
// waiting, which suits an index rewritten on every put; it does not fsync, and need not for a
// cache: an index that loses its last writes to a power cut loses only those entries (their
// bodies are removed at the next open), and a body cut short is found by its size and
// dropped (get). The folder is
// bounded by size: the least recently used entries go first. Only 2xx replies are stored, and
// nothing of the request's headers, so no credential ever reaches the disk.

import { mkdirSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { writeFileAtomic } from '../../store/atomicWrite';
import { listDir, moveAside } from '../../store/storeFiles';

export const DEFAULT_CACHE_MAX_BYTES = 256 * 1024 * 1024;

export interface CachedReply {
  status: number;
  contentType?: string;
  /** Byte lengths of the chunks the body arrived in: a stream is replayed chunk by chunk, as recorded. */
  chunks: number[];
  size: number;
  /** Epoch ms. */
  storedAt: number;
  lastUsedAt: number;
}

interface IndexData {
  version: 1;
  entries: Record<string, CachedReply>;
}

const KEY = /^[0-9a-f]{64}$/;

export class ProxyCache {
  private totalBytes = 0;
  private writing = new Set<Promise<unknown>>();
  /** A pending write of the index after hits moved their last use (one write a second at most). */
  private saveTimer?: NodeJS.Timeout;
  /** Puts under way by key: a call right behind the one that fills an entry waits for it rather than missing. */
  private readonly filling = new Map<string, Promise<void>>();

  private constructor(
    private readonly dir: string,
    readonly maxBytes: number,
    private readonly db: Low<IndexData>,
    private readonly warn: (m: string) => void,
  ) {
    for (const entry of Object.values(db.data.entries)) this.totalBytes += entry.size;
  }

  /** Opens (or creates) the cache in `dir`; an index that does not parse is moved aside and the cache starts empty. */
  static async open(dir: string, maxBytes: number, warn: (m: string) => void): Promise<ProxyCache> {
    mkdirSync(join(dir, 'bodies'), { recursive: true });
    const path = join(dir, 'index.json');
    const empty = (): IndexData => ({ version: 1, entries: {} });
    let db = new Low<IndexData>(new JSONFile<IndexData>(path), empty());
    try {
      await db.read();
      if (db.data?.version !== 1 || typeof db.data.entries !== 'object' || db.data.entries === null)
        throw new Error('not a cache index');
    } catch (err) {
      const aside = await moveAside(path).catch(() => undefined);
      warn(
        `Spanscope proxy: the cache index ${path} could not be read (${(err as Error).message})${aside ? `; moved to ${aside}` : ''}; starting an empty cache`,
      );
      db = new Low<IndexData>(new JSONFile<IndexData>(path), empty());
    }
    // Files in bodies/ the index does not name take space outside maxBytes and are never
    // served: temp files of writes a crash cut off, bodies whose index entry a crash lost
    // (the body is written first), every body of an index that was moved aside.
    const bodies = join(dir, 'bodies');
    await Promise.all(
      listDir(bodies)
        .filter((name) => !(KEY.test(name) && Object.hasOwn(db.data.entries, name)))
        .map((name) => rm(join(bodies, name), { force: true })),
    );
    return new ProxyCache(dir, maxBytes, db, warn);
  }

  get size(): number {
    return this.totalBytes;
  }

  /** The stored reply and its body; undefined on a miss, an entry older than `maxAgeMs`, or a body file gone. */
  async get(
    key: string,
    maxAgeMs?: number,
    now = Date.now(),
  ): Promise<{ reply: CachedReply; body: Buffer } | undefined> {
    await this.filling.get(key);
    const reply = KEY.test(key) ? this.db.data.entries[key] : undefined;
    if (!reply || (maxAgeMs !== undefined && now - reply.storedAt > maxAgeMs)) return undefined;
    let body: Buffer;
    try {
      body = await readFile(this.bodyPath(key));
    } catch {
      body = Buffer.alloc(0);
    }
    if (body.length !== reply.size) {
      this.warn(`Spanscope proxy: cached body ${key} is missing or cut short; dropped from the cache`);
      this.drop(key);
      this.saveIndex();
      return undefined;
    }
    reply.lastUsedAt = now;
    this.saveTimer ??= setTimeout(() => {
      this.saveTimer = undefined;
      this.saveIndex();
    }, 1000).unref();
    return { reply, body };
  }

  /** Stores a 2xx reply (anything else is ignored), then trims the cache to its size. */
  async put(
    key: string,
    reply: { status: number; contentType?: string; chunks: Buffer[] },
    now = Date.now(),
  ): Promise<void> {
    if (!KEY.test(key) || reply.status < 200 || reply.status > 299) return;
    const size = reply.chunks.reduce((n, c) => n + c.length, 0);
    if (size > this.maxBytes) return;
    const job = (async () => {
      await writeFileAtomic(this.bodyPath(key), reply.chunks);
      if (this.db.data.entries[key]) this.totalBytes -= this.db.data.entries[key].size;
      this.db.data.entries[key] = {
        status: reply.status,
        contentType: reply.contentType,
        chunks: reply.chunks.map((c) => c.length),
        size,
        storedAt: now,
        lastUsedAt: now,
      };
      this.totalBytes += size;
      this.evict();
      await this.db.write();
    })();
    const tracked = this.track(job);
    this.filling.set(key, tracked);
    await tracked;
    if (this.filling.get(key) === tracked) this.filling.delete(key);
  }

  /** Writes what is pending and waits for writes under way. */
  async close(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
      this.saveIndex();
    }
    while (this.writing.size) await Promise.allSettled([...this.writing]);
  }

  private evict(): void {
    if (this.totalBytes <= this.maxBytes) return;
    const byUse = Object.entries(this.db.data.entries).sort((a, b) => a[1].lastUsedAt - b[1].lastUsedAt);
    for (const [key] of byUse) {
      if (this.totalBytes <= this.maxBytes) break;
      this.drop(key);
    }
  }

  private drop(key: string): void {
    const entry = this.db.data.entries[key];
    if (!entry) return;
    delete this.db.data.entries[key];
    this.totalBytes -= entry.size;
    void this.track(rm(this.bodyPath(key), { force: true }));
  }

  private saveIndex(): void {
    void this.track(this.db.write());
  }

  private track<T>(job: Promise<T>): Promise<T> {
    const tracked = job.catch((err) => {
      this.warn(`Spanscope proxy: writing the cache in ${this.dir} failed: ${(err as Error).message}`);
      return undefined as T;
    });
    this.writing.add(tracked);
    void tracked.finally(() => this.writing.delete(tracked));
    return tracked;
  }

  private bodyPath(key: string): string {
    return join(this.dir, 'bodies', key);
  }
}
