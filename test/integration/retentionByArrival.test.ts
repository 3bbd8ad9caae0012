// Issue 13 item 6, over real sockets and files: retention by count drops the traces that
// arrived longest ago, whatever start time the client sent, and never a running trace. At
// main it ordered by the client's start time: with equal start times each arrival evicted the
// one before (of 6,000 sent, 1 of the last 500 survived), a skewed client clock lost traces
// right after their 200, and a long-running trace lost its name, input and first spans.

import { afterEach, describe, expect, it } from 'vitest';
import { at, spanEnd, spanStart, traceEnd, traceStart } from '../support/builders';
import { type TestCollector, startTestCollector } from '../support/collector';

let open: TestCollector[] = [];
afterEach(async () => {
  await Promise.all(open.map((c) => c.close()));
  open = [];
});

async function collector(maxTraces: number, dir?: string): Promise<TestCollector> {
  const c = await startTestCollector({ dir, store: { maxTraces } });
  open.push(c);
  return c;
}

/** A finished trace: start, one span, end, all at the same client times. */
function finished(id: string, fields: Record<string, unknown> = {}) {
  return [traceStart(id, fields), spanStart(`${id}-s`, id), spanEnd(`${id}-s`, id), traceEnd(id)];
}

async function send(c: TestCollector, ids: string[], fields: (id: string) => Record<string, unknown> = () => ({})) {
  for (let i = 0; i < ids.length; i += 100) {
    const reply = await c.ingest({ events: ids.slice(i, i + 100).flatMap((id) => finished(id, fields(id))) });
    expect(reply.status).toBe(200);
  }
}

const ids = (c: TestCollector) =>
  c.store
    .listTraces({ limit: 100_000 })
    .map((t) => t.id)
    .sort();
const named = (prefix: string, n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(from + i).padStart(5, '0')}`);

describe('retention by arrival', () => {
  it('of 6,000 traces with equal start times and a limit of 5,000, keeps the last 5,000 to arrive, across a restart', async () => {
    const c = await collector(5000);
    const all = named('t', 6000);
    await send(c, all);
    expect(ids(c)).toEqual(all.slice(1000));
    await c.stop();
    const again = await collector(4000, c.dir); // the arrival order is kept on disk
    expect(ids(again)).toEqual(all.slice(2000));
  });

  it('keeps the last arrivals across three projects sent one after another', async () => {
    const c = await collector(5000);
    const all = named('t', 6000);
    await send(c, all, (id) => ({ project_name: `project-${Math.floor(Number(id.slice(1)) / 2000)}` }));
    expect(ids(c)).toEqual(all.slice(1000));
    const projects = Object.fromEntries(c.store.listProjects().map((p) => [p.name, p.trace_count]));
    expect(projects).toEqual({ 'project-0': 1000, 'project-1': 2000, 'project-2': 2000 });
  });

  it('a client with a skewed clock keeps its traces: the server orders by arrival', async () => {
    const c = await collector(50);
    await send(c, named('t', 50));
    await send(c, ['skewed'], () => ({ start_time: '2016-01-01T00:00:00.000000Z' })); // ten years behind
    expect((await c.get('/api/traces/skewed')).status).toBe(200);
    await send(c, named('u', 10));
    expect(ids(c)).toContain('skewed');
    expect(ids(c).filter((id) => id.startsWith('t'))).toEqual(named('t', 39, 11));
  });

  it('a long-running trace receiving spans while newer traces arrive keeps its name, input and first spans', async () => {
    const c = await collector(20);
    const first = await c.ingest({
      events: [
        traceStart('long', { name: 'the long run', input: { question: 'why?' } }),
        spanStart('long-0', 'long', { name: 'first step' }),
        spanEnd('long-0', 'long'),
      ],
    });
    expect(first.status).toBe(200);
    for (let round = 1; round <= 10; round++) {
      await send(c, named(`r${round}-`, 10), () => ({ start_time: at(10_000 * round) })); // started after it
      expect(
        (
          await c.ingest({
            events: [spanStart(`long-${round}`, 'long', { start_time: at(round) }), spanEnd(`long-${round}`, 'long')],
          })
        ).status,
      ).toBe(200);
    }
    const long = (await c.get('/api/traces/long')).json;
    expect(long.trace).toMatchObject({ name: 'the long run', input: { question: 'why?' } });
    expect(long.spans.map((s: any) => s.id).sort()).toEqual(
      ['long-0', ...Array.from({ length: 10 }, (_, i) => `long-${i + 1}`)].sort(),
    );
    expect(long.spans.find((s: any) => s.id === 'long-0').name).toBe('first step');
    expect(ids(c)).toHaveLength(20); // the newest 19 finished traces beside it
    expect(ids(c)).toContain('r10-00009');
  });
});
