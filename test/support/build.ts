// Tests of the standalone page need the built bundle in media/dist. `npm test` builds first;
// a test file run on its own builds here, once per process, so it never tests a stale bundle.

import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

let built = false;

export function ensureBuilt(): void {
  if (built) return;
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: resolve(__dirname, '../..'), stdio: 'inherit' });
  built = true;
}
