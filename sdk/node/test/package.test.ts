// What `npm pack` puts in the package: the two bundles, their declarations, the README and
// package.json, and nothing that builds or tests it. Packed for real (npm's own file
// selection) from a copy of this folder with a dist as the build leaves it, stray build files
// included.

import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';
import { tempDir } from '../../../test/support/collector';
import { sdkBundle } from './scripts';

const SDK_DIR = join(__dirname, '..');

function sourceFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(dir, join(prefix, e.name)) : e.name.endsWith('.ts') ? [join(prefix, e.name)] : [],
  );
}

/** The leaf paths of `exports`, and main, module and types: what Node and tsc will look for. */
function namedPaths(manifest: Record<string, any>): string[] {
  const leaves = (v: unknown): string[] => (typeof v === 'string' ? [v] : Object.values(v as object).flatMap(leaves));
  return [manifest.main, manifest.module, manifest.types, ...leaves(manifest.exports)].map((p: string) =>
    p.replace(/^\.\//, ''),
  );
}

it('packs the bundles, their declarations and the README, and leaves out sources, tests and build files', async () => {
  const copy = join(tempDir('spanscope-pack-'), 'node');
  cpSync(SDK_DIR, copy, { recursive: true, filter: (src) => !src.startsWith(join(SDK_DIR, 'dist')) });
  const { dir: bundles } = await sdkBundle();
  cpSync(bundles, join(copy, 'dist'), { recursive: true });
  // The declarations as `npm run build` lays them out (one per source file, the two entries),
  // with what else tsc and a debugging session can leave there.
  const declarations = sourceFiles(join(SDK_DIR, 'src')).map((f) => `dist/types/${f.replace(/\.ts$/, '.d.ts')}`);
  for (const file of [
    ...declarations,
    'dist/index.d.mts',
    'dist/index.d.cts',
    'dist/types/.tsbuildinfo',
    'dist/index.mjs.map',
  ]) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    writeFileSync(join(copy, file), '');
  }

  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: copy, encoding: 'utf8' }),
  );
  const files: string[] = packed.files.map((f: { path: string }) => f.path).sort();

  expect(files).toEqual(
    [
      'README.md',
      'package.json',
      'dist/index.mjs',
      'dist/index.cjs',
      'dist/index.d.mts',
      'dist/index.d.cts',
      ...declarations,
    ].sort(),
  );
  const manifest = JSON.parse(readFileSync(join(SDK_DIR, 'package.json'), 'utf8'));
  for (const path of namedPaths(manifest)) expect(files, `package.json names ${path}`).toContain(path);
  expect(manifest.dependencies ?? {}).toEqual({});
});
