// Builds the Node SDK (package `spanscope`): two bundles from one source, ESM and CommonJS,
// with no dependencies inside (only node: built-ins), and type declarations from tsc.
// `npm run build` here runs it; the repository's build (scripts/build.mjs) imports it, and the
// tests bundle from `sdkNodeTargets` to run child scripts against the current source. esbuild
// and typescript are the repository's, found by Node's resolution upward from this folder.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const sdk = dirname(fileURLToPath(import.meta.url));

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
  const entries = [join(sdk, 'dist/index.d.mts'), join(sdk, 'dist/index.d.cts')];
  // `tsc -b` (typecheck) writes dist/types too, but not the two entries: both must be there.
  const upToDate =
    existsSync(marker) &&
    entries.every((e) => existsSync(e)) &&
    newestMtime(join(sdk, 'src')) < statSync(marker).mtimeMs;
  if (upToDate) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(sdk, 'tsconfig.json')], { stdio: 'inherit' });
  mkdirSync(join(sdk, 'dist'), { recursive: true });
  for (const e of entries) writeFileSync(e, "export * from './types/index.js';\n");
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

// Run as a script (`node build.mjs`, `npm run build`), not imported. Real paths on both
// sides: Node gives import.meta.url with links resolved, argv[1] as typed.
if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  await buildSdkNodeBundles();
  emitSdkNodeTypes();
}
