// The .vsix is built with `vsce --no-dependencies`: no node_modules ships, so every package the
// extension runs must be inside the esbuild bundles, and package.json lists them all as
// devDependencies (CONTRIBUTING.md, "Dependencies"). Checked here on the built bundles, run
// from a folder with no node_modules above it: the CLI serves and stores a trace, the
// extension's backend bundle loads, and package.json keeps `dependencies` empty.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../support/build';
import { tempDir } from '../support/collector';
import { http } from '../support/http';

const ROOT = join(__dirname, '..', '..');
const children: ChildProcess[] = [];

/** A folder with no node_modules in it or in any folder above it, holding copies of the bundles. */
function isolated(): string {
  const dir = tempDir('spanscope-bundle-');
  for (let d = dir; d !== dirname(d); d = dirname(d))
    if (existsSync(join(d, 'node_modules')))
      throw new Error(`${d} has a node_modules: the check would prove nothing there`);
  for (const name of ['cli.js', 'mcp.js', 'backend.js']) copyFileSync(join(ROOT, 'dist', name), join(dir, name));
  return dir;
}

/** This environment without what would let node find packages elsewhere. */
function bareEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_PATH;
  delete env.NODE_OPTIONS;
  return env;
}

beforeAll(() => ensureBuilt(), 120_000);
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('the bundles without node_modules', () => {
  it('lists no runtime dependencies in package.json, and packages with --no-dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.dependencies ?? {}, 'bundled packages belong in devDependencies (CONTRIBUTING.md)').toEqual({});
    expect(pkg.scripts.package).toContain('--no-dependencies');
  });

  it('the CLI serves, takes a trace and reads it back', async () => {
    const dir = isolated();
    const child = spawn(
      process.execPath,
      [join(dir, 'cli.js'), 'serve', '--port', '0', '--grpc-port', '0', '--data', join(dir, 'data'), '--token', 't'],
      { cwd: dir, env: bareEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const first = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', () => reject(new Error(`the CLI exited: ${stderr}`)));
    });
    const port = Number(/:(\d+)$/.exec(first)![1]);
    const at = new Date().toISOString();
    const sent = await http(port, '/api/ingest', {
      body: { events: [{ event: 'trace_start', trace: { id: 'alone', name: 'bundled', start_time: at } }] },
    });
    expect(sent.status).toBe(200);
    const read = await http(port, '/api/traces/alone', { headers: { authorization: 'Bearer t' } });
    expect(read.json?.trace?.name).toBe('bundled');
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(existsSync(join(dir, 'data', 'packs', 'pack-000001.json'))).toBe(true);
  });

  it("the extension's backend and MCP bundles load", () => {
    const dir = isolated();
    const script = `const b = require(${JSON.stringify(join(dir, 'backend.js'))}); if (typeof b.openStore !== 'function' || typeof b.startCollector !== 'function') throw new Error('exports missing'); require(${JSON.stringify(join(dir, 'mcp.js'))});`;
    const run = spawnSync(process.execPath, ['-e', script], {
      cwd: dir,
      env: bareEnv(),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
