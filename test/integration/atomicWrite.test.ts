// The store's atomic write (src/store/atomicWrite.ts) on real files: a file is replaced whole
// or not at all, and a flush makes what it wrote durable — each file fsynced before its
// rename, its folder fsynced after. A power cut can not be staged in a test, so durability is
// checked by what the process asks of the kernel: a real store flushes under strace (Linux,
// `apt-get install strace`), and the system calls it made are read back in order.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTempFile, writeFileAtomic } from '../../src/store/atomicWrite';
import { removeTempFiles } from '../../src/store/storeFiles';
import { tempDir } from '../support/collector';

const ROOT = join(__dirname, '..', '..');

describe('writeFileAtomic', () => {
  it('replaces a file whole, from bytes, text or chunks, and leaves no temp file', async () => {
    const dir = tempDir();
    const path = join(dir, 'pack-000001.json');
    writeFileSync(path, 'the old content, longer than the new one');
    await writeFileAtomic(path, Buffer.from('bytes'));
    expect(readFileSync(path, 'utf8')).toBe('bytes');
    await writeFileAtomic(path, 'tëxt ✓');
    expect(readFileSync(path, 'utf8')).toBe('tëxt ✓');
    await writeFileAtomic(path, [Buffer.from('one,'), Buffer.from('two,'), Buffer.from('three')]);
    expect(readFileSync(path, 'utf8')).toBe('one,two,three');
    expect(readdirSync(dir)).toEqual(['pack-000001.json']);
  });

  it('lets two writes of one file at once both finish, leaving one of them whole', async () => {
    // The per-call lowdb writer it replaces gave both the same temp file (`.<name>.tmp`): the
    // second rename found it gone and failed after ten retries.
    const dir = tempDir();
    const path = join(dir, 'seg-000001.json');
    const a = 'a'.repeat(300_000);
    const b = 'b'.repeat(200_000);
    await Promise.all([writeFileAtomic(path, a), writeFileAtomic(path, b)]);
    expect([a, b]).toContain(readFileSync(path, 'utf8'));
    expect(readdirSync(dir)).toEqual(['seg-000001.json']);
  });

  it('rejects a write it can not finish, leaving what was there and no temp file', async () => {
    const dir = tempDir();
    const path = join(dir, 'pack-000002.json');
    mkdirSync(join(path, 'inside'), { recursive: true }); // a folder in the file's place: the rename fails
    await expect(writeFileAtomic(path, 'data')).rejects.toMatchObject({
      code: expect.stringMatching(/^(EISDIR|ENOTEMPTY|EEXIST|EPERM)$/),
    });
    expect(readdirSync(dir)).toEqual(['pack-000002.json']);
    expect(readdirSync(path)).toEqual(['inside']);
    await expect(writeFileAtomic(join(dir, 'no-such-folder', 'x.json'), 'data')).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });

  it('names its temp files so that those a crash leaves are removed at open, and nothing else is', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.pack-000003.json.4242-7.tmp'), 'cut off by a crash'); // ours
    writeFileSync(join(dir, '.seg-000001.json.tmp'), 'cut off by a crash'); // lowdb's, from before
    writeFileSync(join(dir, 'pack-000003.json'), 'kept');
    await writeFileAtomic(join(dir, 'seg-000002.json'), 'kept');
    expect(readdirSync(dir).filter(isTempFile)).toHaveLength(2);
    removeTempFiles(dir);
    expect(readdirSync(dir).sort()).toEqual(['pack-000003.json', 'seg-000002.json']);
  });
});

/** A store that takes a native batch, flushes and closes, in a child process under strace. */
const STORE_SCRIPT = `
import { normaliseNativeBatch } from ${JSON.stringify(join(ROOT, 'src/core/normalise/native'))};
import { openStore } from ${JSON.stringify(join(ROOT, 'src/store/traceStore'))};
const dir = process.argv[2];
void (async () => {
  const store = await openStore({ dir, warn: (m) => console.error(m), flushIntervalMs: 1e9 });
  const at = (ms) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
  const events = [{ event: 'trace_start', trace: { id: 't1', name: 'durable', start_time: at(0) } }];
  for (let i = 0; i < 3; i++) events.push({ event: 'span_end', span: { id: 's' + i, trace_id: 't1', name: 'step', start_time: at(i), end_time: at(i + 1) } });
  const result = normaliseNativeBatch({ events });
  if (!result.ok) throw new Error(JSON.stringify(result.details));
  store.apply(result.patches);
  await store.flush();
  await store.close();
})();
`;

