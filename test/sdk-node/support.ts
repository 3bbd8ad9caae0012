// Helpers for the Node SDK's tests: read what the real collector stored, and run scripts
// that use the SDK in child processes (exit paths, a second process, disabled mode) against
// a bundle built from the current source.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Span, TraceDetail, TraceSummary } from '../../src/core/model/model';
import { tempDir, type TestCollector } from '../support/collector';
// @ts-expect-error: a plain .mjs build script without types
import { sdkNodeTargets } from '../../scripts/buildSdkNode.mjs';
import * as esbuild from 'esbuild';

/** The trace summaries of one project, newest first. */
export async function tracesOf(c: TestCollector, project: string): Promise<TraceSummary[]> {
  const reply = await c.get(`/api/traces?project=${encodeURIComponent(project)}&limit=1000`);
  if (reply.status !== 200) throw new Error(`GET /api/traces: ${reply.status} ${reply.text}`);
  return reply.json.traces;
}

export async function traceDetail(c: TestCollector, id: string): Promise<TraceDetail> {
  const reply = await c.get(`/api/traces/${encodeURIComponent(id)}`);
  if (reply.status !== 200) throw new Error(`GET /api/traces/${id}: ${reply.status} ${reply.text}`);
  return reply.json;
}

/** The only trace of a project, whole. Fails when there is not exactly one. */
export async function onlyTrace(c: TestCollector, project: string): Promise<TraceDetail> {
  const traces = await tracesOf(c, project);
  if (traces.length !== 1) throw new Error(`expected 1 trace in ${project}, found ${traces.length}: ${traces.map((t) => t.name).join(', ')}`);
  return traceDetail(c, traces[0].id);
}

/** Polls until `check` passes (for what a child process sends), or throws its last error. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export function spanNamed(detail: TraceDetail, name: string): Span {
  const found = detail.spans.filter((s) => s.name === name);
  if (found.length !== 1) throw new Error(`expected one span "${name}", found ${found.length} among ${detail.spans.map((s) => s.name).join(', ')}`);
  return found[0];
}

export function childrenOf(detail: TraceDetail, parent: Span | undefined): Span[] {
  return detail.spans.filter((s) => s.parent_span_id === parent?.id).sort((a, b) => (a.start_time < b.start_time ? -1 : 1));
}

let bundles: Promise<{ mjs: string; cjs: string; dir: string }> | undefined;

/**
 * The SDK bundled from the current source into a temp folder of this test process (not
 * sdk/node/dist, which parallel test files would race on).
 */
export function sdkBundle(): Promise<{ mjs: string; cjs: string; dir: string }> {
  bundles ??= (async () => {
    const dir = join(tempDir('spanscope-sdk-'), 'dist');
    mkdirSync(dir, { recursive: true });
    const [esm, cjs] = sdkNodeTargets as esbuild.BuildOptions[];
    const mjs = join(dir, 'index.mjs');
    const cjsFile = join(dir, 'index.cjs');
    await Promise.all([esbuild.build({ ...esm, outfile: mjs }), esbuild.build({ ...cjs, outfile: cjsFile })]);
    return { mjs, cjs: cjsFile, dir };
  })();
  return bundles;
}

export interface ScriptRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Writes `source` as a script (`@SDK_ESM@` and `@SDK_CJS@` stand for the bundles) and runs it
 * with node. `onStdout` sees output as it comes, e.g. to send a signal once it is ready.
 */
export async function runScript(
  source: string,
  options: { env?: Record<string, string | undefined>; args?: string[]; timeoutMs?: number; onStdout?: (text: string, child: ChildProcess) => void; name?: string } = {},
): Promise<ScriptRun & { file: string }> {
  const { mjs, cjs } = await sdkBundle();
  const dir = tempDir('spanscope-script-');
  const file = join(dir, options.name ?? 'script.mjs');
  writeFileSync(file, source.replaceAll('@SDK_ESM@', pathToFileURL(mjs).href).replaceAll('@SDK_CJS@', cjs));
  const started = Date.now();
  const env: Record<string, string | undefined> = { ...process.env, NODE_OPTIONS: undefined, ...options.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const child = spawn(process.execPath, [...(options.args ?? []), file], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    options.onStdout?.(stdout, child);
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  return { code, signal, stdout, stderr, ms: Date.now() - started, file };
}

/** A loopback port with nothing listening: connections are refused at once. */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export function writeFile(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}
