// Profiles the collector under the ingest benchmark's load: starts the bench server with
// --cpu-prof, drives one row (native by default) for a few seconds, stops it, and prints the
// functions with the most self time and the heaviest call paths by total time. Not a
// benchmark (run.mjs skips files starting with `_`); a tool for finding where the time goes.
//   node --import tsx bench/_profileIngest.ts [native|opik|otlp-json|otlp-proto] [seconds] [collector|raw]
// KEEP_PROFILE=file.cpuprofile keeps the profile (open it in Chrome's DevTools).

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_INGEST_OPTIONS, drive, type IngestRow, startServer, stopServer } from './ingestHarness';
import { nativeRow } from './ingest';
import { opikRow, otlpJsonRow, otlpProtobufRow } from './interopRows';

const ROWS: Record<string, () => IngestRow> = {
  native: nativeRow,
  opik: opikRow,
  'otlp-json': otlpJsonRow,
  'otlp-proto': otlpProtobufRow,
};

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

async function main(): Promise<void> {
  const row = ROWS[process.argv[2] ?? 'native']();
  const seconds = Number(process.argv[3] ?? 6);
  const dir = mkdtempSync(join(tmpdir(), 'spanscope-prof-'));
  try {
    const mode = process.argv[4] === 'raw' ? 'raw' : 'collector';
    const server = await startServer(mode, {
      nodeArgs: [
        '--cpu-prof',
        `--cpu-prof-dir=${dir}`,
        ...(process.env.PROFILE_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      ],
    });
    const counter = { next: 0 };
    await drive(server.port, row, DEFAULT_INGEST_OPTIONS.connections, 500, counter);
    const rate = await drive(server.port, row, DEFAULT_INGEST_OPTIONS.connections, seconds * 1000, counter);
    await stopServer(server.child);
    console.log(`${row.name}: ${Math.round(rate).toLocaleString('en')} spans/s while profiled`);
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('no profile written');
    const text = readFileSync(join(dir, file), 'utf8');
    if (process.env.KEEP_PROFILE) writeFileSync(process.env.KEEP_PROFILE, text); // for a closer look
    report(JSON.parse(text) as Profile, rate * seconds);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Prints shares of the samples and, for `spans` handled while profiled, µs per span. */
function report(profile: Profile, spans: number): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++)
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + profile.timeDeltas[i]);
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const name = (n: ProfileNode) =>
    `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber + 1}`;
  // Self time by function (summed over every call path).
  const selfByName = new Map<string, number>();
  for (const [id, t] of self) selfByName.set(name(byId.get(id)!), (selfByName.get(name(byId.get(id)!)) ?? 0) + t);
  const pct = (t: number) =>
    `${((100 * t) / total).toFixed(1).padStart(5)} % ${(t / spans).toFixed(2).padStart(6)} µs/span`;
  console.log(`\nself time (total ${(total / 1e6).toFixed(2)} s of samples)`);
  for (const [n, t] of [...selfByName].sort((a, b) => b[1] - a[1]).slice(0, 45)) console.log(`${pct(t)}  ${n}`);
  // Total time by function (a function counted once per sample even when recursive).
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const totalByName = new Map<string, number>();
  for (const [id, t] of self) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const n = name(byId.get(at)!);
      if (seen.has(n)) continue;
      seen.add(n);
      totalByName.set(n, (totalByName.get(n) ?? 0) + t);
    }
  }
  console.log('\ntotal time (self + callees)');
  for (const [n, t] of [...totalByName].sort((a, b) => b[1] - a[1]).slice(0, 60)) console.log(`${pct(t)}  ${n}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
