// The AI proxy with the real `openai` npm client, against a fake OpenAI server on loopback
// (test/support/fakeOpenAI.ts; api.openai.com can not be reached from here): the client's
// base URL is the collector's /v1/proxy, and every call must reach the fake unchanged, come
// back unchanged, and show as an `llm` span.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { initLogger } from 'braintrust';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Span, TraceDetail } from '../../src/core/model/model';
import { type TestCollector, startTestCollector, tempDir } from '../support/collector';
import { http } from '../support/http';
import { type FakeOpenAI, MODEL, REPLY, startFakeOpenAI } from '../support/fakeOpenAI';

const API_KEY = 'sk-proxy-test-5f2c0c1e9d8a4b7f';
const MESSAGES = [{ role: 'user' as const, content: 'What is a proxy?' }];

let fake: FakeOpenAI;
let tc: TestCollector;
let client: OpenAI;

async function start(options: { cacheMaxBytes?: number; timeoutMs?: number } = {}): Promise<void> {
  fake = await startFakeOpenAI();
  const dir = tempDir();
  tc = await startTestCollector({
    dir,
    collector: { proxy: { upstream: fake.baseURL, cacheDir: join(dir, 'proxy-cache'), ...options } },
  });
  client = new OpenAI({ apiKey: API_KEY, baseURL: `http://127.0.0.1:${tc.port}/v1/proxy`, maxRetries: 0 });
}

beforeEach(() => start());
afterEach(async () => {
  await tc.close();
  await fake.close();
});

