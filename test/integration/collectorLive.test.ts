import { afterEach, describe, expect, it } from 'vitest';
import { batch, spanEnd, spanStart, traceBatch, traceStart } from '../support/builders';
import { type TestCollector, startTestCollector } from '../support/collector';
import { TestSocket } from '../support/http';

let c: TestCollector;
const sockets: TestSocket[] = [];
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
  await c?.close();
});

async function live(query = `?token=${c.token}`, headers: Record<string, string> = {}) {
  const s = await TestSocket.open(`ws://127.0.0.1:${c.port}/api/live${query}`, headers);
  sockets.push(s);
  expect(await s.next()).toEqual({ type: 'hello', version: 'test' });
  return s;
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('/api/live', () => {
  it('pushes trace summaries, and the spans of watched traces only', async () => {
    c = await startTestCollector();
    const ws = await live('', { authorization: `Bearer ${c.token}` });
    ws.send({ type: 'watch', trace_ids: ['w'] });
    await settle(20);
    await c.ingest(batch(traceStart('w'), spanStart('s1', 'w'), traceStart('other'), spanStart('o1', 'other')));
    const msg = await ws.next();
    expect(msg.type).toBe('changes');
    expect(msg.traces.map((t: any) => t.id).sort()).toEqual(['other', 'w']);
    expect(msg.removed).toEqual([]);
    expect(msg.spans).toEqual([{ trace_id: 'w', spans: [expect.objectContaining({ id: 's1', status: 'running' })] }]);

    await c.ingest(batch(spanEnd('s1', 'w')));
    const ended = await ws.next();
    expect(ended.spans[0].spans[0]).toMatchObject({ id: 's1', status: 'ok' });

    await c.get('/api/traces/other', { method: 'DELETE' });
    expect(await ws.next()).toEqual({ type: 'changes', traces: [], removed: ['other'], spans: [] });
  });

  it('sends a lone change at once (leading edge) and holds the next ones for the interval', async () => {
    c = await startTestCollector({ collector: { liveIntervalMs: 60_000 } });
    const ws = await live();
    await c.ingest(batch(traceStart('first')));
    expect((await ws.next(2000)).traces.map((t: any) => t.id)).toEqual(['first']);
    await c.ingest(batch(traceStart('second')));
    await expect(ws.next(300)).rejects.toThrow(/no message/);
  });

  it('batches a burst of thousands of spans into a few messages that still carry every span', async () => {
    c = await startTestCollector();
    const ws = await live();
    ws.send({ type: 'watch', trace_ids: ['burst'] });
    await settle(20);
    const ingest = await TestSocket.open(`ws://127.0.0.1:${c.port}/api/ingest/ws`);
    sockets.push(ingest);
    const started = Date.now();
    ingest.send(batch(traceStart('burst')));
    for (let i = 0; i < 2000; i++) ingest.send(batch(spanEnd(`s${i}`, 'burst', { start_time: 0 })));
    ingest.send({ seq: 1, events: [] });
    await ingest.next(10_000);
    const elapsed = Date.now() - started;

    const seen = new Set<string>();
    let messages = 0;
    while (seen.size < 2000) {
      const msg = await ws.next(5000);
      messages++;
      for (const group of msg.spans) for (const s of group.spans) seen.add(s.id);
    }
    // At most one message per 100 ms, plus the leading one and the trailing one.
    expect(messages).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 2);
    expect(messages).toBeLessThan(2000 / 10);
    const summary = c.store.getSummary('burst')!;
    expect(summary.span_count).toBe(2000);
  });

  it('stops following a trace that is no longer watched', async () => {
    c = await startTestCollector();
    const ws = await live();
    ws.send({ type: 'watch', trace_ids: ['a'] });
    await settle(20);
    await c.ingest(traceBatch('a', 1));
    expect((await ws.next()).spans).toHaveLength(1);
    ws.send({ type: 'watch', trace_ids: [] });
    await settle(150);
    await c.ingest(batch(spanEnd('a-s0', 'a', { output: 'later' })));
    const msg = await ws.next();
    expect(msg.traces.map((t: any) => t.id)).toEqual(['a']);
    expect(msg.spans).toEqual([]);
  });

  it('answers a message it does not understand with an error and stays open', async () => {
    c = await startTestCollector();
    const ws = await live();
    ws.send('nonsense');
    expect(await ws.next()).toEqual({ type: 'error', error: 'malformed JSON' });
    ws.send({ type: 'subscribe' });
    expect((await ws.next()).type).toBe('error');
    await c.ingest(batch(traceStart('x')));
    expect((await ws.next()).type).toBe('changes');
  });
});