interface Call {
  pid: string;
  name: string;
  args: string;
  result: string;
}

/** The system calls strace wrote, one per line (`pid name(args) = result`), unfinished ones joined up. */
function readTrace(text: string): Call[] {
  const calls: Call[] = [];
  const pending = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [, pid, rest] = m;
    let whole = rest;
    if (rest.endsWith('<unfinished ...>')) {
      pending.set(pid, rest.slice(0, -'<unfinished ...>'.length));
      continue;
    }
    const resumed = /^<\.\.\. \w+ resumed>(.*)$/.exec(rest);
    if (resumed) whole = (pending.get(pid) ?? '') + resumed[1];
    const call = /^(\w+)\((.*)\)\s+=\s+(-?\d+)/.exec(whole);
    if (call) calls.push({ pid, name: call[1], args: call[2], result: call[3] });
  }
  return calls;
}

/** This process's environment without SPANSCOPE_FSYNC, so the child writes as a user's store does. */
function withoutFsyncSwitch(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.SPANSCOPE_FSYNC;
  return env;
}

/** Whether `fd` is fsynced after call `from` and before it is closed (a descriptor number is reused once closed). */
function syncedBeforeClose(calls: Call[], from: number, fd: string, until = calls.length): boolean {
  for (let i = from + 1; i < until; i++) {
    if (calls[i].args !== fd) continue;
    if (calls[i].name === 'fsync' || calls[i].name === 'fdatasync') return true;
    if (calls[i].name === 'close') return false;
  }
  return false;
}

describe('a flush', () => {
  it('fsyncs every pack and index segment before renaming it into place, and its folder after', () => {
    const dir = tempDir();
    const work = tempDir();
    const script = join(work, 'flush.ts');
    writeFileSync(script, STORE_SCRIPT);
    const traceFile = join(work, 'strace.txt');
    const run = spawnSync(
      'strace',
      [
        '-f',
        '-qq',
        '-e',
        'trace=openat,fsync,fdatasync,rename,renameat,renameat2,close',
        '-e',
        'signal=none',
        '-o',
        traceFile,
        process.execPath,
        '--import',
        'tsx',
        script,
        dir,
      ],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
        env: withoutFsyncSwitch(),
      },
    );
    if (run.error)
      throw new Error(`this test runs the store under strace (apt-get install strace): ${run.error.message}`);
    expect(run.status, run.stderr).toBe(0);
    const calls = readTrace(readFileSync(traceFile, 'utf8'));

    const renames = calls.filter(
      (c) => c.name.startsWith('rename') && c.result === '0' && /\/(packs|index)\/[^"/]+"\s*$/.test(c.args),
    );
    const targets = renames.map((r) => /"([^"]+)"\s*$/.exec(r.args)![1].slice(dir.length + 1)).sort();
    expect(targets).toEqual(['index/seg-000001.json', 'packs/pack-000001.json']);
    for (const rename of renames) {
      const at = calls.indexOf(rename);
      const [temp, target] = [...rename.args.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
      // The temp file: opened for writing, then fsynced by its descriptor before the rename.
      const opened = calls.findLastIndex((c, i) => i < at && c.name === 'openat' && c.args.includes(`"${temp}"`));
      expect(opened, `${temp} opened`).toBeGreaterThanOrEqual(0);
      expect(
        syncedBeforeClose(calls, opened, calls[opened].result, at),
        `${target}: its data fsynced before the rename`,
      ).toBe(true);
      // The folder: opened after the rename and fsynced, so the new name is on the disk too.
      const folder = target.slice(0, target.lastIndexOf('/'));
      const folderOpened = calls.findIndex((c, i) => i > at && c.name === 'openat' && c.args.includes(`"${folder}"`));
      expect(folderOpened, `${folder} opened after the rename`).toBeGreaterThan(at);
      expect(
        syncedBeforeClose(calls, folderOpened, calls[folderOpened].result),
        `${folder} fsynced after the rename`,
      ).toBe(true);
    }
  });
});
