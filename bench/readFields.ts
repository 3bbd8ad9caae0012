// `npm run bench` → readFields: what validate.ts's one shortcut buys. A record that is
// already valid and canonical (what our SDKs and Opik's send) is returned itself instead of
// being copied field by field. Measured on the ingest benchmark's own spans (bench/ingest.ts,
// bench/interopRows.ts), with CPU time, in interleaved rounds of with and without it, as µs
// per span and as a share of what ingesting the same batch costs in this process (parse,
// normalise, apply to a store, flush). STYLE.md keeps a trick while it is worth ≥ 5 % of ingest.
//   node --import tsx bench/readFields.ts [--quick]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SPAN_FIELDS, normaliseNativeBatch } from '../src/core/normalise/native';
import { SPAN_FIELDS as OPIK_SPAN_FIELDS } from '../src/core/normalise/opik';
import { type FieldSpec, Problems, copyFields, readFields } from '../src/core/normalise/validate';
import { openStore } from '../src/store/traceStore';
import { nativeTraceBatch } from './ingest';
import { opikRow } from './interopRows';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 9;
/** Batches of 100 spans per measurement: enough CPU time (~0.3 s) for process.cpuUsage's resolution. */
const BATCHES = quick ? 500 : 2000;

/**
 * CPU µs per record of `read` over `records`, `BATCHES` times. What is read is held until the
 * batch is done, as a normaliser holds its patches, so copies live as long as they do in ingest.
 */
function perRecord(records: Record<string, unknown>[], read: (r: Record<string, unknown>) => unknown): number {
  const held: unknown[] = new Array(records.length);
  const before = process.cpuUsage();
  for (let b = 0; b < BATCHES; b++) for (let i = 0; i < records.length; i++) held[i] = read(records[i]);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / (BATCHES * records.length);
}

/** CPU µs per span of ingesting native batches in this process: parse, normalise, apply, a flush every 40 batches. */
async function ingestPerSpan(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'spanscope-readfields-'));
  try {
    const store = await openStore({ dir, warn: () => {}, flushIntervalMs: 1e9 });
    const template = nativeTraceBatch('@@T@@');
    const before = process.cpuUsage();
    for (let i = 0; i < BATCHES / 4; i++) {
      const bytes = Buffer.from(template.replaceAll('@@T@@', `rf-${i}`));
      const result = normaliseNativeBatch(JSON.parse(bytes.toString()));
      if (!result.ok) throw new Error('bench batch is invalid');
      store.apply(result.patches, { format: 'native', bytes });
      if (i % 40 === 39) await store.flush();
    }
    await store.flush();
    const used = process.cpuUsage(before);
    await store.close();
    return (used.user + used.system) / ((BATCHES / 4) * 100);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const nativeSpans = (JSON.parse(nativeTraceBatch('t')).events as { span?: Record<string, unknown> }[]).flatMap((e) =>
    e.span ? [e.span] : [],
  );
  const opikSpans = JSON.parse(String(opikRow().body(0))).spans as Record<string, unknown>[];
  const rows: [string, FieldSpec, Record<string, unknown>[], string[]][] = [
    ['native', SPAN_FIELDS, nativeSpans, ['id', 'trace_id', 'end_time']],
    ['Opik', OPIK_SPAN_FIELDS, opikSpans, ['trace_id', 'start_time']],
  ];
  const ctx = { problems: new Problems(), index: 0, prefix: 'span' };
  const times: Record<string, number[]> = {};
  const ingest: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, spec, records, required] of rows) {
      // Both orders in turn, so neither always runs on a warmer or a colder machine.
      const pair = [
        [`${name} kept`, (r: Record<string, unknown>) => readFields(r, spec, ctx, required)],
        [`${name} copied`, (r: Record<string, unknown>) => copyFields(r, spec, ctx, required)],
      ] as const;
      for (const [key, read] of round % 2 ? [pair[1], pair[0]] : pair)
        (times[key] ??= []).push(perRecord(records, read));
    }
    ingest.push(await ingestPerSpan());
  }
  if (ctx.problems.list.length) throw new Error(`bench spans are invalid: ${JSON.stringify(ctx.problems.list[0])}`);
  const total = median(ingest);
  console.log(
    `readFields benchmark: CPU µs per span, medians of ${ROUNDS} interleaved rounds; native ingest in process ${total.toFixed(2)} µs/span`,
  );
  for (const [name] of rows) {
    const kept = median(times[`${name} kept`]);
    const copied = median(times[`${name} copied`]);
    console.log(
      `ratio: readFields on the ${name} ingest spans, copying each record ${copied.toFixed(2)} µs vs keeping a clean one ${kept.toFixed(2)} µs = ${(copied / kept).toFixed(2)} ` +
        `(saves ${(copied - kept).toFixed(2)} µs of ${total.toFixed(2)} µs/span ingested: ${((100 * (copied - kept)) / total).toFixed(1)} %, kept while >= 5 %)`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
