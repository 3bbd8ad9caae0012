// vitest's globalSetup: builds dist/ (and media/dist) once, before any test file runs. Test
// files that spawn the CLI or load the bundles used to build in their own beforeAll; run in
// parallel, two builds writing dist/ at once broke one another. ensureBuilt (build.ts) then
// finds it done.

import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export default function buildOnce(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: resolve(__dirname, '../..'), stdio: 'inherit' });
  process.env.SPANSCOPE_TEST_BUILT = '1'; // the test processes start after this, with it
}
