// `npm run bench` → ingest: spans/s through the collector with its store on, as a ratio to a
// bare node:http server that only parses the same JSON (target ≥ 0.5), and the write cost of
// 1k spans into a store of 100k spans as a ratio to the same into an empty store (target ≤ 2).
// The Opik and OTLP routes are more rows of the same table (bench/interopRows.ts).
//   node --import tsx bench/ingest.ts [--quick]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normaliseNativeBatch } from '../src/core/normalise/native';
import type { Patch } from '../src/core/model/model';
import { formatMicros } from '../src/core/model/time';
import { openStore } from '../src/store/traceStore';
import { DEFAULT_INGEST_OPTIONS, type IngestRow, measureIngestRow } from './ingestHarness';
import { INTEROP_ROWS } from './interopRows';

const SPANS_PER_BATCH = 100;
const quick = process.argv.includes('--quick');

/** One trace of `spans` finished spans of about 1 KB each, as a native batch; ids derive from `traceId`. */
export function nativeTraceBatch(traceId: string, spans = SPANS_PER_BATCH): string {
  const t0 = Date.UTC(2026, 0, 1) * 1000;
  const events: unknown[] = [
    {
      event: 'trace_start',
      trace: { id: traceId, name: 'bench', start_time: formatMicros(t0), input: { q: 'bench' } },
    },
  ];
  const filler = 'lorem ipsum dolor sit amet '.repeat(26); // ~700 characters of prompt text
  for (let i = 0; i < spans; i++) {
    events.push({
      event: 'span_end',
      span: {
        id: `${traceId}-${i}`,
        trace_id: traceId,
        parent_span_id: i ? `${traceId}-0` : undefined,
        name: `step ${i}`,
        type: 'llm',
        start_time: formatMicros(t0 + i * 10),
        end_time: formatMicros(t0 + i * 10 + 8),
        input: { messages: [{ role: 'user', content: filler }] },
        output: 'ok',
        model: 'gpt-4o-mini',
        provider: 'openai',
        usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 },
        total_estimated_cost: 0.0001,
        code_location: { file: '/home/me/app.py', line: 10 + i, function: 'step' },
      },
    });
  }
  events.push({ event: 'trace_end', trace: { id: traceId, end_time: formatMicros(t0 + spans * 10) } });
  return JSON.stringify({ events });
}

export function nativeRow(): IngestRow {
  const template = nativeTraceBatch('@@T@@');
  return {
    name: 'native HTTP',
    path: '/api/ingest',
    headers: { 'content-type': 'application/json' },
    body: (i) => template.replaceAll('@@T@@', `bench-${process.pid}-${i}`),
    spansPerBody: SPANS_PER_BATCH,
  };
}

/** The ingest routes measured: native, then Opik and OTLP (bench/interopRows.ts). */
const ROWS: (() => IngestRow)[] = [nativeRow, ...INTEROP_ROWS];

function patchesOf(traceId: string, spans: number): Patch[] {
  const result = normaliseNativeBatch(JSON.parse(nativeTraceBatch(traceId, spans)));
  if (!result.ok) throw new Error('bench batch is invalid');
  return result.patches;
}

/** Median ms from applying 1k spans (10 traces of 100) to the end of the flush that writes them. */
async function writeCost(storeSpans: number, iterations: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'spanscope-writecost-'));
  try {
    let store = await openStore({ dir, warn: () => {}, maxTraces: 1_000_000, maxBytes: Number.MAX_SAFE_INTEGER });
    for (let t = 0; t < storeSpans / SPANS_PER_BATCH; t++) {
      store.apply(patchesOf(`fill-${t}`, SPANS_PER_BATCH));
      if (t % 50 === 49) await store.flush();
    }
    await store.close();
    // Reopened, as after a restart: the 100k spans are on disk, their summaries in memory.
    store = await openStore({
      dir,
      warn: () => {},
      maxTraces: 1_000_000,
      maxBytes: Number.MAX_SAFE_INTEGER,
      flushIntervalMs: 60_000,
    });
    await store.recalled; // the steady state: after the background read of recent span ids
    const batches = Array.from({ length: iterations }, (_, it) =>
      Array.from({ length: 10 }, (_, k) => patchesOf(`new-${it}-${k}`, SPANS_PER_BATCH)),
    );
    const times: number[] = [];
    for (const batch of batches) {
      const start = process.hrtime.bigint();
      for (const patches of batch) store.apply(patches);
      await store.flush();
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    await store.close();
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log('ingest benchmark (a shared, noisy machine: compare ratios, not absolute figures)');
  const options = quick ? { ...DEFAULT_INGEST_OPTIONS, measureMs: 1000, rounds: 1 } : DEFAULT_INGEST_OPTIONS;
  const ratios: string[] = [];
  for (const makeRow of ROWS) {
    const row = makeRow();
    const r = await measureIngestRow(row, options);
    const fmt = (n: number) => Math.round(n).toLocaleString('en');
    ratios.push(
      `ratio: ingest ${row.name}, collector with store ${fmt(r.collector)} spans/s vs raw parse-only server ${fmt(r.raw)} spans/s = ${r.ratio.toFixed(2)} (target >= 0.5)`,
    );
    ratios.push(
      `ratio: ingest ${row.name} CPU efficiency, raw ${r.rawCpuPerSpan.toFixed(1)} µs/span vs collector ${r.collectorCpuPerSpan.toFixed(1)} µs/span = ${(r.rawCpuPerSpan / r.collectorCpuPerSpan).toFixed(2)} (what the spans/s ratio tends to on an idle machine)`,
    );
  }
  const iterations = quick ? 5 : 15;
  const empty = await writeCost(0, iterations);
  const full = await writeCost(quick ? 20_000 : 100_000, iterations);
  ratios.push(
    `ratio: write cost of 1k spans, store of ${quick ? '20k' : '100k'} spans ${full.toFixed(1)} ms vs empty store ${empty.toFixed(1)} ms = ${(full / empty).toFixed(2)} (target <= 2)`,
  );
  for (const line of ratios) console.log(line);
}

if (require.main === module)
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
