// The AI proxy against hostile clients and odd providers: the cases the proxy fuzzer
// (test/fuzz/proxyFuzz.test.ts) found, each pinned down on its own. A real collector and
// store, a provider on loopback that answers what each test tells it to, raw HTTP clients.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestCollector, startTestCollector, tempDir } from '../support/collector';
import { deepObjectJson } from '../support/deepJson';

const KEY = 'sk-hostile-0123456789abcdefXYZ';

let provider: Server;
let answer: (req: IncomingMessage, res: ServerResponse, body: string) => void;
let calls: string[];
let tc: TestCollector;
let cacheDir: string;

beforeEach(async () => {
  calls = [];
  answer = (_req, res) => json(res, 200, { choices: [{ message: { role: 'assistant', content: 'hi' } }] });
  provider = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      calls.push(body);
      answer(req, res, body);
    });
  });
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
  const dir = tempDir();
  cacheDir = join(dir, 'proxy-cache');
  const port = (provider.address() as { port: number }).port;
  tc = await startTestCollector({
    dir,
    collector: { proxy: { upstream: `http://127.0.0.1:${port}/v1`, cacheDir, timeoutMs: 2000 } },
  });
});

afterEach(async () => {
  await tc.close();
  await new Promise((resolve) => {
    provider.close(resolve);
    provider.closeAllConnections();
  });
});

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
  /** The connection broke before the reply ended. */
  cut: boolean;
}

/** A POST through the proxy that also resolves when the reply is cut short (test/support/http.ts's waits for its end). */
function post(path: string, body: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: tc.port,
        path: `/v1/proxy${path}`,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, ...headers },
      },
      (res) => {
        let text = '';
        const done = (cut: boolean) => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parsed, cut });
        };
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => done(false));
        res.on('error', () => done(true));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The one llm span of the project, once ended. */
async function endedSpan(project: string): Promise<{ span: any; text: string }> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const traces = (await tc.get(`/api/traces?project=${project}`)).json.traces as { id: string }[];
    if (traces.length === 1) {
      const reply = await tc.get(`/api/traces/${traces[0].id}`);
      const span = reply.json.spans[0];
      if (span && span.status !== 'running') return { span, text: reply.text };
    }
    if (Date.now() > deadline) throw new Error(`no ended span in ${project}: ${JSON.stringify(traces)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('the AI proxy, against hostile input', () => {
  it('records a call whose body nests 20,000 deep (and carries a key) instead of answering 500', async () => {
    const body = `{"model":"m","messages":${deepObjectJson(20_000)}}`;
    const reply = await post('/chat/completions', body, { 'x-spanscope-project': 'deep-request' });
    expect(reply.status).toBe(200);
    const { span, text } = await endedSpan('deep-request');
    expect(span.status).toBe('ok');
    expect(text).not.toContain(KEY);
    expect(tc.logs.join('\n')).not.toMatch(/failed/);
  });

  it('ends the span of a reply nested 20,000 deep while the request carries a key', async () => {
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(deepObjectJson(20_000, JSON.stringify({ echoed: KEY })));
    };
    const reply = await post('/files/f-1', '{"model":"m"}', { 'x-spanscope-project': 'deep-reply' });
    expect(reply.status).toBe(200);
    expect(reply.cut, 'the reply was cut short').toBe(false);
    const { span, text } = await endedSpan('deep-reply');
    expect(span.status).toBe('ok');
    expect(text).not.toContain(KEY);
  });

  it('ends the span of a chat reply whose message content nests 5,000 deep', async () => {
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"choices":[{"message":{"role":"assistant","content":${deepObjectJson(5000)}}}]}`);
    };
    expect((await post('/chat/completions', '{"model":"m"}', { 'x-spanscope-project': 'deep-content' })).status).toBe(
      200,
    );
    const { span } = await endedSpan('deep-content');
    expect(span.status).toBe('ok');
    expect(JSON.stringify(span.output)).toContain('nested deeper than');
  });

  it('keeps a key in the query out of the log when a call fails midway', async () => {
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"choices":[{"delta":{"content":"hi"}}]}\n\n');
      setTimeout(() => res.destroy(), 20);
    };
    expect(
      (await post(`/chat/completions?key=${KEY}`, '{"model":"m","stream":true}', { 'x-spanscope-project': 'cut' })).cut,
    ).toBe(true);
    await endedSpan('cut');
    expect(tc.logs.length, 'the cut stream is logged').toBeGreaterThan(0);
    expect(tc.logs.join('\n')).not.toContain(KEY);
  });

  it("never caches a reply that quotes the caller's key, so no other caller is served it", async () => {
    answer = (req, res) =>
      json(res, 200, {
        choices: [{ message: { role: 'assistant', content: `you sent ${req.headers.authorization}` } }],
      });
    const body = '{"model":"m","seed":1,"messages":[]}';
    expect((await post('/chat/completions', body)).headers['x-spanscope-cached']).toBe('MISS');
    await tc.collector.close(); // waits for cache writes under way
    for (const file of filesUnder(cacheDir)) expect(readFileSync(file, 'utf8'), file).not.toContain(KEY);
  });

  it("never caches a stream whose pieces spell out the caller's key, so the next caller (another key) is not served it", async () => {
    answer = (req, res) => {
      const text = `you sent ${String(req.headers.authorization).replace(/^Bearer /, '')}`;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // Five characters an event: the key is never whole in the bytes, only in what a client joins.
      for (const piece of text.match(/.{1,5}/g)!)
        res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: piece } }] })}\n\n`);
      res.end('data: [DONE]\n\n');
    };
    const body = '{"model":"m","seed":1,"stream":true,"messages":[]}';
    expect(
      (await post('/chat/completions', body, { 'x-spanscope-project': 'first' })).headers['x-spanscope-cached'],
    ).toBe('MISS');
    await endedSpan('first');
    const other = await post('/chat/completions', body, {
      authorization: 'Bearer sk-someone-else-0000000000',
      'x-spanscope-project': 'second',
    });
    expect(other.headers['x-spanscope-cached']).toBe('MISS');
    expect((await endedSpan('second')).text).not.toContain(KEY);
  });

  it('does not serve a gzip reply from the cache without its Content-Encoding', async () => {
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'zipped' } }] })));
    };
    const body = '{"model":"m","seed":1,"messages":[]}';
    const first = await post('/chat/completions', body);
    expect(first.headers['content-encoding']).toBe('gzip');
    const second = await post('/chat/completions', body);
    if (second.headers['x-spanscope-cached'] === 'HIT') expect(second.headers['content-encoding']).toBe('gzip');
    else expect(calls).toHaveLength(2);
  });

  it('does not answer a call with 1e400 in its body from the cache entry of one with null', async () => {
    const headers = { 'x-spanscope-cache': 'always' };
    answer = (_req, res, body) => json(res, 200, { choices: [{ message: { role: 'assistant', content: body } }] });
    await post('/chat/completions', '{"model":"m","max_tokens":null}', headers);
    const other = await post('/chat/completions', '{"model":"m","max_tokens":1e400}', headers);
    expect(other.headers['x-spanscope-cached']).toBe('MISS');
    expect(other.json.choices[0].message.content).toBe('{"model":"m","max_tokens":1e400}');
  });
});
