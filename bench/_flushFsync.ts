// What the fsyncs of the store's atomic write (src/store/atomicWrite.ts) cost: ingest in one
// process (native batches of ~1 KB spans applied, a flush every `--every` batches, as the
// flush timer does under load) with the fsyncs and without (SPANSCOPE_FSYNC=0), in
// interleaved rounds on fresh stores in the same run. Prints per round and as medians: spans
// per second (wall clock, flushes included), CPU µs per span, and the time each flush took
// (p50, p95, max). Not a benchmark run.mjs runs (its name starts with `_`); a tool for
// deciding what durability costs, quoted in docs/decisions/0001-….md.
//   node --import tsx bench/_flushFsync.ts [--rounds 5] [--batches 2000] [--every 40] [--dir DIR]
// DIR (default the system temp folder) must be on the disk you mean to measure: an fsync on
// tmpfs costs nothing.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normaliseNativeBatch } from '../src/core/normalise/native';
import { openStore } from '../src/store/traceStore';
import { nativeTraceBatch } from './ingest';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
}

const ROUNDS = Number(arg('rounds', '5'));
const BATCHES = Number(arg('batches', '2000'));
const EVERY = Number(arg('every', '40'));
const BASE = arg('dir', tmpdir());
const SPANS_PER_BATCH = 100;

interface Round {
  spansPerSecond: number;
  cpuMicrosPerSpan: number;
  flushMs: number[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];

async function round(fsync: boolean, next: { id: number }): Promise<Round> {
  if (fsync) delete process.env.SPANSCOPE_FSYNC;
  else process.env.SPANSCOPE_FSYNC = '0';
  const dir = mkdtempSync(join(BASE, 'spanscope-fsync-'));
  const store = await openStore({ dir, warn: () => undefined, flushIntervalMs: 1e9 });
  const template = nativeTraceBatch('@@T@@', SPANS_PER_BATCH);
  const flushMs: number[] = [];
  try {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < BATCHES; i++) {
      const bytes = Buffer.from(template.replaceAll('@@T@@', `t-${next.id++}`));
      const result = normaliseNativeBatch(JSON.parse(bytes.toString()));
      if (!result.ok) throw new Error('the bench batch was refused');
      store.apply(result.patches, { format: 'native', bytes });
      if (i % EVERY === EVERY - 1) {
        const f0 = performance.now();
        await store.flush();
        flushMs.push(performance.now() - f0);
      }
    }
    const f0 = performance.now();
    await store.flush();
    flushMs.push(performance.now() - f0);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const spans = BATCHES * SPANS_PER_BATCH;
    return { spansPerSecond: spans / seconds, cpuMicrosPerSpan: (cpu.user + cpu.system) / spans, flushMs };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function line(name: string, r: Round): string {
  return `${name.padEnd(9)} ${Math.round(r.spansPerSecond).toString().padStart(7)} spans/s  ${r.cpuMicrosPerSpan.toFixed(1).padStart(6)} µs CPU/span  flush p50 ${median(r.flushMs).toFixed(1)} ms  p95 ${quantile(r.flushMs, 0.95).toFixed(1)} ms  max ${Math.max(...r.flushMs).toFixed(1)} ms  (${r.flushMs.length} flushes)`;
}

async function main(): Promise<void> {
  console.log(
    `${BATCHES} batches of ${SPANS_PER_BATCH} spans, a flush every ${EVERY}, ${ROUNDS} interleaved rounds, in ${BASE}`,
  );
  const results: Record<'fsync' | 'no-fsync', Round[]> = { fsync: [], 'no-fsync': [] };
  const next = { id: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate which goes first, so neither always runs on a warmer machine.
    const order: ('fsync' | 'no-fsync')[] = r % 2 === 0 ? ['fsync', 'no-fsync'] : ['no-fsync', 'fsync'];
    for (const name of order) {
      const got = await round(name === 'fsync', next);
      results[name].push(got);
      console.log(`round ${r + 1}  ${line(name, got)}`);
    }
  }
  const summary = (rs: Round[]): Round => ({
    spansPerSecond: median(rs.map((x) => x.spansPerSecond)),
    cpuMicrosPerSpan: median(rs.map((x) => x.cpuMicrosPerSpan)),
    flushMs: rs.flatMap((x) => x.flushMs),
  });
  const withSync = summary(results.fsync);
  const without = summary(results['no-fsync']);
  console.log(`median    ${line('fsync', withSync)}`);
  console.log(`median    ${line('no-fsync', without)}`);
  console.log(`ratio: ingest with fsync / without = ${(withSync.spansPerSecond / without.spansPerSecond).toFixed(2)}`);
  console.log(
    `ratio: flush p50 with fsync / without = ${(median(withSync.flushMs) / median(without.flushMs)).toFixed(2)}`,
  );
}

void main();