/** Every ended llm span in the store, oldest first, once `count` have ended. */
async function llmSpans(count: number): Promise<(Span & { trace: TraceDetail['trace'] })[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const list = (await tc.get('/api/traces?limit=1000')).json.traces as { id: string }[];
    const spans: (Span & { trace: TraceDetail['trace'] })[] = [];
    for (const { id } of list) {
      const detail = (await tc.get(`/api/traces/${id}`)).json as TraceDetail;
      for (const span of detail.spans)
        if (span.type === 'llm' && span.end_time) spans.push({ ...span, trace: detail.trace });
    }
    if (spans.length >= count || Date.now() > deadline)
      return spans.sort((a, b) => a.start_time.localeCompare(b.start_time));
    await new Promise((r) => setTimeout(r, 20));
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('the AI proxy', () => {
  it('answers two identical seeded calls with one upstream request; the second is a HIT with the same body, at no cost', async () => {
    const call = () =>
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, seed: 1 }).withResponse();
    const first = await call();
    const second = await call();
    expect(fake.requests.filter((r) => r.path === '/v1/chat/completions')).toHaveLength(1);
    expect(first.response.headers.get('x-spanscope-cached')).toBe('MISS');
    expect(second.response.headers.get('x-spanscope-cached')).toBe('HIT');
    expect(second.data).toEqual(first.data);
    expect(first.data.choices[0].message.content).toBe(REPLY.join(''));

    const raw = () =>
      client.chat.completions
        .create({ model: 'gpt-4o-mini', messages: MESSAGES, seed: 1 })
        .asResponse()
        .then((r) => r.text());
    expect(await raw()).toBe(await raw());
    expect(fake.requests).toHaveLength(1);

    const [miss, hit] = await llmSpans(2);
    expect(miss.name).toBe('chat.completions gpt-4o-mini');
    expect(miss.input).toEqual({ messages: MESSAGES });
    expect(miss.output).toEqual({ role: 'assistant', content: REPLY.join('') });
    expect(miss.model).toBe(MODEL);
    expect(miss.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
    expect(miss.metadata).toMatchObject({ seed: 1, cached: false, status_code: 200 });
    expect(miss.status).toBe('ok');
    expect(hit.metadata).toMatchObject({ cached: true });
    expect(hit.total_estimated_cost).toBe(0);
    expect(hit.output).toEqual(miss.output);
    expect(hit.trace.name).toBe('chat.completions gpt-4o-mini');
  });

  it('does not cache a call without a seed or temperature 0 unless asked, and never with no-store', async () => {
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
    expect(fake.requests).toHaveLength(2);
    const always = { headers: { 'x-spanscope-cache': 'always' } };
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }, always);
    const hit = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: MESSAGES }, always)
      .withResponse();
    expect(hit.response.headers.get('x-spanscope-cached')).toBe('HIT');
    expect(fake.requests).toHaveLength(3);
    await client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: MESSAGES, temperature: 0 },
      { headers: { 'cache-control': 'no-store' } },
    );
    await client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: MESSAGES, temperature: 0 },
      { headers: { 'x-bt-use-cache': 'never' } },
    );
    expect(fake.requests).toHaveLength(5);
    const bad = await http(tc.port, '/v1/proxy/chat/completions', {
      body: { model: 'x', messages: MESSAGES },
      headers: { 'x-spanscope-cache': 'sometimes' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/x-spanscope-cache must be one of auto, always, never, replay/);
  });

  it('passes a stream through byte for byte, chunk by chunk, and records its text, usage and time to first token', async () => {
    const body = { model: 'gpt-4o-mini', messages: MESSAGES, stream: true, stream_options: { include_usage: true } };
    const direct = await fetch(`${fake.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((r) => r.text());
    const proxied = await client.chat.completions.create({ ...body, stream: true }).asResponse();
    expect(proxied.headers.get('content-type')).toMatch(/text\/event-stream/);
    expect(await proxied.text()).toBe(direct);

    // Chunk by chunk: the client has its first chunk while the upstream is still sending.
    const stream = await client.chat.completions.create({ ...body, stream: true });
    let openAtFirstChunk: number | undefined;
    let text = '';
    for await (const chunk of stream) {
      openAtFirstChunk ??= fake.streaming.open;
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(openAtFirstChunk).toBe(1);
    expect(text).toBe(REPLY.join(''));

    const spans = await llmSpans(2);
    const span = spans[1];
    expect(span.output).toEqual({ role: 'assistant', content: REPLY.join('') });
    expect(span.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
    expect(span.time_to_first_token_ms).toBeGreaterThan(0);
    expect(span.time_to_first_token_ms!).toBeLessThan(span.duration_ms!);
    expect(span.metadata).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('replays a cached stream chunk by chunk, with the same bytes', async () => {
    const body = { model: 'gpt-4o-mini', messages: MESSAGES, stream: true as const, seed: 7 };
    const first = await client.chat.completions.create(body).asResponse();
    const firstText = await first.text();
    const second = await client.chat.completions.create(body).asResponse();
    expect(second.headers.get('x-spanscope-cached')).toBe('HIT');
    expect(await second.text()).toBe(firstText);
    expect(fake.requests).toHaveLength(1);
    const [, hit] = await llmSpans(2);
    expect(hit.output).toEqual({ role: 'assistant', content: REPLY.join('') });
    expect(hit.time_to_first_token_ms).toBeGreaterThanOrEqual(0);
    expect(hit.metadata).toMatchObject({ cached: true });
  });

  it('in replay mode answers from the cache with the upstream down, and a miss is a 404 that says why', async () => {
    const replay = { headers: { 'x-spanscope-cache': 'replay' } };
    const recorded = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, seed: 3 });
    await fake.close();
    const replayed = await client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: MESSAGES, seed: 3 },
      replay,
    );
    expect(replayed).toEqual(recorded);
    const miss = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: MESSAGES, seed: 4 }, replay)
      .catch((e) => e);
    expect(miss).toBeInstanceOf(OpenAI.NotFoundError);
    expect(miss.message).toMatch(/no cached reply for this request/);
    // Not in replay mode, the upstream being down is a 502 with a message, and an error span.
    const down = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }).catch((e) => e);
    expect(down).toBeInstanceOf(OpenAI.APIError);
    expect(down.status).toBe(502);
    expect(down.message).toMatch(/could not reach the upstream/);
    const spans = await llmSpans(4);
    expect(spans.map((s) => s.status)).toEqual(['ok', 'ok', 'error', 'error']);
    expect(spans[2].error_info?.exception_type).toMatch(/404/);
  });

  it('answers from the cache alone under the replay base URL /v1/proxy-replay, with no header', async () => {
    const recorded = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, seed: 5 });
    await fake.close();
    const offline = new OpenAI({
      apiKey: API_KEY,
      baseURL: `http://127.0.0.1:${tc.port}/v1/proxy-replay`,
      maxRetries: 0,
    });
    expect(await offline.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, seed: 5 })).toEqual(
      recorded,
    );
    const miss = await offline.chat.completions
      .create({ model: 'gpt-4o-mini', messages: MESSAGES, temperature: 0.7 })
      .catch((e) => e);
    expect(miss).toBeInstanceOf(OpenAI.NotFoundError);
    expect(miss.message).toMatch(/no cached reply for this request/);
    const spans = await llmSpans(3);
    expect(spans.map((s) => [s.status, s.metadata?.cache_mode])).toEqual([
      ['ok', 'auto'],
      ['ok', 'replay'],
      ['error', 'replay'],
    ]);
  });

  it('passes an upstream 429 through unchanged and records it as an error span', async () => {
    const err = await client.chat.completions
      .create({ model: 'rate-limited', messages: MESSAGES, seed: 1 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.status).toBe(429);
    expect(err.message).toMatch(/Rate limit reached for requests/);
    expect(err.headers.get('retry-after')).toBe('7');
    const [span] = await llmSpans(1);
    expect(span.status).toBe('error');
    expect(span.error_info).toMatchObject({
      exception_type: 'HTTP 429 requests',
      message: 'Rate limit reached for requests',
    });
    // Never cached: the same call goes upstream again.
    await client.chat.completions.create({ model: 'rate-limited', messages: MESSAGES, seed: 1 }).catch(() => undefined);
    expect(fake.requests).toHaveLength(2);
  });

  it('cancels the upstream request when the client aborts, and marks the span', async () => {
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'endless-stream', messages: MESSAGES, stream: true },
      { signal: controller.signal },
    );
    let chunks = 0;
    try {
      for await (const _ of stream) if (++chunks === 2) controller.abort();
    } catch (err) {
      expect((err as Error).name).toMatch(/Abort/);
    }
    expect(chunks).toBe(2);
    const deadline = Date.now() + 3000;
    while (fake.streaming.cutShort === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(fake.streaming.cutShort).toBe(1);
    const [span] = await llmSpans(1);
    expect(span.status).toBe('error');
    expect(span.error_info?.exception_type).toBe('ClientAborted');
    expect(span.metadata).toMatchObject({ aborted: true });
    expect(String((span.output as { content: string }).content)).toMatch(/^(la )+$/);
  });

  it('never writes the API key to a file or a log, and sends it only upstream', async () => {
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, seed: 1 });
    await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: MESSAGES, seed: 1, stream: true })
      .then(async (s) => {
        for await (const _ of s);
      });
    await client.chat.completions.create({ model: 'rate-limited', messages: MESSAGES }).catch(() => undefined);
    await http(tc.port, `/v1/proxy/models?key=${API_KEY}`); // a key in the query, as Google's APIs take it
    const refused = await client.chat.completions.create({ model: 'echo-key', messages: MESSAGES }).catch((e) => e);
    expect(refused.message).toContain(API_KEY); // the client gets the upstream's reply unchanged…
    expect(fake.headers[0].authorization).toBe(`Bearer ${API_KEY}`);
    const spans = await llmSpans(5);
    expect(spans[4].error_info?.message).toBe('Incorrect API key provided: [redacted]'); // …the span does not keep the key
    expect(spans[3].metadata?.proxy_path).toBe('/models?key=[redacted]');
    await tc.stop();
    const files = filesUnder(tc.dir);
    expect(files.some((f) => f.includes('proxy-cache'))).toBe(true);
    for (const file of files) expect(readFileSync(file, 'latin1'), file).not.toContain(API_KEY);
    expect(tc.logs.join('\n')).not.toContain(API_KEY);
    expect(tc.warnings.join('\n')).not.toContain(API_KEY);
  });

  it('refuses a web page of another origin, as every route does', async () => {
    const reply = await http(tc.port, '/v1/proxy/chat/completions', {
      body: { model: 'gpt-4o-mini', messages: MESSAGES },
      headers: { origin: 'http://evil.example', authorization: `Bearer ${API_KEY}` },
    });
    expect(reply.status).toBe(403);
    expect(fake.requests).toHaveLength(0);
  });

  it('forwards other endpoints: models, embeddings, responses', async () => {
    const models = await client.models.list();
    expect(models.data[0].id).toBe(MODEL);
    const embedding = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
    expect(embedding.data[0].embedding).toEqual([0.5, 0.25, 0.125]);
    const response = await client.responses.create({ model: 'gpt-4o-mini', input: 'Say hi', instructions: 'Be brief' });
    expect(response.output_text).toBe(REPLY.join(''));
    const spans = await llmSpans(3);
    const byName = Object.fromEntries(spans.map((s) => [s.name, s]));
    expect(byName['embeddings text-embedding-3-small'].output).toEqual({ embeddings: 1, dimensions: 3 });
    expect(byName['responses gpt-4o-mini'].input).toEqual({
      messages: [
        { role: 'system', content: 'Be brief' },
        { role: 'user', content: 'Say hi' },
      ],
    });
    expect(byName['responses gpt-4o-mini'].usage).toMatchObject({
      prompt_tokens: 20,
      completion_tokens: 8,
      'prompt_tokens_details.cached_tokens': 10,
    });
    expect(byName.models).toBeDefined();
    // Anything else under /v1/proxy goes upstream as it is, query included, and comes back as it is.
    const other = await http(tc.port, '/v1/proxy/vector_stores/vs_1/files?limit=2', {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    expect(other.status).toBe(404);
    expect(other.json.error.message).toBe('no route /v1/vector_stores/vs_1/files?limit=2');
    expect(other.headers['x-request-id']).toBe('req_test_123');
    const [otherSpan] = (await llmSpans(4)).filter((s) => s.name === 'GET /vector_stores/vs_1/files');
    expect(otherSpan.status).toBe('error');
  });
});

