// `npm run bench`: runs every benchmark in bench/ (each `*.ts` or `*.mjs` file with a main,
// except the helpers listed below and this file), one after another, then repeats the lines
// they printed starting with "ratio:" as one summary. A benchmark adds itself by existing.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const here = import.meta.dirname ?? new URL('.', import.meta.url).pathname;
/** Modules other benchmarks import; not benchmarks themselves. */
const HELPERS = new Set(['run.mjs', 'ingestHarness.ts', 'ingestServer.ts']);
const extra = process.argv.slice(2);

const benches = readdirSync(here)
  .filter((f) => /\.(ts|mjs)$/.test(f) && !f.endsWith('.d.ts') && !HELPERS.has(f) && !f.startsWith('_'))
  .sort();

const summary = [];
let failed = 0;
for (const file of benches) {
  console.log(`\n== bench/${file}`);
  const args = file.endsWith('.ts') ? ['--import', 'tsx', join(here, file), ...extra] : [join(here, file), ...extra];
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  process.stdout.write(result.stdout ?? '');
  if (result.status !== 0) {
    failed++;
    summary.push(`bench/${file}: FAILED (exit ${result.status})`);
  }
  for (const line of (result.stdout ?? '').split('\n')) if (line.startsWith('ratio:')) summary.push(`bench/${file}: ${line.slice(7)}`);
}
console.log('\n== summary');
for (const line of summary) console.log(line);
process.exit(failed ? 1 : 0);
