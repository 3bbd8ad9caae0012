import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { normaliseNativeBatch } from '../../src/core/normalise/native';
import type { Patch } from '../../src/core/model/model';
import { type TraceStore, openStore } from '../../src/store/traceStore';
import type { StoreChange, StoreOptions } from '../../src/store/types';
import { at, batch, score, spanEnd, spanStart, traceBatch, traceEnd, traceStart } from '../support/builders';
import { tempDir } from '../support/collector';

const open: TraceStore[] = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  for (const dir of new Set(open.splice(0).map((s) => s.dir))) rmSync(dir, { recursive: true, force: true });
});

async function newStore(options: Partial<StoreOptions> = {}): Promise<TraceStore & { warnings: string[] }> {
  const warnings: string[] = [];
  const store = await openStore({ dir: tempDir(), warn: (m) => warnings.push(m), ...options });
  open.push(store);
  return Object.assign(store, { warnings });
}

function patches(body: unknown): Patch[] {
  const result = normaliseNativeBatch(body);
  if (!result.ok) throw new Error(JSON.stringify(result.details));
  return result.patches;
}

async function reopen(store: TraceStore, options: Partial<StoreOptions> = {}) {
  await store.close();
  return newStore({ dir: store.dir, ...options });
}

const files = (dir: string) => readdirSync(dir).sort();
const listAll = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));