describe("the proxy span's parent", () => {
  const traceId = 'trace-parent-1';
  const parentId = 'span-parent-1';
  const parentEvents = [
    {
      event: 'trace_start',
      trace: { id: traceId, name: 'app', project_name: 'Proxy Project', start_time: Date.now() },
    },
    {
      event: 'span_start',
      span: { id: parentId, trace_id: traceId, name: 'answer', type: 'general', start_time: Date.now() },
    },
  ];

  it('goes under the span x-spanscope-parent names', async () => {
    expect((await tc.ingest({ events: parentEvents })).status).toBe(200);
    await client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: MESSAGES },
      { headers: { 'x-spanscope-parent': parentId } },
    );
    const [span] = await llmSpans(1);
    expect(span.trace_id).toBe(traceId);
    expect(span.parent_span_id).toBe(parentId);
    expect(span.project_name).toBe('Proxy Project');
    expect((await tc.get('/api/traces')).json.traces).toHaveLength(1);
  });

  it('waits for a parent span that arrives after the call', async () => {
    const call = client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: MESSAGES },
      { headers: { 'x-spanscope-parent': parentId } },
    );
    await call;
    await new Promise((r) => setTimeout(r, 100));
    expect((await tc.ingest({ events: parentEvents })).status).toBe(200);
    const [span] = await llmSpans(1);
    expect(span.trace_id).toBe(traceId);
    expect(span.parent_span_id).toBe(parentId);
  });

  it("takes an exported span (ss1.) and Braintrust's project_name form", async () => {
    const exported = `ss1.${Buffer.from(JSON.stringify({ t: 'trace-x', s: 'span-x', p: 'Exported' })).toString('base64url')}`;
    await client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: MESSAGES },
      { headers: { 'x-spanscope-parent': exported } },
    );
    await client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: MESSAGES },
      { headers: { 'x-bt-parent': 'project_name:My Project' } },
    );
    const [under, own] = await llmSpans(2);
    expect(under).toMatchObject({ trace_id: 'trace-x', parent_span_id: 'span-x' });
    expect(own.parent_span_id).toBeUndefined();
    expect(own.trace.project_name).toBe('My Project');
    const bad = await http(tc.port, '/v1/proxy/chat/completions', {
      body: { model: 'x', messages: MESSAGES },
      headers: { 'x-bt-parent': 'nonsense' },
    });
    expect(bad.status).toBe(400);
    expect(fake.requests).toHaveLength(2);
  });
});

