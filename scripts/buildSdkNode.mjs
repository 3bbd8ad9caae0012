// The Node SDK (sdk/node, package `spanscope`): two bundles from one source, ESM and
// CommonJS, with no dependencies inside (only node: built-ins), and type declarations from
// tsc. Used by scripts/build.mjs; the tests call `buildSdkNodeBundles` to run child scripts
// against the current source.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sdk = join(root, 'sdk/node');

const common = {
  entryPoints: [join(sdk, 'src/index.ts')],
  bundle: true,
  platform: 'node',
  target: 'node18',
  logLevel: 'warning',
  legalComments: 'none',
  // No source map shipped: stack traces of user code must point at user files, and the
  // SDK's own frames are better read as the bundle itself.
  sourcemap: false,
};

export const sdkNodeTargets = [
  { ...common, outfile: join(sdk, 'dist/index.mjs'), format: 'esm' },
  { ...common, outfile: join(sdk, 'dist/index.cjs'), format: 'cjs' },
];

export async function buildSdkNodeBundles() {
  await Promise.all(sdkNodeTargets.map((t) => esbuild.build(t)));
}

/**
 * `.d.ts` files from tsc into dist/types, and the two entry declarations the package's
 * `exports` name (`.d.mts` for import, `.d.cts` for require). Skipped when up to date:
 * tsc takes seconds and most builds do not touch the SDK.
 */
export function emitSdkNodeTypes() {
  const marker = join(sdk, 'dist/types/index.d.ts');
  if (existsSync(marker) && newestMtime(join(sdk, 'src')) < statSync(marker).mtimeMs) return;
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(sdk, 'tsconfig.json')], { stdio: 'inherit' });
  mkdirSync(join(sdk, 'dist'), { recursive: true });
  const entry = "export * from './types/index.js';\n";
  writeFileSync(join(sdk, 'dist/index.d.mts'), entry);
  writeFileSync(join(sdk, 'dist/index.d.cts'), entry);
}

function newestMtime(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(path) : st.mtimeMs);
  }
  return newest;
}
