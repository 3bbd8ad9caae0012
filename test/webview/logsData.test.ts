// The Logs tab's page cache against the real host handlers over a real RpcEndpoint pair and
// a real store: pages load on demand, a live refresh reports how far the reader's row moved.

import { afterEach, describe, expect, it } from 'vitest';
import { normaliseNativeBatch } from '../../src/core/normalise/native';
import { registerLogsHandlers } from '../../src/extension/logsHandlers';
import { RpcEndpoint } from '../../src/shared/rpc';
import { openStore, type TraceStore } from '../../src/store/traceStore';
import { LogsData, PAGE_SIZE } from '../../webview/logs/logsData';
import { tempDir } from '../support/collector';
import { traceEvents } from '../support/logsEvents';
import { at } from '../support/summaries';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function ingest(store: TraceStore, events: unknown[]): void {
  const r = normaliseNativeBatch({ events });
  if (!r.ok) throw new Error(JSON.stringify(r.details));
  store.apply(r.patches);
}

async function setup(traces: number) {
  const store = await openStore({ dir: tempDir(), maxTraces: 100_000 });
  cleanups.push(() => store.close());
  ingest(
    store,
    Array.from({ length: traces }, (_, i) =>
      traceEvents({
        id: `t${String(i).padStart(4, '0')}`,
        start: at(i),
        end: at(i + 0.5),
        scores: i % 2 ? { q: i } : {},
      }),
    ).flat(),
  );
  let host!: RpcEndpoint;
  const page = new RpcEndpoint((m) => void host.receive(JSON.parse(JSON.stringify(m))), 5000);
  host = new RpcEndpoint((m) => void page.receive(JSON.parse(JSON.stringify(m))));
  registerLogsHandlers(host, store, {});
  cleanups.push(() => {
    page.dispose();
    host.dispose();
  });
  let repaints = 0;
  const data = new LogsData(page, () => repaints++);
  return { store, data, repaints: () => repaints };
}

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(ok()).toBe(true);
};

describe('the logs page cache', () => {
  it('loads the first page with a query, then other pages as rows are asked for', async () => {
    const { data } = await setup(450);
    expect(await data.setQuery({ filter: '', sort: 'start_time', order: 'desc' })).toBe(true);
    expect(data.total).toBe(450);
    expect(data.scoreNames).toEqual(['q']);
    expect(data.rowAt(0)?.id).toBe('t0449');
    expect(data.rowAt(PAGE_SIZE + 5)).toBeUndefined(); // starts loading page 1
    await until(() => data.rowAt(PAGE_SIZE + 5) !== undefined);
    expect(data.rowAt(PAGE_SIZE + 5)?.id).toBe(`t${String(449 - PAGE_SIZE - 5).padStart(4, '0')}`);
  });

  it('keeps the error of a refused filter and shows no rows', async () => {
    const { data } = await setup(3);
    expect(await data.setQuery({ filter: 'status:maybe', sort: 'start_time', order: 'desc' })).toBe(false);
    expect(data.error).toMatch(/unknown status "maybe"/);
    expect(data.total).toBe(0);
    expect(await data.setQuery({ filter: 'q > 0', sort: 'score:q', order: 'asc' })).toBe(true);
    expect(data.error).toBeUndefined();
    expect(data.rowAt(0)?.id).toBe('t0001');
  });

  it('loads every row a range spans, for a Shift-click', async () => {
    const { data } = await setup(900);
    await data.setQuery({ filter: '', sort: 'start_time', order: 'desc' });
    await data.ensure(150, 650);
    for (let i = 150; i < 650; i++) expect(data.indexOf(`t${String(899 - i).padStart(4, '0')}`), `row ${i}`).toBe(i);
    expect(data.indexOf('t0049')).toBe(-1); // row 850 is on a page nobody asked for
  });

  it('reports how many rows the reader’s row moved when traces arrived above it', async () => {
    const { data, store } = await setup(300);
    await data.setQuery({ filter: '', sort: 'start_time', order: 'desc' });
    const reading = data.rowAt(50)!.id;
    ingest(store, [
      ...traceEvents({ id: 'new-1', start: at(1000) }),
      ...traceEvents({ id: 'new-2', start: at(1001) }),
      ...traceEvents({ id: 'new-3', start: at(1002) }),
    ]);
    const { moved } = await data.refresh(0, 120, 50);
    expect(moved).toBe(3);
    expect(data.rowAt(53)?.id).toBe(reading);
    expect(data.total).toBe(303);
    // Without an anchor (the reader is at the top) nothing moves: the new rows show at the top.
    ingest(store, traceEvents({ id: 'new-4', start: at(1003) }));
    expect((await data.refresh(0, 120)).moved).toBe(0);
    expect(data.rowAt(0)?.id).toBe('new-4');
  });

  it('drops a page that arrives after the query changed', async () => {
    const { data } = await setup(450);
    await data.setQuery({ filter: '', sort: 'start_time', order: 'desc' });
    data.rowAt(300); // page 1 requested for the old query
    await data.setQuery({ filter: 'score:q', sort: 'start_time', order: 'desc' });
    await new Promise((r) => setTimeout(r, 50));
    expect(data.total).toBe(225);
    for (let i = 0; i < 200; i++) expect(data.rowAt(i)?.score_averages.q).toBeDefined();
  });
});
