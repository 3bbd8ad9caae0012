// The logs filter's free text searches more than the summary's 300-character previews: whole
// inputs and outputs (up to the store's cap), and the names and models of every span. Real
// collector, real store files, restarts on the same folder.

import { cpSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SEARCH_TEXT_MAX } from '../../src/store/searchText';
import { at } from '../support/summaries';
import { startTestCollector, tempDir, type TestCollector } from '../support/collector';
import type { HttpReply } from '../support/http';
import { traceEvents } from '../support/logsEvents';

const open: TestCollector[] = [];

async function start(dir?: string, maxTraces = 100_000): Promise<TestCollector> {
  const c = await startTestCollector({ dir, store: { maxTraces } });
  open.push(c);
  return c;
}

afterEach(async () => {
  // Newest first: a restarted collector shares its folder with the one before it, whose close
  // removes the folder (closing the other after would fail to write, and say so).
  for (const c of open.splice(0).reverse()) await c.close();
});

async function seed(c: TestCollector, events: unknown[]): Promise<void> {
  const r = await c.ingest({ events });
  if (r.status !== 200) throw new Error(`ingest failed: ${r.status} ${r.text}`);
}

async function found(c: TestCollector, filter: string): Promise<string[]> {
  const r: HttpReply = await c.get(`/api/query?filter=${encodeURIComponent(filter)}`);
  expect(r.status).toBe(200);
  return r.json.traces.map((t: { id: string }) => t.id).sort();
}

const padding = 'some retrieved context that goes on and on. '.repeat(20); // ~900 characters

/** Three traces whose words are each beyond what a summary shows. */
function deepEvents(): unknown[] {
  const nested = {
    id: 'names',
    start_time: at(2),
    end_time: at(2.1),
    name: 'pipeline',
    project_name: 'Default Project',
  };
  return [
    ...traceEvents({
      id: 'deep-input',
      name: 'answer',
      start: at(0),
      end: at(0.1),
      input: { question: 'hi', context: `${padding} the Zanzibar clause` },
      output: 'ok',
    }),
    ...traceEvents({
      id: 'deep-output',
      name: 'answer',
      start: at(1),
      end: at(1.1),
      input: 'short',
      output: `${padding} and finally Kilimanjaro.`,
    }),
    { event: 'trace_start', trace: nested },
    {
      event: 'span_end',
      span: { id: 'n-root', trace_id: 'names', name: 'pipeline', start_time: at(2), end_time: at(2.1) },
    },
    {
      event: 'span_end',
      span: {
        id: 'n-child',
        trace_id: 'names',
        parent_span_id: 'n-root',
        name: 'rerank_with_colbert',
        type: 'llm',
        model: 'mistral-large-2411',
        start_time: at(2),
        end_time: at(2.05),
      },
    },
  ];
}

const ids = ['deep-input', 'deep-output', 'names'];