describe('a Braintrust span as the parent', () => {
  it('puts a call made with x-bt-parent: span.export() under that span, as the real braintrust package exported it', async () => {
    const logger = initLogger({ projectName: 'bt-proxy', appUrl: `http://127.0.0.1:${tc.port}`, apiKey: 'sk-any' });
    const parent = logger.startSpan({ name: 'route_handler' });
    const exported = await parent.export();
    await client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: MESSAGES },
      { headers: { 'x-bt-parent': exported } },
    );
    parent.end();
    await logger.flush();
    const [span] = await llmSpans(1);
    expect(span).toMatchObject({ trace_id: parent.rootSpanId, parent_span_id: parent.spanId });
    expect(span.trace.project_name).toBe('bt-proxy');
  });
});

describe('an upstream that does not answer', () => {
  it('is a 504 after the timeout, with a message, and an error span', async () => {
    await tc.close();
    const silent = createNetServer((socket) => socket.on('error', () => undefined)); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const dir = tempDir();
      tc = await startTestCollector({
        dir,
        collector: {
          proxy: {
            upstream: `http://127.0.0.1:${(silent.address() as { port: number }).port}/v1`,
            cacheDir: join(dir, 'proxy-cache'),
            timeoutMs: 200,
          },
        },
      });
      client = new OpenAI({ apiKey: API_KEY, baseURL: `http://127.0.0.1:${tc.port}/v1/proxy`, maxRetries: 0 });
      const err = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }).catch((e) => e);
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect(err.status).toBe(504);
      expect(err.message).toMatch(/the upstream 127\.0\.0\.1:\d+ sent nothing for 200 ms/);
      const [span] = await llmSpans(1);
      expect(span.error_info?.exception_type).toBe('HTTP 504 upstream_timeout');
    } finally {
      silent.close();
    }
  });
});

