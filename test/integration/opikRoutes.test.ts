// The Opik routes with hand-made requests: what the Python SDK sends (gzip bodies of 256
// bytes and more, `application/json;charset=utf-8`, its workspace and API key headers),
// updates before creates, thread scores, and bad input that must lose nothing stored.

import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestCollector } from '../support/collector';
import { startTestCollector } from '../support/collector';
import { http } from '../support/http';

let c: TestCollector;
beforeAll(async () => {
  c = await startTestCollector();
});
afterAll(() => c.close());

const T0 = '2026-01-02T03:04:05.123456Z';
const PYTHON_HEADERS = {
  'content-type': 'application/json;charset=utf-8',
  'comet-workspace': 'default',
  authorization: 'some-api-key',
  'x-opik-debug-sdk-version': '1.8.0',
};

/** Sends JSON as the Python SDK does: gzip from 256 bytes on. */
function pythonSdk(method: string, path: string, body: unknown) {
  const json = Buffer.from(JSON.stringify(body));
  const gzip = json.length >= 256;
  return http(c.port, path, {
    method,
    body: gzip ? gzipSync(json) : json,
    headers: { ...PYTHON_HEADERS, ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
  });
}

const detail = async (id: string) => (await c.get(`/api/traces/${id}`)).json as { trace: any; spans: any[] };

describe('Opik REST routes', () => {
  it('takes gzipped batches as the Python SDK sends them, replying 204', async () => {
    const traces = await pythonSdk('POST', '/api/v1/private/traces/batch', {
      traces: [
        {
          id: 'py-trace-1',
          project_name: 'py-app',
          name: 'rag',
          start_time: T0,
          input: { query: 'x'.repeat(300) },
          metadata: { created_from: 'python' },
        },
      ],
    });
    expect(traces.status).toBe(204);
    expect(traces.text).toBe('');
    const spans = await pythonSdk('POST', '/api/v1/private/spans/batch', {
      spans: [
        {
          id: 'py-span-1',
          trace_id: 'py-trace-1',
          project_name: 'py-app',
          name: 'retrieve',
          type: 'tool',
          start_time: T0,
          end_time: '2026-01-02T03:04:05.200000Z',
        },
      ],
    });
    expect(spans.status).toBe(204);
    const update = await pythonSdk('PATCH', '/api/v1/private/traces/py-trace-1', {
      project_name: 'py-app',
      end_time: '2026-01-02T03:04:06Z',
      output: { answer: 'ok' },
    });
    expect(update.status).toBe(204);

    const { trace, spans: stored } = await detail('py-trace-1');
    expect(trace).toMatchObject({
      name: 'rag',
      project_name: 'py-app',
      output: { answer: 'ok' },
      end_time: '2026-01-02T03:04:06.000000Z',
      status: 'ok',
      metadata: { created_from: 'python' },
    });
    expect(stored).toEqual([expect.objectContaining({ id: 'py-span-1', type: 'tool', duration_ms: 76.544 })]);
  });

  it('takes deflate bodies too', async () => {
    const body = deflateSync(JSON.stringify({ traces: [{ id: 'deflated', name: 'd', start_time: T0 }] }));
    const reply = await http(c.port, '/api/v1/private/traces/batch', {
      body,
      headers: { 'content-type': 'application/json', 'content-encoding': 'deflate' },
    });
    expect(reply.status).toBe(204);
    expect((await detail('deflated')).trace.name).toBe('d');
  });

  it('merges an update that arrives before its create', async () => {
    expect(
      (
        await pythonSdk('PATCH', '/api/v1/private/spans/early-span', {
          trace_id: 'early',
          end_time: '2026-01-02T03:04:07Z',
          output: 'done',
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await pythonSdk('POST', '/api/v1/private/spans/batch', {
          spans: [{ id: 'early-span', trace_id: 'early', name: 'late create', start_time: T0 }],
        })
      ).status,
    ).toBe(204);
    const { spans } = await detail('early');
    expect(spans).toEqual([
      expect.objectContaining({
        id: 'early-span',
        name: 'late create',
        output: 'done',
        status: 'ok',
        end_time: '2026-01-02T03:04:07.000000Z',
      }),
    ]);
  });

  it('answers a single create with 201 and where the record lives', async () => {
    const reply = await pythonSdk('POST', '/api/v1/private/traces', {
      name: 'single',
      start_time: T0,
      project_name: 'py-app',
    });
    expect(reply.status).toBe(201);
    const id = String(reply.headers.location).split('/').pop()!;
    expect(reply.headers.location).toBe(`/api/v1/private/traces/${id}`);
    expect((await detail(id)).trace.name).toBe('single');
    const span = await pythonSdk('POST', '/api/v1/private/spans', {
      id: 'single-span',
      trace_id: id,
      name: 's',
      start_time: T0,
    });
    expect(span.status).toBe(201);
    expect((await detail(id)).spans.map((s) => s.id)).toEqual(['single-span']);
  });

  it('stores trace and span feedback scores, and deletes them', async () => {
    await pythonSdk('POST', '/api/v1/private/spans/batch', {
      spans: [{ id: 'scored-span', trace_id: 'scored', name: 's', start_time: T0 }],
    });
    expect(
      (
        await pythonSdk('PUT', '/api/v1/private/spans/feedback-scores', {
          scores: [
            { id: 'scored-span', name: 'accuracy', value: 0.5, reason: 'half', source: 'sdk', project_name: 'x' },
          ],
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await pythonSdk('PUT', '/api/v1/private/traces/feedback-scores', {
          scores: [{ id: 'scored', name: 'overall', value: 1, source: 'sdk' }],
        })
      ).status,
    ).toBe(204);
    let d = await detail('scored');
    expect(d.spans[0].feedback_scores).toEqual([
      expect.objectContaining({ name: 'accuracy', value: 0.5, reason: 'half', source: 'sdk' }),
    ]);
    expect(d.trace.feedback_scores).toEqual([expect.objectContaining({ name: 'overall', value: 1 })]);
    expect(
      (await pythonSdk('POST', '/api/v1/private/spans/scored-span/feedback-scores/delete', { name: 'accuracy' }))
        .status,
    ).toBe(204);
    d = await detail('scored');
    expect(d.spans[0].feedback_scores).toBeUndefined();
  });

  it('writes thread scores onto the traces of that thread', async () => {
    await pythonSdk('POST', '/api/v1/private/traces/batch', {
      traces: ['turn-1', 'turn-2'].map((id) => ({
        id,
        name: id,
        project_name: 'chat',
        thread_id: 'thread-A',
        start_time: T0,
      })),
    });
    const reply = await pythonSdk('PUT', '/api/v1/private/traces/threads/feedback-scores', {
      scores: [{ thread_id: 'thread-A', project_name: 'chat', name: 'resolved', value: 1, source: 'sdk' }],
    });
    expect(reply.status).toBe(204);
    for (const id of ['turn-1', 'turn-2'])
      expect((await detail(id)).trace.feedback_scores).toEqual([
        expect.objectContaining({ name: 'resolved', value: 1 }),
      ]);
    expect(
      (
        await pythonSdk('POST', '/api/v1/private/traces/threads/feedback-scores/delete', {
          project_name: 'chat',
          thread_id: 'thread-A',
          names: ['resolved'],
        })
      ).status,
    ).toBe(204);
    expect((await detail('turn-1')).trace.feedback_scores).toBeUndefined();
  });

  it('says when a thread has no trace', async () => {
    const reply = await pythonSdk('PUT', '/api/v1/private/traces/threads/feedback-scores', {
      scores: [{ thread_id: 'nobody', name: 'x', value: 1 }],
    });
    expect(reply.status).toBe(404);
    expect(reply.json.error).toBe('no trace found for thread nobody; nothing was recorded for it');
  });
});

describe('Opik REST routes refuse bad input and lose nothing', () => {
  it('rejects a batch with an invalid item whole, listing each problem', async () => {
    const reply = await pythonSdk('POST', '/api/v1/private/spans/batch', {
      spans: [
        { id: 'fine', trace_id: 'bad-batch', name: 'ok', start_time: T0 },
        { id: 'broken', trace_id: 'bad-batch', start_time: 'later', type: 'agent' },
      ],
    });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual({
      error:
        'invalid span batch: spans[1].start_time must be an ISO 8601 date-time or epoch milliseconds (and 1 more problem)',
      details: [
        { index: 1, path: 'spans[1].start_time', message: 'must be an ISO 8601 date-time or epoch milliseconds' },
        { index: 1, path: 'spans[1].type', message: 'must be one of general, llm, tool, guardrail' },
      ],
    });
    expect((await c.get('/api/traces/bad-batch')).status).toBe(404);
  });

  it('answers malformed JSON and broken gzip with 400 and keeps what was stored', async () => {
    await pythonSdk('POST', '/api/v1/private/traces/batch', { traces: [{ id: 'kept', name: 'kept', start_time: T0 }] });
    const bad = await http(c.port, '/api/v1/private/traces/batch', {
      body: '{"traces": [',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/^malformed JSON/);
    const badGzip = await http(c.port, '/api/v1/private/traces/batch', {
      body: Buffer.from('not gzip'),
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    expect(badGzip.status).toBe(400);
    const notJson = await http(c.port, '/api/v1/private/traces/batch', {
      body: 'traces=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(notJson.status).toBe(415);
    expect((await detail('kept')).trace.name).toBe('kept');
  });

  it('refuses requests from web pages', async () => {
    const reply = await http(c.port, '/api/v1/private/traces/batch', {
      body: { traces: [{ id: 'from-page', name: 'x', start_time: T0 }] },
      headers: { origin: 'https://evil.example' },
    });
    expect(reply.status).toBe(403);
    expect((await c.get('/api/traces/from-page')).status).toBe(404);
  });

  it('answers the version check the SDKs can make', async () => {
    expect((await c.raw('/api/is-alive/ver')).json).toEqual({ version: 'test' });
  });
});
