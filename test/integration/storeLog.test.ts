// The store as a log of what arrived: bodies kept as they came read back as the same traces
// (through a restart, over HTTP for the native and Opik routes), deletions that stay deleted
// when the index is rebuilt from the packs, retention by size that spares the trace being
// written, and a folder in the earlier layout moved aside rather than misread.

import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { normaliseNativeBatch } from '../../src/core/normalise/native';
import { PackLog } from '../../src/store/packLog';
import type { TraceStore } from '../../src/store/traceStore';
import { at, batch, score, spanEnd, spanStart, traceBatch, traceEnd, traceStart } from '../support/builders';
import { type TestCollector, startTestCollector } from '../support/collector';
import { storesOfEachTest } from '../support/stores';
import { http } from '../support/http';

const { newDir, openAt, closeStore } = storesOfEachTest();
let c: TestCollector | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
});

/** Applies a native batch as the route does: with its bytes as the source the store may keep. */
function ingestKept(store: TraceStore, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body));
  const result = normaliseNativeBatch(JSON.parse(bytes.toString('utf8')));
  if (!result.ok) throw new Error(JSON.stringify(result.details));
  store.apply(result.patches, { format: 'native', bytes });
}

function ingestParsed(store: TraceStore, body: unknown): void {
  const result = normaliseNativeBatch(body);
  if (!result.ok) throw new Error(JSON.stringify(result.details));
  store.apply(result.patches);
}

/** Span starts, then their ends and scores in later batches: updates folded across entries. */
function runningTrace(id: string): unknown[] {
  return [
    batch(
      traceStart(id, { input: { q: 'why' } }),
      spanStart(`${id}-root`, id, { name: 'root', start_time: at(0) }),
      spanStart(`${id}-child`, id, { parent_span_id: `${id}-root`, name: 'child', start_time: at(1), tags: ['a'] }),
    ),
    batch(
      spanEnd(`${id}-child`, id, {
        end_time: at(5),
        output: 'half',
        tags: ['a', 'b'],
        usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
      }),
    ),
    batch(
      spanEnd(`${id}-root`, id, { end_time: at(9), output: 'done' }),
      traceEnd(id, { end_time: at(10), output: { answer: 42 } }),
    ),
    batch(score('span', `${id}-child`, 'helpful', 0.5, { trace_id: id }), score('trace', id, 'correct', 1)),
  ];
}

const byId = (spans: { id: string }[]) => [...spans].sort((a, b) => a.id.localeCompare(b.id));