describe('trace store', () => {
  it('builds the same trace whatever order its events arrive in', async () => {
    const store = await newStore();
    store.apply(
      patches(
        batch(
          { event: 'span_update', span: { id: 'child', metadata: { early: true } } }, // before its create, without trace_id
          score('span', 'child', 'relevance', 0.8), // before the span too
          spanEnd('child', 't', { parent_span_id: 'root', end_time: at(50) }),
          spanStart('child', 't', { parent_span_id: 'root', start_time: at(10), usage: { total_tokens: 7 } }),
          spanEnd('root', 't', { end_time: at(100) }),
          traceEnd('t', { end_time: at(101) }),
          spanStart('root', 't', { start_time: at(1) }),
          traceStart('t', { start_time: at(0), project_name: 'proj' }),
        ),
      ),
    );
    const detail = (await store.getTrace('t'))!;
    expect(detail.trace).toMatchObject({
      project_name: 'proj',
      status: 'ok',
      duration_ms: 101,
      span_count: 2,
      usage: { total_tokens: 7 },
      score_averages: { relevance: { avg: 0.8, count: 1 } },
    });
    const child = detail.spans.find((s) => s.id === 'child')!;
    expect(child).toMatchObject({
      project_name: 'proj',
      start_time: at(10),
      end_time: at(50),
      duration_ms: 40,
      status: 'ok',
      metadata: { early: true },
      parent_span_id: 'root',
    });
    expect(child.feedback_scores).toMatchObject([{ name: 'relevance', value: 0.8, source: 'sdk' }]);
  });

  it('reads a span seen only through its end: it stands at its end, with no duration yet', async () => {
    const store = await newStore();
    store.apply(patches(batch({ event: 'span_end', span: { id: 'late', trace_id: 't', end_time: at(9) } })));
    const span = (await store.getTrace('t'))!.spans[0];
    expect(span).toMatchObject({ id: 'late', start_time: at(9), end_time: at(9), duration_ms: null, status: 'ok' });
  });

  it('keeps what it stored across a close and a reopen', async () => {
    const store = await newStore();
    store.apply(patches(traceBatch('a', 5)));
    store.apply(patches(traceBatch('b', 3)));
    const before = store.listTraces();
    const detail = await store.getTrace('a');
    const again = await reopen(store);
    expect(again.listTraces()).toEqual(before);
    expect(await again.getTrace('a')).toEqual(detail);
    expect(again.warnings).toEqual([]);
  });

  it('updates a trace that is only on disk, with correct totals', async () => {
    const store = await newStore();
    store.apply(patches(traceBatch('a', 4)));
    const again = await reopen(store);
    again.apply(
      patches(
        batch(
          spanEnd('late', 'a', {
            start_time: at(5),
            usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
          }),
          score('span', 'a-s1', 'q', 1, { trace_id: 'a' }),
        ),
      ),
    );
    const summary = again.getSummary('a')!;
    expect(summary.span_count).toBe(5);
    expect(summary.usage.total_tokens).toBe(15 * 3);
    expect(summary.score_averages).toEqual({ q: { avg: 1, count: 1 } });
  });

  it('makes an implicit trace from spans whose trace never arrived, and takes the trace when it does', async () => {
    const store = await newStore();
    store.apply(
      patches(
        batch(
          spanEnd('r', 'otel', { name: 'agent', start_time: at(1), project_name: 'bots', input: { q: 1 } }),
          score('trace', 'otel', 'q', 0.5),
        ),
      ),
    );
    expect(store.getSummary('otel')).toMatchObject({
      name: 'agent',
      project_name: 'bots',
      status: 'ok',
      input_preview: '{"q":1}',
      score_averages: { q: { avg: 0.5, count: 1 } },
    });
    store.apply(patches(batch(traceStart('otel', { name: 'named later' }))));
    expect(store.getSummary('otel')).toMatchObject({
      name: 'named later',
      project_name: 'bots',
      status: 'running',
      score_averages: { q: { avg: 0.5, count: 1 } },
    });
  });

  it('tells listeners what changed, once per apply', async () => {
    const store = await newStore();
    const changes: StoreChange[] = [];
    store.onChange((c) => changes.push(c));
    store.apply(patches(traceBatch('a', 3)));
    expect(changes).toHaveLength(1);
    expect(changes[0].traces.map((t) => t.id)).toEqual(['a']);
    expect(
      changes[0].spans
        .get('a')!
        .map((s) => s.id)
        .sort(),
    ).toEqual(['a-s0', 'a-s1', 'a-s2']);
    expect(changes[0].spans.get('a')![0].status).toBe('ok');
    store.deleteTraces(['a', 'unknown']);
    expect(changes[1]).toEqual({ traces: [], removed: ['a'], spans: new Map() });
  });

  it('writes what changed, not what is stored: one pack and one index segment per flush', async () => {
    const store = await newStore();
    for (let t = 0; t < 600; t++) store.apply(patches(traceBatch(`old${t}`, 10, 1000))); // ~6 MB: several packs and segments
    await store.flush();
    const stamp = () => Object.fromEntries(listAll(store.dir).map((f) => [f, statSync(f).mtimeMs]));
    const before = stamp();
    expect(Object.keys(before).filter((f) => f.includes('pack-')).length).toBeGreaterThan(1);
    expect(Object.keys(before).filter((f) => f.includes('seg-')).length).toBeGreaterThan(1);
    await new Promise((r) => setTimeout(r, 20));
    store.apply(patches(batch({ event: 'span_update', span: { id: 'old5-s3', output: 'changed' } }), ...[]));
    store.apply(patches(traceBatch('new', 10)));
    await store.flush();
    const after = stamp();
    const touched = Object.keys(after).filter((f) => after[f] !== before[f]);
    // The open pack (now holding old5 and new), old5's segment and the newest segment.
    expect(touched.length).toBeLessThanOrEqual(3);
    expect(touched.filter((f) => f.includes('pack-'))).toHaveLength(1);
    const again = await reopen(store);
    expect((await again.getTrace('old5'))!.spans.find((s) => s.id === 'old5-s3')!.output).toBe('changed');
    expect(again.listTraces({ limit: 1000 })).toHaveLength(601);
  });

  it('writes a span changed after it was stored with its new fields, through later flushes and a reopen', async () => {
    const store = await newStore();
    // Span patches that carry their own JSON as bytes (Patch.json), cut from one request-like buffer.
    const withBytes = (body: unknown) => {
      const result = normaliseNativeBatch(body);
      if (!result.ok) throw new Error('invalid');
      const texts = result.patches.map((p) => (p.kind === 'span' ? JSON.stringify(p.span) : ''));
      const source = Buffer.from(texts.join(''));
      let offset = 0;
      const withJson = result.patches.map((p, i): Patch => {
        const start = offset;
        offset += Buffer.byteLength(texts[i]);
        return p.kind === 'span' ? { ...p, json: source.subarray(start, offset) } : p;
      });
      return { patches: withJson, source };
    };
    const first = withBytes(
      batch(
        spanEnd('s1', 't', { start_time: at(1), output: 'first' }),
        spanEnd('s2', 't', { start_time: at(2), output: 'first' }),
      ),
    );
    store.apply(first.patches);
    first.source.fill(0x20); // the request's buffer is reused: what the store kept must not change with it
    await store.flush();
    store.apply(
      patches(
        batch(
          { event: 'span_update', span: { id: 's1', output: 'second', metadata: { k: 1 } } },
          score('span', 's2', 'q', 1),
        ),
      ),
    );
    await store.flush();
    // Given bytes in the same apply as a change to the same span: the change wins.
    const both = withBytes(
      batch(spanEnd('s3', 't', { start_time: at(3), output: 'as sent' }), {
        event: 'span_update',
        span: { id: 's3', output: 'changed' },
      }),
    );
    store.apply(both.patches);
    const expected = {
      s1: { output: 'second', metadata: { k: 1 } },
      s2: { output: 'first', feedback_scores: [{ name: 'q', value: 1 }] },
      s3: { output: 'changed', start_time: at(3), end_time: at(900), trace_id: 't' },
    };
    const check = (spans: { id: string }[]) => {
      for (const [id, fields] of Object.entries(expected)) expect(spans.find((s) => s.id === id)).toMatchObject(fields);
    };
    check((await store.getTrace('t'))!.spans);
    const again = await reopen(store);
    check((await again.getTrace('t'))!.spans);
    expect(again.getSummary('t')!.span_count).toBe(3);
  });

  it('keeps a trace of thousands of spans in chunks, and keeps every span through a reopen', async () => {
    const store = await newStore();
    store.apply(patches(traceBatch('big', 2500, 200)));
    await store.flush();
    store.apply(patches(batch({ event: 'span_update', span: { id: 'big-s2400', output: 'changed' } })));
    const again = await reopen(store);
    const detail = (await again.getTrace('big'))!;
    expect(detail.spans).toHaveLength(2500);
    expect(detail.trace.span_count).toBe(2500);
    expect(detail.spans.find((s) => s.id === 'big-s2400')!.output).toBe('changed');
    // Updates in the first chunk and a later one of a trace read back from its files.
    again.apply(
      patches(
        batch(
          { event: 'span_update', span: { id: 'big-s3', output: 'first chunk' } },
          { event: 'span_update', span: { id: 'big-s1500', output: 'second chunk' } },
        ),
      ),
    );
    const third = await reopen(again);
    const spans = (await third.getTrace('big'))!.spans;
    expect(spans).toHaveLength(2500);
    expect([spans.find((s) => s.id === 'big-s3')!.output, spans.find((s) => s.id === 'big-s1500')!.output]).toEqual([
      'first chunk',
      'second chunk',
    ]);
  });

  it('never lets a trace id reach the file system', async () => {
    const store = await newStore();
    store.apply(patches(batch(traceStart('../../escape'), traceStart('/etc/passwd'), traceStart('CON'))));
    await store.flush();
    expect(
      listAll(store.dir)
        .map((f) => f.slice(store.dir.length))
        .sort(),
    ).toEqual(['/index/seg-000001.json', '/packs/pack-000001.json', '/spanscope.lock']);
    const again = await reopen(store);
    expect(
      again
        .listTraces()
        .map((t) => t.id)
        .sort(),
    ).toEqual(['../../escape', '/etc/passwd', 'CON']);
  });

  it('deletes traces and their files, and clears by project', async () => {
    const store = await newStore();
    store.apply(
      patches(
        batch(
          traceStart('a', { project_name: 'x' }),
          traceStart('b', { project_name: 'y' }),
          traceStart('c', { project_name: 'y' }),
        ),
      ),
    );
    await store.flush();
    store.deleteTraces(['a']);
    store.clear('y');
    await store.flush();
    expect(store.listTraces()).toEqual([]);
    expect(files(join(store.dir, 'index'))).toEqual([]);
    const again = await reopen(store);
    expect(again.listTraces()).toEqual([]);
    expect(await store.getTrace('a')).toBeUndefined();
  });

  it('reads a trace again from what the last read made: each read its own copy, the shared values frozen, a change or a deletion read anew', async () => {
    const store = await newStore();
    store.apply(
      patches(
        batch(
          traceStart('t', { project_name: 'p', input: { q: 'hi' } }),
          spanStart('s1', 't', { start_time: at(1), input: { messages: [{ role: 'user', content: 'a' }] } }),
          spanStart('s2', 't', { parent_span_id: 's1', start_time: at(2) }),
        ),
      ),
    );
    const first = (await store.getTrace('t'))!;
    const asRead = structuredClone(first);
    first.trace.name = 'changed by a reader';
    first.spans[0].name = 'changed by a reader';
    first.spans.pop();
    expect(() => (first.spans[0].input as { messages: unknown[] }).messages.push('more')).toThrow(TypeError);
    const second = (await store.getTrace('t'))!;
    expect(second).toEqual(asRead);
    expect(second.spans[0]).not.toBe(first.spans[0]);
    expect(JSON.parse((await store.getTraceJson('t'))!.toString())).toEqual(asRead); // what the read API sends

    store.apply(
      patches(batch(spanEnd('s2', 't', { end_time: at(5) }), score('span', 's1', 'relevance', 1, { trace_id: 't' }))),
    );
    expect(
      JSON.parse((await store.getTraceJson('t'))!.toString()).spans.find((s: { id: string }) => s.id === 's2').end_time,
    ).toBe(at(5));
    const third = (await store.getTrace('t'))!;
    expect(third.spans.find((s) => s.id === 's2')).toMatchObject({ end_time: at(5), duration_ms: 3 });
    expect(third.spans.find((s) => s.id === 's1')!.feedback_scores).toMatchObject([{ name: 'relevance', value: 1 }]);
    expect(third.trace.span_count).toBe(2);
    // What a read keeps is what a replay from the files gives.
    const again = await reopen(store);
    expect(await again.getTrace('t')).toEqual(third);
    again.deleteTraces(['t']);
    expect(await again.getTrace('t')).toBeUndefined();
  });

  it('lists newest first, by project, before a time, up to a limit, and lists projects', async () => {
    const store = await newStore();
    store.apply(
      patches(
        batch(
          traceStart('old', { start_time: at(0), project_name: 'p1' }),
          traceStart('mid', { start_time: at(10), project_name: 'p2' }),
          traceStart('new', { start_time: at(20), project_name: 'p1' }),
        ),
      ),
    );
    expect(store.listTraces().map((t) => t.id)).toEqual(['new', 'mid', 'old']);
    expect(store.listTraces({ project: 'p1' }).map((t) => t.id)).toEqual(['new', 'old']);
    expect(store.listTraces({ before: at(20), limit: 1 }).map((t) => t.id)).toEqual(['mid']);
    expect(store.listProjects()).toEqual([
      { name: 'p1', trace_count: 2, last_trace_at: at(20) },
      { name: 'p2', trace_count: 1, last_trace_at: at(10) },
    ]);
  });

  it('writes everything pending on close', async () => {
    const store = await newStore({ flushIntervalMs: 60_000 });
    store.apply(patches(traceBatch('a', 3)));
    const again = await reopen(store);
    expect(again.getSummary('a')?.span_count).toBe(3);
  });
});

