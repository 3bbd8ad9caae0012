// Property-based runs of the store itself (no collector): random sequences of what the
// store meets — batches stored as their bodies or as patches, updates and scores that name a
// span by id alone, deletions, flushes started and not awaited with applies landing while
// they write, retention by count and by size, whole-trace reads, restarts — over ids such as
// `__proto__` and `constructor`, with entries big enough that packs fill and seal between
// and during flushes. Nothing here touches the files, so the store must never warn (no pack
// judged damaged, no index repaired), nothing may be written onto Object.prototype (scores
// are named `__proto__` too), and every trace must read back with exactly the spans it was
// sent, during the run and after a restart. It finds both causes of issue 13: a pack that
// sealed while a flush wrote a copy of it (storeFlushRace.test.ts), and a score named
// `__proto__` (storeScoreNames.test.ts).
//
// FUZZ_SEED=<n> replays a run (the seed is printed on failure), FUZZ_SEED=random explores;
// STORE_FUZZ_RUNS sets the number of sequences.

import fc from 'fast-check';
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normaliseNativeBatch } from '../../src/core/normalise/native';
import { type TraceStore, openStore } from '../../src/store/traceStore';
import { at, batch, score, spanEnd, spanStart, traceEnd, traceStart } from '../support/builders';
import { tempDir } from '../support/collector';

const RUNS = Number(process.env.STORE_FUZZ_RUNS ?? 25);
const SEED = process.env.FUZZ_SEED === 'random' ? undefined : Number(process.env.FUZZ_SEED ?? 20261207);
const TRACES = ['a', 'b', '__proto__', 'constructor', 'toString'];
/** Spans per trace: few, so updates and scores meet spans that exist. */
const SPANS = 4;

type Ingest = {
  op: 'ingest';
  trace: number;
  spans: number[];
  end: boolean;
  finish: boolean;
  payload: number;
  asBody: boolean;
};
type Op =
  | Ingest
  | { op: 'update'; trace: number; span: number; byIdAlone: boolean }
  | { op: 'score'; trace: number; span: number | undefined; byIdAlone: boolean; name: string }
  | { op: 'delete'; trace: number }
  | { op: 'read'; trace: number }
  | { op: 'flush'; wait: boolean }
  | { op: 'burst'; batches: Ingest[] }
  | { op: 'turn' }
  | { op: 'retain'; maxTraces: number | undefined; maxBytes: number | undefined }
  | { op: 'restart' };

const trace = fc.nat({ max: TRACES.length - 1 });
const span = fc.nat({ max: SPANS - 1 });
const ingest: fc.Arbitrary<Ingest> = fc.record({
  op: fc.constant('ingest' as const),
  trace,
  spans: fc.uniqueArray(span, { minLength: 1, maxLength: SPANS }),
  end: fc.boolean(),
  finish: fc.boolean(),
  payload: fc.constantFrom(0, 1_000, 200_000, 700_000),
  asBody: fc.boolean(),
});
const ops: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: ingest },
  // A flush under way (it has taken what it writes) while batches keep landing, as under load.
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('burst' as const),
      batches: fc.array(ingest, { minLength: 1, maxLength: 6 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('update' as const), trace, span, byIdAlone: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('score' as const),
      trace,
      span: fc.option(span, { nil: undefined }),
      byIdAlone: fc.boolean(),
      name: fc.constantFrom('quality', '__proto__', 'constructor'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), trace }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('read' as const), trace }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('flush' as const), wait: fc.boolean() }) },
  { weight: 2, arbitrary: fc.constant({ op: 'turn' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('retain' as const),
      maxTraces: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
      maxBytes: fc.option(
        fc.constantFrom(2, 6, 12).map((mb) => mb * 1024 * 1024),
        { nil: undefined },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'restart' as const }) },
);

const spanId = (t: number, s: number) => `${TRACES[t]}-s${s}`;

/** The store under test, what it was sent (trace → span ids), and what it said. */
class Run {
  store!: TraceStore;
  readonly expected = new Map<string, Set<string>>();
  readonly warnings: string[] = [];
  private readonly flushes: Promise<void>[] = [];
  private limits: { maxTraces?: number; maxBytes?: number } = {};

  constructor(readonly dir: string) {}

  async open(): Promise<void> {
    this.store = await openStore({ dir: this.dir, warn: (m) => this.warnings.push(m), flushIntervalMs: 60_000 });
    // Retention says what it removed: those traces are gone from what must read back. The
    // limits are set after the listener, so what they remove at once is heard too.
    this.store.onChange((change) => {
      for (const id of change.removed) this.expected.delete(id);
    });
    if (this.limits.maxTraces !== undefined || this.limits.maxBytes !== undefined) this.store.setRetention(this.limits);
  }

