// Runs every benchmark in turn, each in its own process (so one's heap and timers do not
// colour the next), with tsx so they can import the TypeScript sources directly.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const benches = ['query.mjs'];
const here = fileURLToPath(new URL('.', import.meta.url));
let failed = 0;
for (const bench of benches) {
  console.log(`\n=== ${bench}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `${here}${bench}`], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
