// Logs and monitor over HTTP on a store of 50k traces: a filtered, sorted page and a monitor
// query, against two baselines measured in the same run on the same collector:
//   - list: `GET /api/traces?limit=50000`, the read API handing every summary to the reader
//     (what a page would have to fetch to filter for itself);
//   - scan: `GET /api/query?limit=100` with no filter, the query route's own floor (list the
//     store's summaries, sort, cut a page).
// and, for scale, `GET /api/traces?limit=100` (the read API's newest page: it sorts every
// summary, then cuts 100).
// Prints medians and ratios; no thresholds (see notes/common.md: targets live here as ratios).
//
// Run: node --import tsx bench/query.ts [--quick] [--traces N]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startCollector } from '../src/collector/server';
import type { Patch } from '../src/core/model/model';
import { openStore, type TraceStore } from '../src/store/traceStore';

const args = process.argv.slice(2);
const tracesArg = args.indexOf('--traces');
const TRACES = tracesArg >= 0 ? Number(args[tracesArg + 1]) : args.includes('--quick') ? 10_000 : 50_000;
const RUNS = 9;
const DAY = 86_400_000;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'spanscope-bench-query-'));
  // Never flushed during the run: the bench measures reading, and 50k trace files are not the point.
  const store = await openStore({ dir, maxTraces: TRACES * 2, flushIntervalMs: 1e9, warn: () => {} });
  const now = Date.now();
  seed(store, TRACES, now);
  const collector = await startCollector({ store, port: 0, token: 'bench', version: 'bench', log: () => {} });

  async function get(path: string): Promise<string> {
    const res = await fetch(`${collector.url}${path}`, { headers: { authorization: 'Bearer bench' } });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text.slice(0, 200)}`);
    return text;
  }

  async function measure(path: string): Promise<{ median: number; bytes: number }> {
    await get(path); // warm-up
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      bytes = (await get(path)).length;
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { median: times[Math.floor(RUNS / 2)], bytes };
  }

  const q = (filter: string, extra = '') => `/api/query?limit=100&filter=${encodeURIComponent(filter)}${extra}`;
  const cases: [string, string][] = [
    ['list   GET /api/traces?limit=all', `/api/traces?limit=${TRACES}`],
    ['scan   GET /api/query (no filter, page 100)', '/api/query?limit=100'],
    ['read   GET /api/traces?limit=100', '/api/traces?limit=100'],
    ['filter status:error user_feedback < 0.5', q('status:error user_feedback < 0.5')],
    ['filter free text "capital"', q('capital')],
    ['filter free text, past the previews "ref-777"', q('ref-777')],
    ['filter free text, no match "zebra"', q('zebra')],
    ['filter (tag:beta OR duration > 2s) -project:b', q('(tag:beta OR duration > 2s) -project:"Project B"')],
    ['filter cost > 0.01, sort by score desc', q('cost > 0.01', '&sort=score:user_feedback&order=desc')],
    ['monitor 30 days, all projects (12h buckets)', `/api/monitor?from=now-30d&to=now`],
    ['monitor 7 days, one project (2h buckets)', `/api/monitor?from=now-7d&project=${encodeURIComponent('Project A')}`],
    ['monitor 1 day, 1m buckets (1440)', `/api/monitor?from=now-1d&bucket=1m`],
  ];

  console.log(`Logs and monitor over HTTP, ${TRACES} traces, median of ${RUNS} runs`);
  let searchChars = 0;
  for (const t of store.summaries()) searchChars += store.searchText?.(t.id)?.length ?? 0;
  console.log(
    `search text kept for free text: ${searchChars.toLocaleString('en')} characters, ${Math.round(searchChars / TRACES)} per trace`,
  );
  const results: { label: string; median: number; bytes: number }[] = [];
  for (const [label, path] of cases) results.push({ label, ...(await measure(path)) });
  const [list, scan] = results;
  console.log('');
  console.log(
    `${'case'.padEnd(48)} ${'ms'.padStart(9)} ${'bytes'.padStart(10)} ${'vs list'.padStart(8)} ${'vs scan'.padStart(8)}`,
  );
  for (const r of results) {
    console.log(
      `${r.label.padEnd(48)} ${r.median.toFixed(1).padStart(9)} ${String(r.bytes).padStart(10)} ${(r.median / list.median).toFixed(2).padStart(8)} ${(r.median / scan.median).toFixed(2).padStart(8)}`,
    );
  }
  const worst = (prefix: string) =>
    results.filter((r) => r.label.startsWith(prefix)).reduce((a, b) => (b.median > a.median ? b : a));
  const filterWorst = worst('filter');
  const monitorWorst = worst('monitor');
  console.log('');
  console.log(
    `ratio: slowest filter over ${TRACES} traces (${filterWorst.label.slice(7)}) ${filterWorst.median.toFixed(1)} ms = ${(filterWorst.median / list.median).toFixed(3)}x GET /api/traces?limit=all (${list.median.toFixed(1)} ms), ${(filterWorst.median / scan.median).toFixed(2)}x the unfiltered query (${scan.median.toFixed(1)} ms)`,
  );
  console.log(
    `ratio: slowest monitor over ${TRACES} traces (${monitorWorst.label.slice(8)}) ${monitorWorst.median.toFixed(1)} ms = ${(monitorWorst.median / list.median).toFixed(3)}x GET /api/traces?limit=all, ${(monitorWorst.median / scan.median).toFixed(2)}x the unfiltered query`,
  );

  await collector.close();
  rmSync(dir, { recursive: true, force: true });
  // The store is left unflushed on purpose (its folder is gone); nothing else holds the process.
  process.exit(0);
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});

/** Retrieved text of up to ~2 KB in each input, so free text searches more than the previews. */
const CONTEXT = 'the quick brown fox jumps over the lazy dog; '.repeat(45);

/**
 * Traces over the last 30 days in three projects: ~5% errors, ~1% running, scores on half;
 * each input ends in `ref-N` (N = index mod 1000) after a context of random length.
 */
function seed(store: TraceStore, count: number, nowMs: number): void {
  let rnd = 12345;
  const random = () => (rnd = (rnd * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');
  const batch: Patch[] = [];
  for (let i = 0; i < count; i++) {
    const id = `bench-${String(i).padStart(6, '0')}`;
    const start = nowMs - random() * 30 * DAY;
    const duration = 50 + random() * random() * 5000;
    const running = random() < 0.01;
    const error = !running && random() < 0.05;
    const project = ['Project A', 'Project B', 'Project C'][i % 3];
    const trace: Record<string, unknown> & { id: string } = {
      id,
      project_name: project,
      name: ['summarise', 'classify', 'retrieve', 'answer'][i % 4],
      start_time: iso(start),
      input: {
        question: `question ${i}: what is the capital of country ${i % 200}?`,
        context: `${CONTEXT.slice(0, Math.floor(random() * CONTEXT.length))} ref-${i % 1000}`,
      },
      tags: i % 7 === 0 ? ['beta'] : [],
    };
    if (!running) trace.end_time = iso(start + duration);
    if (!running) trace.output = `answer ${i}`;
    if (error) trace.error_info = { exception_type: 'TimeoutError', message: 'upstream slow' };
    batch.push({ kind: 'trace', trace } as Patch);
    const span: Record<string, unknown> & { id: string; trace_id: string } = {
      id: `${id}-llm`,
      trace_id: id,
      name: 'llm',
      type: 'llm',
      start_time: iso(start + 1),
      usage: { prompt_tokens: Math.round(random() * 2000), completion_tokens: Math.round(random() * 500) },
      total_estimated_cost: random() * 0.03,
      model: 'gpt-4o-mini',
    };
    if (!running) span.end_time = iso(start + duration - 1);
    batch.push({ kind: 'span', span } as Patch);
    if (random() < 0.5)
      batch.push({
        kind: 'score',
        score: { target: 'trace', id, name: 'user_feedback', value: random() < 0.7 ? 1 : 0, source: 'sdk' },
      });
    if (batch.length >= 3000) store.apply(batch.splice(0));
  }
  store.apply(batch);
}
