// The Braintrust routes over real HTTP: what login, project and version answer; the Python
// SDK's `/logs3` bodies (test/fixtures/braintrustPython.ts: no Content-Type, merge pieces and
// feedback before the rows they complete) replayed in every order with the same result;
// and what is refused, with nothing of a refused body applied.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceDetail } from '../../src/core/model/model';
import { DEPTH_MARKER, NAME_MAX } from '../../src/core/normalise/limits';
import { deepObjectJson, depthAlong, withRaw } from '../support/deepJson';
import { FAILED, FILE, FN, LLM, PROJECT, PROJECT_ID, REQUESTS, ROOT } from '../fixtures/braintrustPython';
import { type TestCollector, startTestCollector } from '../support/collector';

let c: TestCollector;
beforeAll(async () => {
  c = await startTestCollector();
});
afterAll(() => c.close());

/** A body as the Python SDK posts it: raw bytes, no Content-Type. */
const postRows = (body: string, headers: Record<string, string> = {}) =>
  c.raw('/logs3', {
    method: 'POST',
    body: Buffer.from(body),
    headers: { authorization: 'Bearer sk-python-key', ...headers },
  });

async function detail(traceId: string): Promise<TraceDetail> {
  const reply = await c.get(`/api/traces/${traceId}`);
  expect(reply.status, reply.text).toBe(200);
  return reply.json;
}

/** The fixture with its ids moved to a namespace of their own, so one collector takes every replay. */
const withIds = (text: string, tag: string) =>
  text.replaceAll('a0a0a0a0', `a0a0${tag}`).replaceAll('b0b0b0b0', `b0b0${tag}`);
const canonical = (d: TraceDetail, tag: string): unknown =>
  JSON.parse(
    withIds(JSON.stringify(d), tag).replaceAll(`a0a0${tag}`, 'a0a0a0a0').replaceAll(`b0b0${tag}`, 'b0b0b0b0'),
    (key, value) =>
      key === 'created_at' || key === 'last_updated_at'
        ? undefined
        : key === 'tags' && Array.isArray(value)
          ? [...value].sort()
          : value,
  ); // tags are a set

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

describe('Braintrust login and projects', () => {
  it('logs any key in to one local organisation whose API is the collector and whose proxy is under it', async () => {
    const reply = await c.raw('/api/apikey/login', {
      method: 'POST',
      headers: { authorization: 'Bearer whatever-key' },
    });
    expect(reply.status).toBe(200);
    const base = `http://127.0.0.1:${c.port}`;
    expect(reply.json).toEqual({
      org_info: [
        {
          id: 'spanscope-local',
          name: 'Spanscope',
          api_url: base,
          proxy_url: `${base}/v1/proxy`,
          git_metadata: { collect: 'none' },
        },
      ],
    });
    expect((await c.raw('/api/apikey/login', { method: 'POST' })).status).toBe(200);
  });

  it('registers a project under a stable id that looks the name up again, and answers version and ping', async () => {
    const registered = await c.raw('/api/project/register', {
      method: 'POST',
      body: { project_name: PROJECT, org_id: 'spanscope-local' },
    });
    expect(registered.json).toEqual({ project: { id: PROJECT_ID, name: PROJECT, org_id: 'spanscope-local' } });
    expect((await c.raw(`/api/project?id=${PROJECT_ID}`)).json).toMatchObject({ id: PROJECT_ID, name: PROJECT });
    expect((await c.raw('/api/project?id=some-braintrust-uuid')).json).toMatchObject({
      id: 'some-braintrust-uuid',
      name: 'some-braintrust-uuid',
    });
    expect((await c.raw('/api/project/register', { method: 'POST', body: {} })).status).toBe(400);
    expect((await c.raw('/api/project')).status).toBe(400);
    expect(await c.raw('/version')).toMatchObject({ status: 200, json: {} });
    expect((await c.raw('/ping')).status).toBe(200);
  });

  it('says clearly that experiments are not supported', async () => {
    const reply = await c.raw('/api/experiment/register', { method: 'POST', body: { project_name: 'x' } });
    expect(reply.status).toBe(501);
    expect(reply.json.error).toContain('experiments');
  });
});

