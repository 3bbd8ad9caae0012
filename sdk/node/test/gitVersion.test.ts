// The code version on every trace (issue 16, item 6): commit, branch and dirty flag read from
// `.git` by the SDK itself, checked on real repositories the test makes with the `git` CLI
// (the test may run git; the SDK never does): clean, dirty in each way git's quick check
// sees, detached HEAD, packed refs, a worktree, index v4, racily clean, no repository. Then
// end to end: a script in a repository sends it on each trace (a tracked call's trace too,
// which would otherwise be left to the collector), and one outside sends none.

import { execFile, execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCodeVersion } from '../src/gitVersion';
import { startTestCollector, tempDir, type TestCollector } from '../../../test/support/collector';
import { eventually, tracesOf } from '../../../test/support/traces';
import { runScript } from './scripts';

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

function repo() {
  const dir = realpathSync(tempDir('spanscope-git-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: GIT_ENV, encoding: 'utf8' }).trim();
  const write = (name: string, text: string) => {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  git('init', '-q', '-b', 'main');
  write('app.js', "console.log('hello');\n");
  write('pkg/mod.js', 'export const x = 1;\n');
  git('add', '.');
  git('commit', '-q', '-m', 'first');
  /** Ages the index past its files' times, so nothing is racily clean by accident. */
  const settle = () => {
    const later = Date.now() / 1000 + 5;
    utimesSync(join(dir, '.git/index'), later, later);
  };
  return { dir, git, write, settle, head: () => git('rev-parse', 'HEAD') };
}

describe('reading .git without git', () => {
  it('gives the commit and branch of a clean tree, from any folder below the top', () => {
    const r = repo();
    r.settle();
    expect(readCodeVersion(r.dir)).toEqual({ commit: r.head(), branch: 'main', dirty: false });
    expect(readCodeVersion(join(r.dir, 'pkg'))?.commit).toBe(r.head());
  });

  it.each(['size', 'time', 'delete'] as const)('is dirty when a tracked file changes its %s', (change) => {
    const r = repo();
    r.settle();
    const file = join(r.dir, 'app.js');
    if (change === 'size') r.write('app.js', "console.log('hello, world');\n");
    else if (change === 'time') utimesSync(file, new Date(), new Date(statSync(file).mtimeMs + 2000));
    else unlinkSync(file);
    expect(readCodeVersion(r.dir)?.dirty).toBe(true);
  });

  it('is clean with an untracked file', () => {
    const r = repo();
    r.write('notes.txt', 'scratch\n');
    r.settle();
    expect(readCodeVersion(r.dir)?.dirty).toBe(false);
  });

  it('hashes a same-size change made in the instant the index was written', () => {
    const r = repo();
    const file = join(r.dir, 'app.js');
    // Times set to the nanosecond with touch(1): utimes from Node rounds to microseconds.
    const ns = statSync(file, { bigint: true }).mtimeNs;
    const stamp = `@${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`;
    const setTime = (path: string) => execFileSync('touch', ['-m', '-d', stamp, path]);
    r.write('app.js', "console.log('HELLO');\n"); // same size, same time as indexed
    setTime(file);
    setTime(join(r.dir, '.git/index')); // and the index written in that instant: racy
    expect(readCodeVersion(r.dir)?.dirty).toBe(true);
    r.write('app.js', "console.log('hello');\n");
    setTime(file);
    expect(readCodeVersion(r.dir)?.dirty).toBe(false);
  });

  it('has no branch on a detached HEAD', () => {
    const r = repo();
    const first = r.head();
    r.write('app.js', "console.log('second');\n");
    r.git('commit', '-qam', 'second');
    r.git('checkout', '-q', '--detach', first);
    r.settle();
    expect(readCodeVersion(r.dir)).toEqual({ commit: first, dirty: false });
  });

  it('reads packed refs when the loose ref is gone', () => {
    const r = repo();
    r.git('pack-refs', '--all');
    expect(existsSync(join(r.dir, '.git/refs/heads/main'))).toBe(false);
    r.settle();
    expect(readCodeVersion(r.dir)).toEqual({ commit: r.head(), branch: 'main', dirty: false });
  });

  it("follows a worktree's gitdir file to its own HEAD and index, and the shared refs", () => {
    const r = repo();
    const other = `${r.dir}-wt`;
    try {
      r.git('worktree', 'add', '-q', '-b', 'feature', other);
      r.write('app.js', "console.log('main moves on');\n");
      r.git('commit', '-qam', 'on main');
      writeFileSync(join(other, 'pkg/mod.js'), 'export const x = 22;\n');
      const v = readCodeVersion(other);
      expect(v).toEqual({ commit: r.git('rev-parse', 'feature'), branch: 'feature', dirty: true });
      expect(v?.commit).not.toBe(r.head());
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('reads index version 4 with its compressed paths', () => {
    const r = repo();
    r.write('pkg/mod_two.js', 'export const y = 2;\n');
    r.git('add', '.');
    r.git('commit', '-qm', 'more');
    r.git('update-index', '--index-version', '4');
    r.settle();
    expect(readCodeVersion(r.dir)?.dirty).toBe(false);
    r.write('pkg/mod_two.js', 'export const y = 22;\n');
    expect(readCodeVersion(r.dir)?.dirty).toBe(true);
  });

  it('gives nothing outside a repository or before the first commit', () => {
    const dir = tempDir('spanscope-nogit-');
    expect(readCodeVersion(dir)).toBeUndefined();
    execFileSync('git', ['init', '-q'], { cwd: dir, env: GIT_ENV });
    expect(readCodeVersion(dir)).toBeUndefined();
  });
});

describe('on every trace', () => {
  let c: TestCollector;
  beforeAll(async () => {
    c = await startTestCollector();
  });
  afterAll(() => c.close());

  const SCRIPT = `
import { track, Client, flush } from '@SDK_ESM@';
const step = track(function step(x) { return x; });
step(1);
new Client().trace({ name: 'manual' }).end();
await flush();
`;

  it('is sent by a script in a repository, on tracked and manual traces, and not by one outside', async () => {
    const r = repo();
    r.settle();
    const env = (project: string) => ({ SPANSCOPE_URL: `http://127.0.0.1:${c.port}`, SPANSCOPE_PROJECT: project });
    // The same script outside any repository (its temp folder), then inside one (untracked,
    // so the tree stays clean).
    const outsideRun = await runScript(SCRIPT, { env: env('git-out') });
    expect(outsideRun).toMatchObject({ code: 0, stderr: '' });
    const inside = r.write('run.mjs', readFileSync(outsideRun.file, 'utf8'));
    // Asynchronously: the collector runs in this process and must answer meanwhile.
    const { stderr } = await promisify(execFile)(process.execPath, [inside], {
      env: { ...process.env, ...env('git-repo'), NODE_OPTIONS: '' },
    });
    expect(stderr).toBe('');
    const expected = { commit: r.head(), branch: 'main', dirty: false };
    const traces = await eventually(async () => {
      const t = await tracesOf(c, 'git-repo');
      if (t.length < 2) throw new Error('not there yet');
      return t;
    });
    expect(traces.map((t) => t.code_version)).toEqual([expected, expected]);
    // The tracked call's trace is still whole: named and ended by its root span.
    expect(traces.find((t) => t.name === 'step')).toMatchObject({ status: 'ok', span_count: 1 });

    const outside = await eventually(async () => {
      const t = await tracesOf(c, 'git-out');
      if (t.length < 2) throw new Error('not there yet');
      return t;
    });
    expect(outside.map((t) => t.code_version)).toEqual([undefined, undefined]);
  });
});
