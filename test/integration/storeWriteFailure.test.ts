// Issue 13 item 5, "acknowledged means kept": a write that fails is retried and surfaced —
// /api/health says `degraded` with the reason, ingest answers 507 with Retry-After (nothing of
// the request applied) rather than 200, and once writes work again every acknowledged trace is
// on disk. At main, ingest answered 200 while every write failed, and a SIGTERM then exited 0
// with the traces gone.
//
// Two real faults, no mocks:
// - EISDIR (always runs): a folder made where the store's open pack file goes, so the real
//   write (temp file, fsync, rename) fails in the real file layer (atomicWrite.ts); removed to recover.
// - ENOSPC (runs where the test may mount a tmpfs, i.e. as root on Linux; skipped with the
//   reason printed elsewhere): the store on a 3 MB tmpfs filled by real ingest, then grown by
//   a remount. A CLI run on such a tmpfs shows SIGTERM while full exiting non-zero, saying how
//   many records were lost.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traceBatch } from '../support/builders';
import { type TestCollector, startTestCollector, tempDir } from '../support/collector';
import { TestSocket, http } from '../support/http';
import { ensureBuilt } from '../support/build';

const ROOT = join(__dirname, '..', '..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Sends traces of ~`kb` KB each until one is refused; returns the ids acknowledged and the refusal. */
async function ingestUntilRefused(port: number, prefix: string, kb: number, max = 400) {
  const acked: string[] = [];
  for (let i = 0; i < max; i++) {
    const id = `${prefix}${i}`;
    const reply = await http(port, '/api/ingest', { body: traceBatch(id, 4, kb * 256) });
    if (reply.status === 200) acked.push(id);
    else return { acked, refused: reply };
    await sleep(20); // let flushes run between batches, as a real script's would
  }
  throw new Error(`never refused after ${max} traces`);
}

function tmpfsProbe(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  const dir = tempDir('spanscope-tmpfs-probe-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'pipe' });
    execFileSync('umount', [dir], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    return `can not mount a tmpfs here (${(err as Error).message.split('\n')[0]})`;
  }
}

describe('a write that fails with EISDIR (a real fault in the real file layer, always runs)', () => {
  let c: TestCollector;
  afterAll(() => c?.close());

  it('is surfaced as degraded and 507 with Retry-After, retried, and loses nothing acknowledged', async () => {
    c = await startTestCollector({ store: { flushIntervalMs: 50 } });
    const blocker = join(c.dir, 'packs', 'pack-000001.json'); // the open pack of a new store
    mkdirSync(blocker);
    expect((await c.ingest(traceBatch('before', 3))).status).toBe(200); // acknowledged: in memory
    const health = await until('degraded', async () => {
      const h = await http(c.port, '/api/health');
      return h.json.status === 'degraded' ? h.json : undefined;
    });
    expect(health).toMatchObject({ status: 'degraded', unwritten: 5 });
    expect(health.reason).toMatch(/EISDIR|EEXIST|ENOTEMPTY/);
    const refused = await c.ingest(traceBatch('refused', 2));
    expect(refused.status).toBe(507);
    expect(refused.json.error).toMatch(/can not write to disk .*nothing of this request was stored/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(c.store.getSummary('refused')).toBeUndefined(); // all or nothing
    const socket = await TestSocket.open(`ws://127.0.0.1:${c.port}/api/ingest/ws`);
    socket.send({ seq: 7, ...traceBatch('refused-ws', 1) });
    expect(await socket.next()).toMatchObject({
      ack: 7,
      status: 507,
      error: expect.stringMatching(/can not write to disk/),
    });
    await socket.close();
    expect(c.store.getSummary('refused-ws')).toBeUndefined();
    expect(c.warnings.join('\n')).toMatch(/writing the store failed .*5 record\(s\) acknowledged are kept in memory/);
    rmdirSync(blocker);
    await until('ok again', async () => ((await http(c.port, '/api/health')).json.status === 'ok' ? true : undefined));
    expect((await c.ingest(traceBatch('after', 2))).status).toBe(200);
    await c.stop();
    const again = await startTestCollector({ dir: c.dir });
    try {
      expect(
        again.store
          .listTraces()
          .map((t) => t.id)
          .sort(),
      ).toEqual(['after', 'before']);
      expect((await again.store.getTrace('before'))?.spans).toHaveLength(3);
    } finally {
      await again.close();
    }
  });
});

const noTmpfs = tmpfsProbe();
if (noTmpfs) console.log(`storeWriteFailure: the ENOSPC tests are skipped: ${noTmpfs}`);

describe.skipIf(noTmpfs !== undefined)('a full disk (ENOSPC on a real 3 MB tmpfs)', () => {
  const mounts: string[] = [];
  const children: ChildProcess[] = [];
  function mountTmpfs(mb: number): string {
    const dir = tempDir('spanscope-tmpfs-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mb}m`, 'tmpfs', dir]);
    mounts.push(dir);
    return dir;
  }
  beforeAll(() => {
    ensureBuilt(); // the test runs the shipped bundle: built from the current sources (globalBuild.ts)
  }, 120_000);
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const dir of mounts) {
      try {
        execFileSync('umount', ['-l', dir]);
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses with 507 while full, keeps what it acknowledged, and writes it once there is room', async () => {
    const mount = mountTmpfs(3);
    const c = await startTestCollector({ dir: join(mount, 'store'), store: { flushIntervalMs: 50 } });
    try {
      const { acked, refused } = await ingestUntilRefused(c.port, 't', 40);
      expect(refused.status).toBe(507);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      const health = (await http(c.port, '/api/health')).json;
      expect(health).toMatchObject({ status: 'degraded' });
      expect(health.reason).toMatch(/ENOSPC/);
      expect(health.unwritten).toBeGreaterThan(0);
      console.log(
        `ENOSPC: ${acked.length} traces acknowledged before the disk filled; ${health.unwritten} records held in memory`,
      );
      execFileSync('mount', ['-o', 'remount,size=64m', mount]);
      await until('ok again', async () =>
        (await http(c.port, '/api/health')).json.status === 'ok' ? true : undefined,
      );
      await c.stop();
      const again = await startTestCollector({ dir: join(mount, 'store') });
      try {
        expect(
          again.store
            .listTraces({ limit: 10_000 })
            .map((t) => t.id)
            .sort(),
        ).toEqual([...acked].sort());
      } finally {
        await again.stop();
      }
    } finally {
      await c.stop();
    }
  });

  it('SIGTERM while full exits non-zero and says how many acknowledged records were lost', async () => {
    const mount = mountTmpfs(3);
    const child = spawn(
      process.execPath,
      [join(ROOT, 'dist', 'cli.js'), 'serve', '--port', '0', '--data', join(mount, 'store')],
      { env: { ...process.env, SPANSCOPE_TOKEN: '' } },
    );
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const first = await new Promise<string>((resolve) =>
      createInterface({ input: child.stdout! }).once('line', resolve),
    );
    const port = Number(/:(\d+)$/.exec(first)![1]);
    const { acked } = await ingestUntilRefused(port, 't', 40);
    const unwritten = (await http(port, '/api/health')).json.unwritten;
    expect(unwritten).toBeGreaterThan(0);
    child.kill('SIGTERM');
    const code = await exit;
    console.log(
      `SIGTERM while full: exit ${code}; ${acked.length} traces acknowledged; stderr: ${stderr.trim().split('\n').pop()}`,
    );
    expect(code).toBe(3);
    expect(stderr).toMatch(
      new RegExp(`${unwritten} acknowledged record\\(s\\) could not be written .*ENOSPC.* and are lost`),
    );
  });
});