describe('Python SDK bodies on /logs3', () => {
  it('builds the trace, spans, feedback and comment from pieces that arrive before the rows they complete', async () => {
    for (const body of REQUESTS) expect((await postRows(body)).status).toBe(200);
    const d = await detail(ROOT.span);
    const span = (id: string) => d.spans.find((s) => s.id === id)!;
    expect(d.trace).toMatchObject({
      id: ROOT.span,
      project_name: PROJECT,
      name: 'my_route_handler',
      status: 'ok',
      span_count: 3,
      input: 'What is a proxy?',
      output: { result: 'question' },
      start_time: '2026-12-07T13:26:40.250000Z',
      duration_ms: 1500,
    });
    expect(span(ROOT.span)).toMatchObject({
      name: 'my_route_handler',
      type: 'general',
      expected: { result: 'question' },
      metadata: {
        request: { path: '/classify', user_agent: 'curl' },
        braintrust_type: 'task',
        feedback_metadata: { user_id: 'u-17' },
      },
      code_location: { file: FILE, line: 23, function: 'my_route_handler' },
    });
    expect(span(ROOT.span).parent_span_id).toBeUndefined();
    // Feedback's tags join the span's (the store keeps tags as a set).
    expect(span(ROOT.span).tags!.sort()).toEqual(['reviewed', 'web']);
    expect(span(ROOT.span).feedback_scores).toEqual([
      expect.objectContaining({ name: 'correctness', value: 1, reason: 'Right, it asks.', source: 'sdk' }),
    ]);
    expect(span(FN.span)).toMatchObject({
      parent_span_id: ROOT.span,
      type: 'general',
      output: 'question',
      code_location: { file: FILE, line: 14 },
    });
    expect(span(LLM.span)).toMatchObject({
      parent_span_id: FN.span,
      type: 'llm',
      name: 'Chat Completion',
      model: 'gpt-4o',
      provider: 'openai',
      time_to_first_token_ms: 420,
      usage: {
        prompt_tokens: 30,
        completion_tokens: 1,
        total_tokens: 31,
        'prompt_tokens_details.cached_tokens': 0,
        'completion_tokens_details.reasoning_tokens': 0,
      },
      input: { messages: [{ role: 'system' }, { role: 'user', content: 'What is a proxy?' }] },
      output: { role: 'assistant', content: 'question' },
    });
    // The comment is the score's reason, never a span of its own.
    expect(d.spans.map((s) => s.name).sort()).toEqual(['Chat Completion', 'my_route_handler', 'some_llm_function']);

    const failed = await detail(FAILED.span);
    expect(failed.trace).toMatchObject({ status: 'error', span_count: 1 });
    expect(failed.spans[0].error_info).toEqual({
      exception_type: 'ValueError',
      message: 'empty classification',
      traceback:
        'Traceback (most recent call last):\n  File "/home/dev/app/server.py", line 25, in my_route_handler\n    raise ValueError("empty classification")\nValueError: empty classification',
    });
    expect(failed.spans[0].feedback_scores).toEqual([expect.objectContaining({ name: 'correctness', value: 0 })]);
  });

  it('gives the same traces whatever order the requests arrive in', async () => {
    const expected = [canonical(await detail(ROOT.span), 'a0a0'), canonical(await detail(FAILED.span), 'a0a0')];
    const orders = permutations([0, 1, 2, 3]).slice(1);
    for (const [n, order] of orders.entries()) {
      const tag = String(n + 10).padStart(4, '0');
      for (const i of order) expect((await postRows(withIds(REQUESTS[i], tag))).status).toBe(200);
      const got = [
        canonical(await detail(withIds(ROOT.span, tag)), tag),
        canonical(await detail(withIds(FAILED.span, tag)), tag),
      ];
      expect(got, `requests in the order ${order.join(', ')}`).toEqual(expected);
    }
  });
});

describe('what /logs3 refuses', () => {
  it('takes JSON or no Content-Type, and refuses any other media type', async () => {
    const reply = await postRows(REQUESTS[3], { 'content-type': 'text/plain' });
    expect(reply.status).toBe(415);
    expect(
      (await postRows('{"rows": [], "api_version": 2}', { 'content-type': 'application/json; charset=utf-8' })).status,
    ).toBe(200);
  });

  it('refuses a web page of another origin even without a Content-Type, and a foreign Host', async () => {
    expect((await postRows(REQUESTS[3], { origin: 'https://evil.example' })).status).toBe(403);
    expect((await postRows(REQUESTS[3], { host: 'evil.example:7726' })).status).toBe(403);
    expect(
      (await c.raw('/api/apikey/login', { method: 'POST', headers: { origin: 'https://evil.example' } })).status,
    ).toBe(403);
  });

  it('refuses a body with a bad row whole, naming the row, and applies nothing of it', async () => {
    const good = {
      id: 'ok-row',
      span_id: 'ok-span',
      root_span_id: 'ok-span',
      span_parents: null,
      span_attributes: { name: 'kept?' },
      metrics: { start: 1796650000 },
      project_id: PROJECT_ID,
    };
    const bad = { id: 'bad-row', span_id: 'bad-span', root_span_id: 'bad-span', scores: { correctness: 'high' } };
    const reply = await postRows(JSON.stringify({ rows: [good, bad], api_version: 2 }));
    expect(reply.status).toBe(400);
    expect(reply.json.error).toContain('rows[1].scores');
    expect((await c.get('/api/traces/ok-span')).status).toBe(404);
    for (const body of [
      '[]',
      '{"rows": {"type": "logs3_overflow", "key": "k"}}',
      '{"rows": [{"span_id": "s"}]}',
      'not json',
    ]) {
      const r = await postRows(body);
      expect(r.status, body).toBe(400);
      expect(r.json.error).toBeTruthy();
    }
  });

  it('cuts rows past the limits as every route does: nesting at 1,000 levels (a merge too), names at 1,000 characters', async () => {
    const start = {
      id: 'deep-row',
      span_id: 'deep-span',
      root_span_id: 'deep-span',
      span_parents: null,
      project_id: PROJECT_ID,
      span_attributes: { name: 'n'.repeat(2_000_000) },
      input: 'DEEP',
      metrics: { start: 1796650000 },
    };
    const merge = {
      id: 'deep-row',
      _is_merge: true,
      span_id: 'deep-span',
      root_span_id: 'deep-span',
      output: 'DEEP',
      metadata: 'DEEP',
      metrics: { end: 1796650001 },
    };
    const reply = await postRows(withRaw({ rows: [start, merge], api_version: 2 }, { DEEP: deepObjectJson(5000) }));
    expect(reply.status, reply.text).toBe(200);
    const d = await detail('deep-span');
    expect(d.trace.name).toHaveLength(NAME_MAX);
    for (const value of [d.trace.input, d.spans[0].output, d.spans[0].metadata])
      expect(depthAlong(value).bottom).toBe(DEPTH_MARKER);
    await c.store.flush(); // written as any trace is: nothing too deep for the store's serialiser
    expect((await c.get('/api/health')).json.status).toBe('ok');
  });

  it('never stores the API key', async () => {
    await c.store.flush();
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
    for (const file of files(c.dir)) expect(readFileSync(file).includes('sk-python-key'), file).toBe(false);
    expect(c.logs.join('\n')).not.toContain('sk-python-key');
  });
});
