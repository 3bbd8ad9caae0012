// Add to Dataset's rows from a selection, read from a real store in a temp folder: the Logs
// tab's checked traces give each trace's own row in the order they were checked, a span ref its
// span's row, and a trace deleted since it was checked gives none.

import { afterEach, describe, expect, it } from 'vitest';
import { normaliseNativeBatch } from '../../src/core/normalise/native';
import { datasetRowsOf } from '../../src/extension/replay/datasetsModel';
import { openStore, type TraceStore } from '../../src/store/traceStore';
import { at, batch, spanEnd, traceEnd, traceStart } from '../support/builders';
import { tempDir } from '../support/collector';

const stores: TraceStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function storeWith(...events: unknown[]): Promise<TraceStore> {
  const store = await openStore({ dir: tempDir() });
  stores.push(store);
  const r = normaliseNativeBatch(batch(...events));
  if (!r.ok) throw new Error(JSON.stringify(r.details));
  store.apply(r.patches);
  return store;
}

describe('rows from a selection', () => {
  it("gives each checked trace's own input and output, in the order checked, and skips a deleted trace", async () => {
    const store = await storeWith(
      traceStart('t1', { name: 'checkout', input: { cart: [1] } }),
      spanEnd('t1-root', 't1', {
        name: 'checkout',
        start_time: at(1),
        input: { cart: [1] },
        output: 'paid',
        metadata: { region: 'eu' },
      }),
      traceEnd('t1', { output: 'paid' }),
      // No trace-level input or output, as OTLP traces come: the root span's stand in.
      traceStart('t2', { name: 'search' }),
      spanEnd('t2-root', 't2', { name: 'search', start_time: at(1), input: 'shoes', output: ['a', 'b'] }),
      spanEnd('t2-child', 't2', {
        name: 'rank',
        parent_span_id: 't2-root',
        start_time: at(2),
        input: 'ignored',
        output: 'ignored',
      }),
      traceEnd('t2'),
    );
    const rows = await datasetRowsOf(store, [{ traceId: 't2' }, { traceId: 'deleted-meanwhile' }, { traceId: 't1' }]);
    expect(rows).toEqual([
      {
        input: 'shoes',
        expected: ['a', 'b'],
        metadata: {},
        source_span: {
          trace_id: 't2',
          span_id: 't2-root',
          project_name: 'Default Project',
          name: 'search',
          start_time: at(0),
        },
      },
      {
        input: { cart: [1] },
        expected: 'paid',
        metadata: { region: 'eu' },
        source_span: {
          trace_id: 't1',
          span_id: 't1-root',
          project_name: 'Default Project',
          name: 'checkout',
          start_time: at(0),
        },
      },
    ]);
  });

  it("gives a span's own row for a span ref, and none for a span that is not in its trace", async () => {
    const store = await storeWith(
      traceStart('t3', { name: 'chat' }),
      spanEnd('t3-root', 't3', { name: 'chat', start_time: at(1), input: 'hi', output: 'hello' }),
      spanEnd('t3-llm', 't3', {
        name: 'llm call',
        parent_span_id: 't3-root',
        start_time: at(2),
        input: { messages: [] },
        output: 'raw',
        model: 'gpt-x',
      }),
      traceEnd('t3'),
    );
    const rows = await datasetRowsOf(store, [
      { traceId: 't3', spanId: 't3-llm' },
      { traceId: 't3', spanId: 'nope' },
    ]);
    expect(rows).toEqual([
      {
        input: { messages: [] },
        expected: 'raw',
        metadata: { model: 'gpt-x' },
        source_span: {
          trace_id: 't3',
          span_id: 't3-llm',
          project_name: 'Default Project',
          name: 'llm call',
          start_time: at(2),
        },
      },
    ]);
  });
});
