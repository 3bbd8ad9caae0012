// `npm run bench`: runs every benchmark in bench/ one after another (`*.ts` through tsx,
// `*.mjs` with node, `*.py` with python3; the helpers listed below and this file excepted),
// shows what each prints, and ends with a summary of the lines that state a ratio: those
// starting "ratio:", and "a / b = x" or "… x.xx x" lines. A benchmark adds itself by existing.
// Extra arguments (e.g. --quick) are passed to every benchmark.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const here = import.meta.dirname ?? new URL('.', import.meta.url).pathname;
/** Modules other benchmarks import; not benchmarks themselves. */
const HELPERS = new Set(['run.mjs', 'ingestHarness.ts', 'ingestServer.ts', 'interopRows.ts']);
const extra = process.argv.slice(2);
const RATIO_LINE = /^ratio:|\s\/\s.*=\s*[\d.]+|\/ .*\(p50\): [\d.]+x|target .*: (met|MISSED)/i;

function command(file) {
  const path = join(here, file);
  if (file.endsWith('.ts')) return [process.execPath, ['--import', 'tsx', path, ...extra]];
  if (file.endsWith('.mjs')) return [process.execPath, [path, ...extra]];
  return ['python3', [path, ...extra.filter((a) => a !== '--quick')]];
}

const benches = readdirSync(here)
  .filter((f) => /\.(ts|mjs|py)$/.test(f) && !f.endsWith('.d.ts') && !HELPERS.has(f) && !f.startsWith('_'))
  .sort();

const summary = [];
let failed = 0;
for (const file of benches) {
  console.log(`\n== bench/${file}`);
  const [cmd, args] = command(file);
  const result = spawnSync(cmd, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stdout.write(result.stdout ?? '');
  if (result.status !== 0) {
    failed++;
    summary.push(`bench/${file}: FAILED (exit ${result.status ?? result.error?.message})`);
  }
  for (const line of (result.stdout ?? '').split('\n')) {
    if (RATIO_LINE.test(line)) summary.push(`bench/${file}: ${line.replace(/^ratio:\s*/, '').trim()}`);
  }
}
console.log('\n== summary');
for (const line of summary) console.log(line);
process.exit(failed ? 1 : 0);