describe('updates that arrive before what they update', () => {
  it('waits for at most 20 000 unknown spans, dropping the oldest with a warning', async () => {
    const store = await newStore();
    const waiting = Array.from({ length: 20_001 }, (_, i) => ({
      kind: 'span' as const,
      span: { id: `ghost${i}`, output: i },
    }));
    store.apply(waiting);
    expect(store.warnings).toEqual([
      expect.stringMatching(/dropped updates for span ghost0, which never arrived \(1 so far\)/),
    ]);
    store.apply(patches(batch(spanStart('ghost0', 't'), spanStart('ghost1', 't'))));
    const spans = (await store.getTrace('t'))!.spans;
    expect(spans.find((s) => s.id === 'ghost0')!.output).toBeUndefined(); // its update was dropped
    expect(spans.find((s) => s.id === 'ghost1')!.output).toBe(1); // this one waited and applied
  });
});

describe('spans of an earlier run', () => {
  it('takes an update that names such a span by id alone, once the store has read its newest packs', async () => {
    const store = await newStore();
    store.apply(patches(traceBatch('earlier', 3)));
    const again = await reopen(store);
    again.apply(patches(batch(score('span', 'earlier-s1', 'q', 1))));
    await again.recalled;
    expect(again.getSummary('earlier')?.score_averages).toEqual({ q: { avg: 1, count: 1 } });
  });

  it('keeps updates still waiting for their span through a restart', async () => {
    const store = await newStore();
    store.apply(patches(batch(score('span', 'later', 'q', 0.5))));
    const again = await reopen(store);
    again.apply(patches(batch(spanStart('later', 't'))));
    expect(again.getSummary('t')?.score_averages).toEqual({ q: { avg: 0.5, count: 1 } });
  });
});