describe('a client that leaves before the upstream answers', () => {
  it('cancels the upstream request and ends the span as aborted', async () => {
    await tc.close();
    let upstreamClosed = false;
    const silent = createNetServer((socket) => {
      socket.on('error', () => undefined);
      socket.on('close', () => (upstreamClosed = true));
      socket.resume(); // reads (and drops) the request, so it sees the connection end
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const dir = tempDir();
      tc = await startTestCollector({
        dir,
        collector: { proxy: { upstream: `http://127.0.0.1:${(silent.address() as { port: number }).port}/v1` } },
      });
      client = new OpenAI({ apiKey: API_KEY, baseURL: `http://127.0.0.1:${tc.port}/v1/proxy`, maxRetries: 0 });
      const controller = new AbortController();
      const call = client.chat.completions
        .create({ model: 'gpt-4o-mini', messages: MESSAGES }, { signal: controller.signal })
        .catch((e) => e);
      setTimeout(() => controller.abort(), 100);
      const err = await call;
      expect(err).toBeInstanceOf(OpenAI.APIUserAbortError);
      const [span] = await llmSpans(1);
      expect(span.error_info?.exception_type).toBe('ClientAborted');
      const deadline = Date.now() + 3000;
      while (!upstreamClosed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(upstreamClosed).toBe(true);
    } finally {
      silent.close();
    }
  });
});

describe('a stream that stalls mid-way', () => {
  it('is cut after the timeout, and its span keeps what came and says why', async () => {
    await tc.close();
    const stalling = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(
        `data: ${JSON.stringify({ id: 'c', model: MODEL, choices: [{ index: 0, delta: { content: 'half' } }] })}\n\n`,
      ); // and then nothing
    });
    await new Promise<void>((r) => stalling.listen(0, '127.0.0.1', r));
    try {
      const dir = tempDir();
      tc = await startTestCollector({
        dir,
        collector: {
          proxy: { upstream: `http://127.0.0.1:${(stalling.address() as { port: number }).port}/v1`, timeoutMs: 300 },
        },
      });
      client = new OpenAI({ apiKey: API_KEY, baseURL: `http://127.0.0.1:${tc.port}/v1/proxy`, maxRetries: 0 });
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true });
      let text = '';
      const ended = await (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      })().then(
        () => 'ended',
        (e: Error) => e.message,
      );
      expect(text).toBe('half');
      expect(ended).not.toBe('ended'); // the connection was cut, not closed as if complete
      const [span] = await llmSpans(1);
      expect(span.error_info).toMatchObject({ exception_type: 'UpstreamTimeout' });
      expect(span.output).toEqual({ role: 'assistant', content: 'half' });
      expect(span.time_to_first_token_ms).toBeGreaterThanOrEqual(0);
    } finally {
      stalling.closeAllConnections();
      stalling.close();
    }
  });
});
