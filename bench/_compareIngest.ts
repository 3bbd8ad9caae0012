// Compares collectors built from different source trees (e.g. a `git archive` of main and
// this worktree) under the ingest benchmark's load, in interleaved rounds with the raw
// parse-only server, so a change is judged against its baseline on the same busy machine.
// Prints server CPU µs per span and spans/s (as a share of the raw server's in the same
// round) for each round, and the medians. Not a benchmark run.mjs
// runs (its name starts with `_`); a tool for deciding whether a change pays.
//   node --import tsx bench/_compareIngest.ts native|opik|otlp-json|otlp-proto ROUNDS name=DIR[,ENV=value…] …
// e.g. `… native 4 main=/tmp/main here=.` (DIR holds bench/ingestServer.ts and src/).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { nativeRow } from './ingest';
import { DEFAULT_INGEST_OPTIONS, type IngestRow, cpuMicros, drive, startServer, stopServer } from './ingestHarness';
import { opikRow, otlpJsonRow, otlpProtobufRow } from './interopRows';

const ROWS: Record<string, () => IngestRow> = {
  native: nativeRow,
  opik: opikRow,
  'otlp-json': otlpJsonRow,
  'otlp-proto': otlpProtobufRow,
};

interface Variant {
  name: string;
  bundle: string;
  mode: 'collector' | 'raw';
  env: Record<string, string>;
}

async function main(): Promise<void> {
  const [rowName = 'native', roundsText = '3', ...specs] = process.argv.slice(2);
  const row = ROWS[rowName]();
  if (!row || specs.length === 0) throw new Error('usage: _compareIngest.ts ROW ROUNDS name=DIR[,ENV=value…] …');
  const out = mkdtempSync(join(tmpdir(), 'spanscope-compare-'));
  try {
    const variants = await bundle(specs, out);
    const cpu: Record<string, number[]> = {};
    const rate: Record<string, number[]> = {};
    const counter = { next: 0 };
    for (let round = 0; round < Number(roundsText); round++) {
      for (const v of variants) {
        const server = await startServer(v.mode, { bundle: v.bundle, env: v.env });
        try {
          await drive(server.port, row, DEFAULT_INGEST_OPTIONS.connections, DEFAULT_INGEST_OPTIONS.warmupMs, counter);
          const before = await cpuMicros(server.port);
          const sent = counter.next;
          (rate[v.name] ??= []).push(
            await drive(
              server.port,
              row,
              DEFAULT_INGEST_OPTIONS.connections,
              DEFAULT_INGEST_OPTIONS.measureMs,
              counter,
            ),
          );
          (cpu[v.name] ??= []).push(
            ((await cpuMicros(server.port)) - before) / ((counter.next - sent) * row.spansPerBody),
          );
        } finally {
          await stopServer(server.child);
        }
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    for (const [name, xs] of Object.entries(cpu))
      console.log(
        `${row.name} ${name.padEnd(8)} CPU µs/span ${xs.map((x) => x.toFixed(1)).join(' ')} (median ${median(xs).toFixed(1)})`,
      );
    // Each round's rate against the raw server's of the same round: the machine's load drifts between rounds.
    for (const [name, xs] of Object.entries(rate)) {
      const shares = xs.map((x, i) => x / rate.raw[i]);
      console.log(
        `${row.name} ${name.padEnd(8)} spans/s ${xs.map((x) => Math.round(x)).join(' ')} (median ${Math.round(median(xs))}), of raw ${shares.map((x) => x.toFixed(2)).join(' ')} (median ${median(shares).toFixed(2)})`,
      );
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** One bundle per source tree; the raw server comes from the first. */
async function bundle(specs: string[], out: string): Promise<Variant[]> {
  const variants: Variant[] = [];
  const bundles = new Map<string, string>();
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const [dir, ...envs] = spec.slice(eq + 1).split(',');
    const root = resolve(dir);
    let file = bundles.get(root);
    if (!file) {
      file = join(out, `server-${bundles.size}.js`);
      await build({
        entryPoints: [join(root, 'bench', 'ingestServer.ts')],
        outfile: file,
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node18',
        logLevel: 'warning',
      });
      bundles.set(root, file);
    }
    variants.push({
      name: spec.slice(0, eq),
      bundle: file,
      mode: 'collector',
      env: Object.fromEntries(envs.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])),
    });
  }
  variants.push({ name: 'raw', bundle: bundles.values().next().value!, mode: 'raw', env: {} });
  return variants;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
