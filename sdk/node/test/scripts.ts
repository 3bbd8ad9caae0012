// Runs scripts that use the SDK in child processes (exit paths, a second process, disabled
// mode, another SDK beside ours) against a bundle built from the current source. Reading back
// what the collector stored is test/support/traces.ts.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tempDir } from '../../../test/support/collector';
// @ts-expect-error: a plain .mjs build script without types
import { sdkNodeTargets } from '../build.mjs';
import * as esbuild from 'esbuild';

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
  options: {
    env?: Record<string, string | undefined>;
    args?: string[];
    timeoutMs?: number;
    onStdout?: (text: string, child: ChildProcess) => void;
    name?: string;
  } = {},
): Promise<ScriptRun & { file: string }> {
  const { mjs, cjs } = await sdkBundle();
  const dir = tempDir('spanscope-script-');
  const file = join(dir, options.name ?? 'script.mjs');
  writeFileSync(file, source.replaceAll('@SDK_ESM@', pathToFileURL(mjs).href).replaceAll('@SDK_CJS@', cjs));
  const started = Date.now();
  const env: Record<string, string | undefined> = { ...process.env, NODE_OPTIONS: undefined, ...options.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const child = spawn(process.execPath, [...(options.args ?? []), file], {
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    options.onStdout?.(stdout, child);
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (c, s) => resolve([c, s])),
  );
  clearTimeout(timer);
  return { code, signal, stdout, stderr, ms: Date.now() - started, file };
}
