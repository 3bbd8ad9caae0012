// Measures one ingest route as spans per second through the real collector (store on) and
// through a bare node:http server that only parses the same JSON, with the same client, in
// the same run. A row is a route plus a body builder, so the Opik and OTLP routes are more
// rows of the same table (see ingest.ts). Both servers run in a child process of their own,
// so the client's work does not share their event loop.

import { type ChildProcess, spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';

export interface IngestRow {
  /** Shown in the output, e.g. 'native HTTP'. */
  name: string;
  method?: string;
  path: string;
  headers: Record<string, string>;
  /** Body number `i` (unique ids per body, so nothing merges into an earlier trace). */
  body(i: number): string | Buffer;
  spansPerBody: number;
}

export interface IngestOptions {
  connections: number;
  warmupMs: number;
  measureMs: number;
  rounds: number;
}

export const DEFAULT_INGEST_OPTIONS: IngestOptions = { connections: 8, warmupMs: 500, measureMs: 3000, rounds: 2 };

const SERVER_BUNDLE = join(__dirname, '..', '.bench-out', 'ingestServer.js');
let bundled: Promise<unknown> | undefined;

/** The server runs bundled by esbuild, as the shipped CLI does, not through a TypeScript loader. */
function bundleServer(): Promise<unknown> {
  return (bundled ??= build({
    entryPoints: [join(__dirname, 'ingestServer.ts')],
    outfile: SERVER_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    logLevel: 'warning',
  }));
}

export interface ServerOptions {
  /** Before the script (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** A server bundled from another source tree (bench/_compareIngest.ts); this tree's by default. */
  bundle?: string;
  /** Added to this process's environment. */
  env?: Record<string, string>;
}

/** Starts the bench server in a child process. */
export async function startServer(
  mode: 'raw' | 'collector',
  o: ServerOptions = {},
): Promise<{ port: number; child: ChildProcess }> {
  const bundle = o.bundle ?? (await bundleServer(), SERVER_BUNDLE);
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), bundle, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...o.env },
  });
  const line = await new Promise<string>((resolve, reject) => {
    // Other lines (e.g. from --trace-gc in nodeArgs) pass through to stderr.
    createInterface({ input: child.stdout! }).on('line', (l) =>
      l.startsWith('PORT ') ? resolve(l) : process.stderr.write(`${l}\n`),
    );
    child.once('exit', (code) => reject(new Error(`bench server (${mode}, ${bundle}) exited with ${code}`)));
  });
  return { port: Number(line.replace('PORT ', '')), child };
}

export async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Sends bodies from `connections` keep-alive connections for `ms`; returns spans accepted per second. */
export async function drive(
  port: number,
  row: IngestRow,
  connections: number,
  ms: number,
  counter: { next: number },
): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const deadline = Date.now() + ms;
  let spans = 0;
  const started = Date.now();
  const worker = async () => {
    while (Date.now() < deadline) {
      const status = await send(agent, port, row, row.body(counter.next++));
      if (status < 200 || status > 299) throw new Error(`${row.name}: status ${status}`); // Opik answers 204
      spans += row.spansPerBody;
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsed = Date.now() - started;
  agent.destroy();
  return (spans / elapsed) * 1000;
}

function send(agent: Agent, port: number, row: IngestRow, body: string | Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: row.path,
        method: row.method ?? 'POST',
        agent,
        headers: { ...row.headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The server's CPU time so far (user + system, µs), from its /bench/cpu route. */
export function cpuMicros(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/bench/cpu' }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        const { user, system } = JSON.parse(text);
        resolve(user + system);
      });
    })
      .on('error', reject)
      .end();
  });
}

export interface RowResult {
  /** Best spans/s of the rounds. */
  raw: number;
  collector: number;
  ratio: number;
  /** Server CPU time per span (µs, all threads), best round: steadier than spans/s on a busy machine. */
  rawCpuPerSpan: number;
  collectorCpuPerSpan: number;
}

/** Runs rounds of baseline then collector; the best round of each counts (the machine is shared and noisy). */
export async function measureIngestRow(
  row: IngestRow,
  options: IngestOptions = DEFAULT_INGEST_OPTIONS,
): Promise<RowResult> {
  const best = { raw: 0, collector: 0, rawCpu: Infinity, collectorCpu: Infinity };
  const counter = { next: 0 };
  for (let round = 0; round < options.rounds; round++) {
    for (const mode of ['raw', 'collector'] as const) {
      const server = await startServer(mode);
      try {
        await drive(server.port, row, options.connections, options.warmupMs, counter);
        const cpuBefore = await cpuMicros(server.port);
        const sentBefore = counter.next;
        const rate = await drive(server.port, row, options.connections, options.measureMs, counter);
        const cpuPerSpan =
          ((await cpuMicros(server.port)) - cpuBefore) / ((counter.next - sentBefore) * row.spansPerBody);
        if (mode === 'raw')
          Object.assign(best, { raw: Math.max(best.raw, rate), rawCpu: Math.min(best.rawCpu, cpuPerSpan) });
        else
          Object.assign(best, {
            collector: Math.max(best.collector, rate),
            collectorCpu: Math.min(best.collectorCpu, cpuPerSpan),
          });
        console.log(
          `  ${row.name}: round ${round + 1} ${mode.padEnd(9)} ${Math.round(rate).toLocaleString('en').padStart(8)} spans/s, ${cpuPerSpan.toFixed(1)} µs CPU per span`,
        );
      } finally {
        await stopServer(server.child);
      }
    }
  }
  return {
    raw: best.raw,
    collector: best.collector,
    ratio: best.collector / best.raw,
    rawCpuPerSpan: best.rawCpu,
    collectorCpuPerSpan: best.collectorCpu,
  };
}