  apply(body: { events: unknown[] }, asBody: boolean): void {
    const text = JSON.stringify(body);
    const result = normaliseNativeBatch(JSON.parse(text));
    if (!result.ok) throw new Error(`a fuzz batch is invalid: ${JSON.stringify(result.details)}`);
    this.store.apply(result.patches, asBody ? { format: 'native', bytes: Buffer.from(text) } : undefined);
  }

  async step(op: Op): Promise<void> {
    switch (op.op) {
      case 'ingest': {
        const id = TRACES[op.trace];
        const text = 'x'.repeat(op.payload);
        const events: unknown[] = [traceStart(id, op.finish ? { end_time: at(5000) } : {})];
        for (const s of op.spans)
          events.push((op.end ? spanEnd : spanStart)(spanId(op.trace, s), id, { start_time: at(s), input: { text } }));
        if (op.finish) events.push(traceEnd(id));
        this.apply(batch(...events), op.asBody);
        const spans = this.expected.get(id) ?? new Set();
        for (const s of op.spans) spans.add(spanId(op.trace, s));
        this.expected.set(id, spans);
        return;
      }
      case 'update': {
        // With its trace, an update makes the span (and the trace) if they are not there; by id
        // alone it waits for a span that is not (or for the search of the packs).
        const id = TRACES[op.trace];
        this.apply(
          batch({
            event: 'span_update',
            span: { id: spanId(op.trace, op.span), ...(op.byIdAlone ? {} : { trace_id: id }), output: 'updated' },
          }),
          false,
        );
        if (!op.byIdAlone) this.expected.set(id, (this.expected.get(id) ?? new Set()).add(spanId(op.trace, op.span)));
        return;
      }
      case 'score': {
        const id = TRACES[op.trace];
        const body =
          op.span === undefined
            ? score('trace', id, op.name, 0.5)
            : score('span', spanId(op.trace, op.span), op.name, 1, op.byIdAlone ? {} : { trace_id: id });
        return this.apply(batch(body), false);
      }
      case 'delete':
        this.store.deleteTraces([TRACES[op.trace]]);
        this.expected.delete(TRACES[op.trace]);
        return;
      case 'read':
        return this.checkTrace(TRACES[op.trace]);
      case 'flush': {
        const flushing = this.store.flush();
        if (op.wait) await flushing;
        else this.flushes.push(flushing);
        return;
      }
      case 'burst': {
        this.flushes.push(this.store.flush());
        await new Promise((resolve) => setImmediate(resolve)); // the flush took its writes; its files are not written yet
        for (const b of op.batches) await this.step(b);
        return;
      }
      case 'turn':
        return new Promise((resolve) => setImmediate(resolve));
      case 'retain':
        this.limits = { maxTraces: op.maxTraces, maxBytes: op.maxBytes };
        return this.store.setRetention(this.limits);
      case 'restart':
        await this.close();
        return this.open();
    }
  }

  async checkTrace(id: string): Promise<void> {
    const detail = await this.store.getTrace(id);
    const spans = this.expected.get(id);
    if (!spans) return void expect(detail, `trace ${id} was deleted or retained away`).toBeUndefined();
    expect(detail?.spans.map((s) => s.id).sort(), `the spans of trace ${id}`).toEqual([...spans].sort());
  }

  async checkAll(): Promise<void> {
    expect(this.warnings, 'nothing touched the files: the store must not have warned').toEqual([]);
    expect(
      this.store
        .listTraces({ limit: 100 })
        .map((t) => t.id)
        .sort(),
    ).toEqual([...this.expected.keys()].sort());
    for (const id of TRACES) await this.checkTrace(id);
  }

  async close(): Promise<void> {
    await Promise.all(this.flushes.splice(0));
    await this.store.close();
  }
}

describe('the store under random sequences of what it meets', () => {
  it('never warns, and every trace reads back with the spans it was sent, before and after a restart', async () => {
    const seed = SEED ?? (Math.random() * 2 ** 31) | 0;
    await fc.assert(
      fc.asyncProperty(fc.array(ops, { minLength: 5, maxLength: 40 }), async (sequence) => {
        const run = new Run(tempDir('spanscope-storefuzz-'));
        try {
          await run.open();
          for (const op of sequence) {
            await run.step(op);
            expect(run.warnings, `after ${JSON.stringify(op)}`).toEqual([]);
            expect(Object.keys(Object.prototype), `after ${JSON.stringify(op)}: Object.prototype written to`).toEqual(
              [],
            );
          }
          await run.checkAll();
          await run.close();
          await run.open();
          await run.checkAll();
        } finally {
          for (const key of Object.keys(Object.prototype)) delete (Object.prototype as Record<string, unknown>)[key]; // a failure must not pollute the rest
          await run.close().catch(() => undefined);
          rmSync(run.dir, { recursive: true, force: true });
        }
      }),
      { numRuns: RUNS, seed, endOnFailure: true },
    );
  }, 600_000);
});
