// One huge trace (issue 13 item 7): a real `node dist/cli.js serve` takes a trace of 1M spans
// in batches of 10k (`--quick`: 300k), one after another, while another client asks
// /api/health every 50 ms. Prints the time of each tenth batch, the median batch time of the
// first ten and of the last ten, and /api/health latency during the last ten. At 8279f50,
// past ~220k spans each batch took 1.5–4 s (the trace was read back whole for every batch)
// and /api/health waited up to 2 s. Needs `npm run build` first (npm run bench does it).

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = join(__dirname, '..');
const BATCH = 10_000;

function post(port: number, path: string, body?: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        agent: false,
        method: body ? 'POST' : 'GET',
        headers: body ? { 'content-type': 'application/json' } : {},
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function spans(from: number): string {
  const events = [];
  for (let i = from; i < from + BATCH; i++) {
    const t = new Date(Date.UTC(2026, 0, 1) + i).toISOString();
    events.push({
      event: 'span_end',
      span: {
        id: `s${i}`,
        trace_id: 'huge',
        parent_span_id: i ? 's0' : undefined,
        name: `step ${i % 100}`,
        start_time: t,
        end_time: t,
        input: { i },
      },
    });
  }
  return JSON.stringify({ events });
}

/** The process's resident memory from /proc (Linux); undefined elsewhere. */
function rssMb(pid: number | undefined): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Math.round(Number(kb) / 1024);
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const total = process.argv.includes('--quick') ? 300_000 : 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'spanscope-huge-'));
  let child: ChildProcess | undefined;
  try {
    child = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'serve', '--port', '0', '--data', dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const first = await new Promise<string>((resolve) =>
      createInterface({ input: child!.stdout! }).once('line', resolve),
    );
    const port = Number(/:(\d+)$/.exec(first)![1]);
    await post(
      port,
      '/api/ingest',
      JSON.stringify({
        events: [
          {
            event: 'trace_start',
            trace: { id: 'huge', name: 'huge', start_time: new Date(Date.UTC(2026, 0, 1)).toISOString() },
          },
        ],
      }),
    );
    const health: { at: number; ms: number }[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const reply = await post(port, '/api/health');
        health.push({ at: performance.now(), ms: reply.ms });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const times: number[] = [];
    let lastTenFrom = 0;
    const batches = total / BATCH;
    for (let b = 0; b < batches; b++) {
      if (b === batches - 10) lastTenFrom = performance.now();
      const body = spans(b * BATCH);
      const reply = await post(port, '/api/ingest', body);
      if (reply.status !== 200) throw new Error(`batch ${b} answered ${reply.status}`);
      times.push(reply.ms);
      if ((b + 1) % 10 === 0)
        console.log(`spans ${((b + 1) * BATCH).toLocaleString('en')}: batch ${reply.ms.toFixed(0)} ms`);
    }
    polling = false;
    await poller;
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const firstTen = median(times.slice(0, 10));
    const lastTen = median(times.slice(-10));
    const late = health.filter((h) => h.at >= lastTenFrom).map((h) => h.ms);
    console.log(
      `${BATCH.toLocaleString('en')}-span batches into one trace of ${total.toLocaleString('en')}: median ${firstTen.toFixed(0)} ms for the first ten, ${lastTen.toFixed(0)} ms for the last ten (max ${Math.max(...times.slice(-10)).toFixed(0)} ms)`,
    );
    console.log(
      `/api/health during the last ten batches: median ${median(late).toFixed(1)} ms, max ${Math.max(...late).toFixed(1)} ms (${late.length} requests)`,
    );
    const rss = rssMb(child.pid);
    if (rss !== undefined)
      console.log(
        `collector RSS after the last batch: ${rss} MB (the trace being written stays in memory: a reference per span)`,
      );
    console.log(
      `ratio: batch time near ${total.toLocaleString('en')} spans / first batches = ${(lastTen / firstTen).toFixed(2)} (O(batch): about 1)`,
    );
  } finally {
    child?.kill('SIGTERM');
    await new Promise((resolve) => (child && child.exitCode === null ? child.on('exit', resolve) : resolve(undefined)));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
