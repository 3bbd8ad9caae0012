// Before any end-to-end file runs: clears the previous run's screenshots, and installs
// code-server (cached after the first run) so its cost shows on a line of its own rather than
// inside the first test's time.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { codeServerDir, REPO_ROOT } from './harness';

export default async function setup(): Promise<void> {
  rmSync(join(REPO_ROOT, 'test-results/e2e'), { recursive: true, force: true });
  const started = Date.now();
  const dir = await codeServerDir();
  process.stdout.write(`code-server ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${dir})\n`);
}