describe('free text in the logs filter', () => {
  it('finds a word deep in a long input, past the 300-character preview', async () => {
    const c = await start();
    await seed(c, deepEvents());
    const summary = c.store.getSummary('deep-input')!;
    expect(summary.input_preview!.toLowerCase()).not.toContain('zanzibar'); // the preview alone could not find it
    expect(await found(c, 'zanzibar')).toEqual(['deep-input']);
    expect(await found(c, '"the ZANZIBAR clause"')).toEqual(['deep-input']);
  });

  it('finds a word only in a long output', async () => {
    const c = await start();
    await seed(c, deepEvents());
    expect(c.store.getSummary('deep-output')!.output_preview!.toLowerCase()).not.toContain('kilimanjaro');
    expect(await found(c, 'kilimanjaro')).toEqual(['deep-output']);
  });

  it("finds a span's name and model inside the trace", async () => {
    const c = await start();
    await seed(c, deepEvents());
    expect(await found(c, 'colbert')).toEqual(['names']);
    expect(await found(c, 'mistral-large')).toEqual(['names']);
    expect(await found(c, 'pipeline colbert')).toEqual(['names']); // a word from the summary and one from a span, ANDed
    expect(await found(c, 'nowhere-to-be-found')).toEqual([]);
  });

  it('searches a span-only trace by its root span input, and a later span of a trace already stored', async () => {
    const c = await start();
    const input = { messages: [{ role: 'user', content: `${padding} tell me about axolotls` }] };
    await seed(c, [
      {
        event: 'span_end',
        span: { id: 'r', trace_id: 'implicit', name: 'chat', type: 'llm', start_time: at(0), end_time: at(0.1), input },
      },
    ]);
    expect(await found(c, 'axolotls')).toEqual(['implicit']);
    await c.store.flush();
    await seed(c, [
      {
        event: 'span_end',
        span: {
          id: 'late',
          trace_id: 'implicit',
          parent_span_id: 'r',
          name: 'late_guardrail',
          start_time: at(0.05),
          end_time: at(0.06),
        },
      },
    ]);
    expect(await found(c, 'late_guardrail')).toEqual(['implicit']);
    expect(await found(c, 'axolotls')).toEqual(['implicit']); // the earlier text is kept
  });

  it('still finds them after a restart, without opening the traces', async () => {
    const dir = tempDir();
    const first = await start(dir);
    await seed(first, deepEvents());
    const before = ['deep-input', 'deep-output', 'names'].map((id) => first.store.searchText(id));
    await first.stop();
    const second = await start(dir);
    expect(['deep-input', 'deep-output', 'names'].map((id) => second.store.searchText(id))).toEqual(before);
    expect(await found(second, 'zanzibar')).toEqual(['deep-input']);
    expect(await found(second, 'kilimanjaro')).toEqual(['deep-output']);
    expect(await found(second, 'colbert')).toEqual(['names']);
  });

  // The store keeps the texts in its index segments beside the summaries; the index is rebuilt
  // from the packs when lost or behind, and the texts must come back with it.
  it('gets the texts back when the index is rebuilt from the packs (index lost)', async () => {
    const dir = tempDir();
    const first = await start(dir);
    await seed(first, deepEvents());
    const before = ids.map((id) => first.store.searchText(id));
    await first.stop();
    rmSync(join(dir, 'index'), { recursive: true });
    const second = await start(dir);
    expect(ids.map((id) => second.store.searchText(id))).toEqual(before);
    expect(await found(second, 'zanzibar')).toEqual(['deep-input']);
    expect(await found(second, 'colbert')).toEqual(['names']);
    await second.stop();
    // and written into the rebuilt index, so the next open has them without a rebuild
    const third = await start(dir);
    expect(ids.map((id) => third.store.searchText(id))).toEqual(before);
  });

  it('gets the texts of traces written after the index was (a crash between packs and index)', async () => {
    const dir = tempDir();
    const first = await start(dir);
    const events = deepEvents() as { trace?: { id: string }; span?: { trace_id: string } }[];
    await seed(
      first,
      events.filter((e) => (e.trace?.id ?? e.span?.trace_id) === 'deep-input'),
    );
    await first.store.flush();
    cpSync(join(dir, 'index'), join(dir, 'index-before'), { recursive: true });
    await seed(
      first,
      events.filter((e) => (e.trace?.id ?? e.span?.trace_id) !== 'deep-input'),
    );
    const before = ids.map((id) => first.store.searchText(id));
    await first.stop();
    rmSync(join(dir, 'index'), { recursive: true });
    renameSync(join(dir, 'index-before'), join(dir, 'index')); // the packs as written, the index as before the second batch
    const second = await start(dir);
    expect(ids.map((id) => second.store.searchText(id))).toEqual(before);
    expect(await found(second, 'kilimanjaro')).toEqual(['deep-output']);
    expect(await found(second, 'mistral-large')).toEqual(['names']);
  });

  it('keeps the earlier text of a trace updated after a restart (read back from the log) and adds the new', async () => {
    const dir = tempDir();
    const first = await start(dir);
    await seed(first, deepEvents());
    await first.stop();
    const second = await start(dir);
    await seed(second, [
      {
        event: 'span_end',
        span: {
          id: 'n-late',
          trace_id: 'names',
          parent_span_id: 'n-root',
          name: 'late_guardrail',
          start_time: at(2.06),
          end_time: at(2.07),
        },
      },
    ]);
    expect(await found(second, 'late_guardrail')).toEqual(['names']);
    expect(await found(second, 'colbert')).toEqual(['names']);
    expect(await found(second, 'mistral-large')).toEqual(['names']);
  });

  it('no longer matches a deleted trace, or one retention removed', async () => {
    const c = await start(undefined, 3);
    await seed(c, deepEvents());
    expect(
      (await c.get('/api/traces/delete', { method: 'POST', body: { trace_ids: ['deep-input'] } })).json.deleted,
    ).toBe(1);
    expect(await found(c, 'zanzibar')).toEqual([]);
    expect(c.store.searchText('deep-input')).toBeUndefined();
    // Two newer traces push the oldest two (deep-output, names) out of a store of three.
    await seed(c, [
      ...traceEvents({ id: 'new1', start: at(5), end: at(5.1) }),
      ...traceEvents({ id: 'new2', start: at(6), end: at(6.1) }),
    ]);
    expect(c.store.getSummary('deep-output')).toBeUndefined();
    expect(await found(c, 'kilimanjaro')).toEqual([]);
    expect(c.store.searchText('deep-output')).toBeUndefined();
  });

  it('keeps the text within its cap for huge, deep and many-named traces, and still finds what fits', async () => {
    const c = await start();
    let deep: unknown = 'bottom';
    for (let i = 0; i < 1000; i++) deep = [deep]; // far deeper than the text walks
    const huge = `needle-at-start ${'x'.repeat(2_000_000)} needle-at-end`;
    const spans = Array.from({ length: 3000 }, (_, i) => ({
      event: 'span_end',
      span: { id: `m${i}`, trace_id: 'many', name: `distinct step number ${i}`, start_time: at(3), end_time: at(3.1) },
    }));
    await seed(c, [
      ...traceEvents({ id: 'huge', start: at(0), end: at(1), input: huge, output: { big: huge } }),
      ...traceEvents({ id: 'deep', start: at(1), end: at(2), input: deep, output: 'fine' }),
      ...traceEvents({ id: 'many', start: at(3), end: at(4), input: 'many names' }),
      ...spans,
    ]);
    for (const id of ['huge', 'deep', 'many']) {
      const text = c.store.searchText(id)!;
      expect(text.length).toBeGreaterThan(0);
      expect(text.length).toBeLessThanOrEqual(SEARCH_TEXT_MAX);
      expect(text).toBe(text.toLowerCase());
    }
    expect(await found(c, 'needle-at-start')).toEqual(['huge']);
    expect(await found(c, 'needle-at-end')).toEqual([]); // cut off: the cap, not the whole input
    expect(await found(c, '"distinct step number 3"')).toContain('many'); // the first names fit
    expect(await found(c, '"distinct step number 2999"')).toEqual([]); // the last ones do not
    expect(await found(c, 'fine')).toEqual(['deep']);
  });
});