describe('the store as a log of what arrived', () => {
  it('reads a trace stored as its request bodies exactly as one stored as patches, before and after a reopen', async () => {
    const dir = newDir();
    const store = await openAt(dir);
    for (const body of runningTrace('kept')) ingestKept(store, body);
    for (const body of runningTrace('parsed')) ingestParsed(store, body);
    const rename = (d: any, from: string, to: string) => JSON.parse(JSON.stringify(d).replaceAll(from, to));
    const strip = (d: any) => ({
      ...d,
      trace: {
        ...d.trace,
        last_updated_at: undefined,
        feedback_scores: d.trace.feedback_scores.map((s: any) => ({ ...s, created_at: undefined })),
      },
      spans: byId(d.spans).map((s: any) => ({
        ...s,
        feedback_scores: s.feedback_scores?.map((f: any) => ({ ...f, created_at: undefined })),
      })),
    });
    const kept = await store.getTrace('kept');
    const parsed = await store.getTrace('parsed');
    expect(kept!.spans).toHaveLength(2);
    expect(strip(kept)).toEqual(strip(rename(parsed, 'parsed', 'kept')));
    expect(kept!.spans.find((s) => s.id === 'kept-child')).toMatchObject({
      output: 'half',
      tags: ['a', 'b'],
      status: 'ok',
      feedback_scores: [expect.objectContaining({ name: 'helpful', value: 0.5 })],
    });

    await closeStore(store);
    const again = await openAt(dir);
    expect(await again.getTrace('kept')).toEqual(kept);
    expect(await again.getTrace('parsed')).toEqual(parsed);
    expect(again.warnings).toEqual([]);
  });

  it('reads back finished traces that left memory for what comes after their end, with the same totals', async () => {
    // Finished traces leave memory once 8 more have finished; the 40 here push the first
    // ones out, and what comes for them later reads them back from the log.
    const dir = newDir();
    const store = await openAt(dir);
    for (let t = 0; t < 40; t++) ingestKept(store, traceBatch(`f${t}`, 3));
    ingestKept(store, batch({ event: 'span_update', span: { id: 'f0-s2', output: 'by id alone' } }));
    ingestKept(store, batch({ event: 'span_update', span: { id: 'f39-s2', output: 'by id alone' } }));
    // The last trace to finish is still in memory: an update by span id alone lands at once.
    // The first left it: its update waits for the search of the packs (below).
    expect((await store.getTrace('f39'))!.spans.find((s) => s.id === 'f39-s2')!.output).toBe('by id alone');
    expect((await store.getTrace('f0'))!.spans.find((s) => s.id === 'f0-s2')!.output).toBeUndefined();
    ingestKept(store, batch(score('span', 'f0-s1', 'helpful', 1, { trace_id: 'f0' })));
    // Spans sent after their trace's end, in several batches: read back once, then kept.
    for (let k = 0; k < 3; k++)
      ingestKept(
        store,
        batch(
          spanEnd(`f1-late${k}`, 'f1', {
            parent_span_id: 'f1-s0',
            start_time: at(50 + k),
            end_time: at(60 + k),
            usage: { total_tokens: 4 },
          }),
        ),
      );
    await store.recalled;
    const check = async (s: TraceStore) => {
      const f0 = (await s.getTrace('f0'))!;
      expect(f0.spans.find((x) => x.id === 'f0-s1')!.feedback_scores).toEqual([
        expect.objectContaining({ name: 'helpful', value: 1 }),
      ]);
      expect(f0.spans.find((x) => x.id === 'f0-s2')!.output).toBe('by id alone');
      expect(s.getSummary('f0')).toMatchObject({ span_count: 3, status: 'ok' });
      const f1 = s.getSummary('f1')!;
      expect(f1).toMatchObject({ span_count: 6, status: 'ok' });
      expect(f1.usage).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 27 });
      expect((await s.getTrace('f1'))!.spans).toHaveLength(6);
    };
    await check(store);
    await closeStore(store);
    const again = await openAt(dir);
    await check(again);
    expect(again.warnings).toEqual([]);
  });

  it('keeps what was read of a finished trace while more traces finish and leave memory', async () => {
    const store = await openAt(newDir());
    ingestKept(store, traceBatch('read', 50));
    const first = await store.getTrace('read');
    const reads = vi.spyOn(PackLog.prototype, 'read');
    try {
      for (let t = 0; t < 20; t++) ingestKept(store, traceBatch(`more${t}`, 3)); // 'read' leaves memory
      expect(await store.getTrace('read')).toEqual(first);
      expect(reads).not.toHaveBeenCalled(); // from what the first read made, not replayed
    } finally {
      reads.mockRestore();
    }
  });

  it('keeps Opik batches as they were sent, and reads them back the same after a restart', async () => {
    c = await startTestCollector();
    const post = (path: string, body: unknown) => http(c!.port, path, { method: 'POST', body: body as object });
    const T0 = '2026-01-02T03:04:05.123456Z';
    expect(
      (
        await post('/api/v1/private/traces/batch', {
          traces: [{ id: 'opik-t', project_name: 'p', name: 'rag', start_time: T0, input: { q: 'é 漢字 \u2028' } }],
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await post('/api/v1/private/spans/batch', {
          spans: [
            {
              id: 'opik-s1',
              trace_id: 'opik-t',
              project_name: 'p',
              name: 'retrieve',
              type: 'tool',
              start_time: T0,
              end_time: '2026-01-02T03:04:05.200000Z',
            },
            {
              id: 'opik-s2',
              trace_id: 'opik-t',
              parent_span_id: 'opik-s1',
              project_name: 'p',
              name: 'llm',
              type: 'llm',
              start_time: T0,
              usage: { prompt_tokens: 2, completion_tokens: 3 },
            },
          ],
        })
      ).status,
    ).toBe(204);
    // A record without its id: the collector makes one up, so this body cannot stand for its patches.
    expect(
      (
        await post('/api/v1/private/spans/batch', {
          spans: [{ trace_id: 'opik-t', project_name: 'p', name: 'no id', start_time: T0 }],
        })
      ).status,
    ).toBe(204);
    // The same span again, now ended: merges into the one stored.
    expect(
      (
        await post('/api/v1/private/spans/batch', {
          spans: [
            {
              id: 'opik-s2',
              trace_id: 'opik-t',
              project_name: 'p',
              name: 'llm',
              start_time: T0,
              end_time: '2026-01-02T03:04:06Z',
              output: { text: 'ok' },
            },
          ],
        })
      ).status,
    ).toBe(204);
    const before = (await c.get('/api/traces/opik-t')).json;
    expect(before.spans).toHaveLength(3);
    expect(before.trace.input).toEqual({ q: 'é 漢字 \u2028' });
    expect(before.spans.find((s: any) => s.id === 'opik-s2')).toMatchObject({
      output: { text: 'ok' },
      status: 'ok',
      usage: { prompt_tokens: 2, completion_tokens: 3 },
    });

    await c.stop();
    c = await startTestCollector({ dir: c.dir });
    expect((await c.get('/api/traces/opik-t')).json).toEqual(before);
    expect(c.warnings).toEqual([]);
  });

  it.each(['gone', 'corrupt'] as const)(
    'keeps a deleted trace deleted when the index is rebuilt from the packs (index %s)',
    async (how) => {
      const dir = newDir();
      const store = await openAt(dir);
      for (const id of ['keep', 'gone', 'again']) ingestKept(store, traceBatch(id, 3));
      await store.flush();
      store.deleteTraces(['gone', 'again']);
      ingestKept(store, batch(spanEnd('again-new', 'again', { name: 'after the deletion' }))); // the same id, sent again
      await closeStore(store);
      // The packs still hold the deleted traces' events: only the index and the log's deletions say they are gone.
      for (const name of readdirSync(join(dir, 'index'))) {
        if (how === 'gone') unlinkSync(join(dir, 'index', name));
        else writeFileSync(join(dir, 'index', name), '{"version":2,"traces":');
      }
      const again = await openAt(dir);
      expect(
        again
          .listTraces()
          .map((t) => t.id)
          .sort(),
      ).toEqual(['again', 'keep']);
      expect(await again.getTrace('gone')).toBeUndefined();
      expect((await again.getTrace('again'))!.spans.map((s) => s.id)).toEqual(['again-new']);
      expect((await again.getTrace('keep'))!.spans).toHaveLength(3);
      // and still after the rebuilt index is written and read again
      await closeStore(again);
      const third = await openAt(dir);
      expect(
        third
          .listTraces()
          .map((t) => t.id)
          .sort(),
      ).toEqual(['again', 'keep']);
      expect(third.warnings).toEqual([]);
    },
  );

  it('takes a deletion the index did not hear of (a crash before its segment was written)', async () => {
    const dir = newDir();
    const store = await openAt(dir);
    for (const id of ['keep', 'gone']) ingestKept(store, traceBatch(id, 3));
    await store.flush();
    const before = join(dir, 'index-before');
    cpSync(join(dir, 'index'), before, { recursive: true });
    store.deleteTraces(['gone']);
    await closeStore(store);
    rmSync(join(dir, 'index'), { recursive: true });
    renameSync(before, join(dir, 'index')); // the packs as written, the index as before the deletion
    const again = await openAt(dir);
    expect(again.listTraces().map((t) => t.id)).toEqual(['keep']);
    expect(await again.getTrace('gone')).toBeUndefined();
  });

  it('keeps a deletion in the log while packs with the trace are left, and no pack once nothing needs it', async () => {
    const dir = newDir();
    const store = await openAt(dir);
    const packs = () =>
      readdirSync(join(dir, 'packs'))
        .filter((n) => n.startsWith('pack-'))
        .sort();
    for (const id of ['a', 'b']) ingestKept(store, traceBatch(id, 30, 10_000)); // over SEAL_BYTES: the flush seals the pack
    await store.flush();
    expect(packs()).toHaveLength(1);
    store.deleteTraces(['a']);
    await store.flush();
    await store.flush();
    // b keeps the first pack, so a's deletion, in the next one, stays too.
    expect(packs()).toHaveLength(2);
    store.deleteTraces(['b']);
    await store.flush();
    await store.flush();
    await store.flush();
    expect(packs()).toEqual([]);
    await closeStore(store);
    expect((await openAt(dir)).listTraces()).toEqual([]);
  });

  it('spares the trace being written when retention by size drops the pack its first spans are in', async () => {
    const dir = newDir();
    const store = await openAt(dir, { maxBytes: 1_500_000 });
    // A long trace whose spans arrive between other traces' batches, over several packs.
    ingestKept(store, batch(traceStart('long')));
    let sent = 0;
    for (let round = 0; round < 40; round++) {
      const events = Array.from({ length: 5 }, (_, i) =>
        spanEnd(`long-${sent + i}`, 'long', { start_time: at(sent + i), end_time: at(sent + i + 1) }),
      );
      sent += events.length;
      ingestKept(store, batch(...events));
      ingestKept(store, traceBatch(`filler-${round}`, 10, 10_000));
      await store.flush();
    }
    const ids = store.listTraces({ limit: 1000 }).map((t) => t.id);
    expect(ids).toContain('long');
    expect(ids.length).toBeLessThan(41); // old fillers went
    expect(store.warnings.filter((w) => !/retention|removed/i.test(w))).toEqual([]);
    const long = await store.getTrace('long');
    expect(long!.spans).toHaveLength(sent);
    await closeStore(store);
    const again = await openAt(dir, { maxBytes: 1_500_000 });
    expect((await again.getTrace('long'))!.spans).toHaveLength(sent);
  });

  it('moves a folder in the earlier layout aside whole, with a warning, and starts empty', async () => {
    const dir = newDir();
    mkdirSync(join(dir, 'index'), { recursive: true });
    mkdirSync(join(dir, 'packs'), { recursive: true });
    writeFileSync(join(dir, 'index', 'seg-000001.json'), JSON.stringify({ version: 1, traces: {} }));
    writeFileSync(join(dir, 'packs', 'pack-000001.json'), JSON.stringify({ version: 1, units: [] }));
    const store = await openAt(dir);
    expect(store.listTraces()).toEqual([]);
    expect(store.warnings).toEqual([expect.stringMatching(/earlier version of Spanscope.*moved it to/)]);
    const aside = readdirSync(dir).filter((n) => n.startsWith('old-layout-'));
    expect(aside).toHaveLength(1);
    expect(existsSync(join(dir, aside[0], 'packs', 'pack-000001.json'))).toBe(true);
    ingestKept(store, traceBatch('new', 2));
    await closeStore(store);
    expect((await (await openAt(dir)).getTrace('new'))!.spans).toHaveLength(2);
  });
});
