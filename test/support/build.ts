// Tests of the standalone page and of the CLI need the built bundles (media/dist, dist/).
// vitest's globalSetup (globalBuild.ts) builds them once before any test file; a test run
// some other way builds here, once per process, so it never tests a stale bundle.

import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

let built = process.env.SPANSCOPE_TEST_BUILT === '1';

export function ensureBuilt(): void {
  if (built) return;
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: resolve(__dirname, '../..'), stdio: 'inherit' });
  built = true;
}
