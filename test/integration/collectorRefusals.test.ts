import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traceBatch } from '../support/builders';
import { type TestCollector, startTestCollector } from '../support/collector';
import { TestSocket } from '../support/http';

const MAX_BODY = 64 * 1024;
let c: TestCollector;
let stored: unknown;

beforeAll(async () => {
  c = await startTestCollector({ collector: { maxBodyBytes: MAX_BODY } });
  await c.ingest(traceBatch('kept', 3));
  stored = (await c.get('/api/traces/kept')).json;
});
afterAll(() => c.close());

/** After every refusal, what was stored before is still there, unchanged. */
async function expectStoredIntact() {
  expect(c.store.listTraces().map((t) => t.id)).toEqual(['kept']);
  expect((await c.get('/api/traces/kept')).json).toEqual(stored);
}

const goodBatch = JSON.stringify(traceBatch('new', 1));

describe('the collector refuses, with a status and a message, and loses nothing', () => {
  it.each([
    [
      'a foreign Host (DNS rebinding)',
      { host: 'evil.example' },
      403,
      /Host "evil.example" is not this machine's loopback/,
    ],
    ['a foreign Host with our port', { host: 'evil.example:7726' }, 403, /not this machine's loopback/],
    [
      'a foreign Origin (cross-site request)',
      { origin: 'https://evil.example' },
      403,
      /other origins \(https:\/\/evil.example\)/,
    ],
    ['the null Origin of a sandboxed page', { origin: 'null' }, 403, /other origins/],
  ])('%s → %i', async (_what, headers, status, message) => {
    const reply = await c.raw('/api/ingest', {
      method: 'POST',
      body: goodBatch,
      headers: { 'content-type': 'application/json', ...headers },
    });
    expect(reply.status).toBe(status);
    expect(reply.json.error).toMatch(message);
    await expectStoredIntact();
  });

  it('accepts every loopback Host, with or without the port, and its own Origin', async () => {
    for (const host of [
      '127.0.0.1',
      `127.0.0.1:${c.port}`,
      `localhost:${c.port}`,
      'LOCALHOST',
      `[::1]:${c.port}`,
      '[::1]',
    ]) {
      expect((await c.raw('/api/health', { headers: { host } })).status, host).toBe(200);
    }
    for (const origin of [`http://127.0.0.1:${c.port}`, `http://localhost:${c.port}`, `http://[::1]:${c.port}`]) {
      expect((await c.raw('/api/health', { headers: { origin } })).status, origin).toBe(200);
    }
  });

  it('a missing or wrong token → 401; the right one in a header, the query or the cookie it sets → 200', async () => {
    expect(await c.raw('/api/traces')).toMatchObject({
      status: 401,
      json: { error: expect.stringMatching(/token is required/) },
    });
    expect(await c.raw('/api/traces', { headers: { authorization: 'Bearer wrong' } })).toMatchObject({
      status: 401,
      json: { error: 'the token is wrong' },
    });
    expect((await c.raw('/api/traces?token=wrong')).status).toBe(401);
    expect((await c.raw(`/api/projects`, { headers: { cookie: `spanscope_token_${c.port}=wrong` } })).status).toBe(401);
    expect((await c.raw('/api/traces/kept', { method: 'DELETE' })).status).toBe(401);
    expect((await c.raw('/api/scores', { body: { target: 'trace', id: 'kept', name: 'x', value: 1 } })).status).toBe(
      401,
    );

    const viaQuery = await c.raw(`/api/traces?token=${c.token}`);
    expect(viaQuery.status).toBe(200);
    const cookie = String(viaQuery.headers['set-cookie']);
    expect(cookie).toMatch(new RegExp(`^spanscope_token_${c.port}=${c.token}; HttpOnly; SameSite=Strict; Path=/`));
    expect((await c.raw('/api/traces', { headers: { cookie: cookie.split(';')[0] } })).status).toBe(200);
    await expectStoredIntact();
  });

  it('a body over the cap → 413, declared or streamed', async () => {
    const big = JSON.stringify({
      events: [{ event: 'trace_start', trace: { id: 'big', start_time: 0, input: 'x'.repeat(MAX_BODY) } }],
    });
    const declared = await c.raw('/api/ingest', {
      method: 'POST',
      body: big,
      headers: { 'content-type': 'application/json' },
    });
    expect(declared).toMatchObject({
      status: 413,
      json: { error: 'the body is over the 65536 bytes limit (decompressed)' },
    });
    const streamed = await c.raw('/api/ingest', {
      method: 'POST',
      body: big,
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    });
    expect(streamed.status).toBe(413);
    await expectStoredIntact();
  });

  it('a small gzip body that inflates over the cap → 413', async () => {
    const bomb = gzipSync(
      JSON.stringify({
        events: [{ event: 'trace_start', trace: { id: 'bomb', start_time: 0, input: 'x'.repeat(4 * MAX_BODY) } }],
      }),
    );
    expect(bomb.length).toBeLessThan(MAX_BODY / 10);
    const reply = await c.raw('/api/ingest', {
      method: 'POST',
      body: bomb,
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    expect(reply).toMatchObject({ status: 413, json: { error: expect.stringMatching(/over the 65536 bytes limit/) } });
    await expectStoredIntact();
  });

  it.each([
    ['malformed JSON', '{"events": [', { 'content-type': 'application/json' }, 400, /^malformed JSON: /],
    [
      'a body that is not gzip',
      'plain',
      { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      400,
      /not valid gzip data/,
    ],
    [
      'an unknown encoding',
      goodBatch,
      { 'content-type': 'application/json', 'content-encoding': 'br' },
      415,
      /unsupported Content-Encoding "br"/,
    ],
    [
      'a form post (wrong content type)',
      goodBatch,
      { 'content-type': 'application/x-www-form-urlencoded' },
      415,
      /Content-Type must be application\/json/,
    ],
    [
      'text/plain (a no-preflight CORS type)',
      goodBatch,
      { 'content-type': 'text/plain' },
      415,
      /Content-Type must be application\/json/,
    ],
    ['no content type', goodBatch, {}, 415, /Content-Type must be application\/json/],
  ])('%s → %i', async (_what, body, headers, status, message) => {
    const reply = await c.raw('/api/ingest', { method: 'POST', body, headers });
    expect(reply.status).toBe(status);
    expect(reply.json.error).toMatch(message);
    await expectStoredIntact();
  });

  it('an invalid event → 400 listing every problem, and none of the batch is applied', async () => {
    const body = {
      events: [
        ...traceBatch('new', 2).events,
        { event: 'span_end', span: { id: 'x', trace_id: 'new', end_time: 'later' } },
      ],
    };
    const reply = await c.raw('/api/ingest', { body });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual({
      error: 'invalid batch: 1 of 5 events rejected',
      details: [{ index: 4, path: 'span.end_time', message: 'must be an ISO 8601 date-time or epoch milliseconds' }],
    });
    await expectStoredIntact();
  });

  it('an unknown route → 404, a wrong method → 405 with Allow', async () => {
    expect(await c.raw('/api/nothing')).toMatchObject({
      status: 404,
      json: { error: 'no such route: GET /api/nothing' },
    });
    const reply = await c.raw('/api/ingest');
    expect(reply).toMatchObject({ status: 405, json: { error: 'GET is not allowed on /api/ingest' } });
    expect(reply.headers.allow).toBe('POST');
    expect((await c.get('/api/traces/unknown')).json).toEqual({ error: 'trace unknown not found' });
    expect((await c.get('/api/traces?limit=0')).status).toBe(400);
    await expectStoredIntact();
  });

  it('refuses WebSocket upgrades from a foreign Host or Origin, to /api/live without the token, and to unknown paths', async () => {
    const url = `ws://127.0.0.1:${c.port}`;
    await expect(TestSocket.open(`${url}/api/ingest/ws`, { host: 'evil.example' })).rejects.toMatchObject({
      status: 403,
    });
    await expect(TestSocket.open(`${url}/api/ingest/ws`, { origin: 'https://evil.example' })).rejects.toMatchObject({
      status: 403,
    });
    await expect(TestSocket.open(`${url}/api/live`)).rejects.toMatchObject({ status: 401 });
    await expect(TestSocket.open(`${url}/api/live?token=wrong`)).rejects.toMatchObject({ status: 401 });
    await expect(TestSocket.open(`${url}/api/elsewhere`)).rejects.toMatchObject({ status: 404 });
    await expectStoredIntact();
  });

  it('survives a client that hangs up mid-body', async () => {
    await new Promise<void>((resolve) => {
      const req = request({
        host: '127.0.0.1',
        port: c.port,
        path: '/api/ingest',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': '100000' },
      });
      req.on('error', () => resolve());
      req.write('{"events": [');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 50);
    });
    expect((await c.raw('/api/health')).status).toBe(200);
    await expectStoredIntact();
  });
});
