import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { at, batch, score, spanEnd, spanStart, traceBatch, traceEnd, traceStart } from '../support/builders';
import { type TestCollector, startTestCollector } from '../support/collector';
import { TestSocket } from '../support/http';

let c: TestCollector;
const sockets: TestSocket[] = [];
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
  await c?.close();
});

async function socket(path: string, headers: Record<string, string> = {}) {
  const s = await TestSocket.open(`ws://127.0.0.1:${c.port}${path}`, headers);
  sockets.push(s);
  return s;
}

describe('native ingest over HTTP', () => {
  it('accepts a batch, and the read API shows it; after a restart it is still there', async () => {
    c = await startTestCollector();
    const reply = await c.ingest(traceBatch('t1', 3));
    expect(reply).toMatchObject({ status: 200, json: { accepted: 5 } });

    const list = await c.get('/api/traces');
    expect(list.status).toBe(200);
    expect(list.json.traces).toMatchObject([{ id: 't1', span_count: 3, status: 'ok', usage: { total_tokens: 15 } }]);
    const detail = await c.get('/api/traces/t1');
    expect(detail.json.spans).toHaveLength(3);
    expect(detail.json.trace).toMatchObject({ id: 't1', name: 'trace t1', status: 'ok' });

    await c.stop();
    const restarted = await startTestCollector({ dir: c.dir });
    c = restarted;
    expect((await c.get('/api/traces/t1')).json).toEqual(detail.json);
  });

  it('stores spans as they were sent, escapes, other scripts and spacing included, and as sent when the bytes are not UTF-8', async () => {
    c = await startTestCollector();
    const tricky = {
      text: 'quote " backslash \\ newline \n tab \t 😀 中文 ü \u0001 }]{[',
      nested: [{ a: null, b: [1.5, -0, 1e21] }],
    };
    const spans = [
      spanEnd('plain', 't', {
        start_time: at(1),
        input: tricky,
        output: 'é',
        code_location: { file: '/a.py', line: 3, function: 'f' },
      }),
      spanEnd('spaced', 't', { start_time: at(2), metadata: { k: 'v' } }),
    ];
    // Pretty-printed, with a unicode escape in a value and the members of one span reordered.
    const text = JSON.stringify(batch(...spans), null, 2).replace('"output": "é"', '"output": "\\u00e9"');
    expect(
      (
        await c.raw('/api/ingest', {
          method: 'POST',
          body: Buffer.from(text),
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(200);
    // Bytes that are not UTF-8 (a lone 0xff in a string): read with a replacement character.
    const invalid = Buffer.concat([
      Buffer.from(
        '{"events":[{"event":"span_end","span":{"id":"bad","trace_id":"t","end_time":"' + at(9) + '","output":"x',
      ),
      Buffer.from([0xff]),
      Buffer.from('y"}}]}'),
    ]);
    expect(
      (await c.raw('/api/ingest', { method: 'POST', body: invalid, headers: { 'content-type': 'application/json' } }))
        .status,
    ).toBe(200);
    const expectSpans = (got: { id: string }[]) => {
      expect(got.find((s) => s.id === 'plain')).toMatchObject({
        input: JSON.parse(JSON.stringify(tricky)),
        output: 'é',
        code_location: { file: '/a.py', line: 3, function: 'f' },
      });
      expect(got.find((s) => s.id === 'spaced')).toMatchObject({ metadata: { k: 'v' }, start_time: at(2) });
      expect(got.find((s) => s.id === 'bad')).toMatchObject({ output: 'x\ufffdy' });
    };
    expectSpans((await c.get('/api/traces/t')).json.spans);
    await c.stop();
    c = await startTestCollector({ dir: c.dir });
    expectSpans((await c.get('/api/traces/t')).json.spans);
  });

  it('accepts gzip and deflate bodies', async () => {
    c = await startTestCollector();
    const body = gzipSync(JSON.stringify(traceBatch('gz', 2)));
    const reply = await c.raw('/api/ingest', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json; charset=utf-8', 'content-encoding': 'gzip' },
    });
    expect(reply).toMatchObject({ status: 200, json: { accepted: 4 } });
    expect(c.store.getSummary('gz')?.span_count).toBe(2);
  });

  it('assembles a trace sent out of order across several requests', async () => {
    c = await startTestCollector();
    await c.ingest(batch(spanEnd('child', 't', { parent_span_id: 'root', end_time: at(20) })));
    await c.ingest(batch({ event: 'span_update', span: { id: 'child', output: 'answer' } }));
    await c.ingest(batch(traceEnd('t'), spanEnd('root', 't', { end_time: at(30) })));
    await c.ingest(
      batch(
        spanStart('root', 't', { start_time: at(1) }),
        spanStart('child', 't', { parent_span_id: 'root', start_time: at(5) }),
        traceStart('t'),
      ),
    );
    const { json } = await c.get('/api/traces/t');
    expect(json.trace).toMatchObject({ status: 'ok', span_count: 2 });
    expect(json.spans.find((s: any) => s.id === 'child')).toMatchObject({
      start_time: at(5),
      end_time: at(20),
      output: 'answer',
      duration_ms: 15,
    });
  });

  it('scores, lists projects, and deletes through the read API', async () => {
    c = await startTestCollector();
    await c.ingest(
      batch(traceStart('a', { project_name: 'p1' }), spanStart('s', 'a'), traceStart('b', { project_name: 'p2' })),
    );
    expect(
      (
        await c.get('/api/scores', {
          body: { target: 'span', id: 's', trace_id: 'a', name: 'good', value: 1, reason: 'yes' },
        })
      ).json,
    ).toEqual({ ok: true });
    expect((await c.get('/api/scores', { body: { target: 'trace', id: 'nope', name: 'good', value: 1 } })).status).toBe(
      404,
    );
    expect(
      (await c.get('/api/scores', { body: { target: 'span', id: 'x', name: '', value: 'high' } })).json.details.map(
        (d: any) => d.path,
      ),
    ).toEqual(['score.value', 'score.name']);
    const span = (await c.get('/api/traces/a')).json.spans[0];
    expect(span.feedback_scores).toMatchObject([{ name: 'good', value: 1, reason: 'yes', source: 'ui' }]);
    expect((await c.get('/api/projects')).json.projects.map((p: any) => p.name).sort()).toEqual(['p1', 'p2']);
    expect((await c.get('/api/traces?project=p1')).json.traces.map((t: any) => t.id)).toEqual(['a']);
    expect((await c.get('/api/traces/a', { method: 'DELETE' })).status).toBe(204);
    expect((await c.get('/api/traces/a')).status).toBe(404);
    expect((await c.get('/api/traces', { method: 'DELETE' })).status).toBe(204);
    expect((await c.get('/api/traces')).json.traces).toEqual([]);
  });

  it('answers health without a token', async () => {
    c = await startTestCollector();
    expect(await c.raw('/api/health')).toMatchObject({ status: 200, json: { status: 'ok', version: 'test' } });
  });
});

describe('native ingest over a WebSocket', () => {
  it('acks each batch with its seq, keeps the stream open after a bad frame, and builds out-of-order traces', async () => {
    c = await startTestCollector();
    const ws = await socket('/api/ingest/ws');
    ws.send({ seq: 1, ...batch(spanEnd('s', 't', { end_time: at(40) })) });
    expect(await ws.next()).toEqual({ ack: 1, accepted: 1 });
    ws.send('{not json');
    expect((await ws.next()).error).toMatch(/^malformed JSON/);
    ws.send({ seq: 2, ...batch({ event: 'span_start', span: { id: 's' } }) });
    expect(await ws.next()).toMatchObject({
      ack: 2,
      error: 'invalid batch: 1 of 1 events rejected',
      details: [
        { index: 0, path: 'span.trace_id' },
        { index: 0, path: 'span.start_time' },
      ],
    });
    ws.send({
      seq: 3,
      ...batch(spanStart('s', 't', { start_time: at(10) }), traceStart('t'), score('span', 's', 'q', 0.5)),
    });
    expect(await ws.next()).toEqual({ ack: 3, accepted: 3 });
    expect(c.store.getSummary('t')).toMatchObject({ span_count: 1, score_averages: { q: { avg: 0.5, count: 1 } } });
    expect((await c.get('/api/traces/t')).json.spans[0]).toMatchObject({ duration_ms: 30, status: 'ok' });
  });

  it('applies batches without seq silently', async () => {
    c = await startTestCollector();
    const ws = await socket('/api/ingest/ws');
    ws.send(traceBatch('quiet', 2));
    ws.send({ seq: 9, events: [] });
    expect(await ws.next()).toEqual({ ack: 9, accepted: 0 });
    expect(c.store.getSummary('quiet')?.span_count).toBe(2);
  });
});

describe('WebSocket heartbeat', () => {
  it('drops a peer that stops answering pings, and keeps one that answers', async () => {
    c = await startTestCollector({ collector: { heartbeatMs: 500 } });
    const { WebSocket } = await import('ws');
    const open = (autoPong: boolean) =>
      new Promise<InstanceType<typeof WebSocket>>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${c.port}/api/ingest/ws`, { autoPong });
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      });
    const silent = await open(false);
    const lively = await open(true);
    const closed = await new Promise<number>((resolve) => silent.once('close', (code) => resolve(code)));
    expect(closed).toBe(1006); // terminated, not closed politely
    expect(lively.readyState).toBe(WebSocket.OPEN);
    lively.close();
  });
});
