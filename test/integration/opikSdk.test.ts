// The real `opik` npm client, configured as a user would (OPIK_URL_OVERRIDE), against a real
// collector on a free port with a temp store; what it logged is checked through the read API.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Opik, flushAll, track } from 'opik';
import type { TestCollector } from '../support/collector';
import { startTestCollector } from '../support/collector';

let c: TestCollector;
let previousUrl: string | undefined;

beforeAll(async () => {
  c = await startTestCollector();
  previousUrl = process.env.OPIK_URL_OVERRIDE;
  process.env.OPIK_URL_OVERRIDE = `http://127.0.0.1:${c.port}/api`;
});

afterAll(async () => {
  if (previousUrl === undefined) delete process.env.OPIK_URL_OVERRIDE;
  else process.env.OPIK_URL_OVERRIDE = previousUrl;
  await c.close();
});

async function traceDetail(id: string) {
  const reply = await c.get(`/api/traces/${id}`);
  expect(reply.status).toBe(200);
  return reply.json as { trace: any; spans: any[] };
}

describe('the opik npm client against the collector', () => {
  it('logs a trace with nested spans, updates, usage and scores', async () => {
    const client = new Opik({ projectName: 'opik-app' });
    const trace = client.trace({
      name: 'answer',
      input: { question: 'Weather in Paris?' },
      tags: ['prod'],
      threadId: 'conv-1',
    });
    const llm = trace.span({
      name: 'gpt-4o',
      type: 'llm',
      model: 'gpt-4o',
      provider: 'openai',
      input: { messages: [{ role: 'user', content: 'Weather in Paris?' }] },
      usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
    });
    const tool = llm.span({ name: 'get_weather', type: 'tool', input: { city: 'Paris' } });
    tool.update({ output: { forecast: 'rainy' } });
    tool.end();
    await client.flush();
    // After the creates went out: these travel as PATCH requests.
    llm.update({ output: { role: 'assistant', content: 'Rainy.' }, metadata: { temperature: 0 } });
    llm.end();
    llm.score({ name: 'relevance', value: 0.9, reason: 'on topic' });
    trace.update({ output: { answer: 'Rainy.' } });
    trace.end();
    trace.score({ name: 'helpful', value: 1 });
    await client.flush();

    const { trace: t, spans } = await traceDetail(trace.data.id);
    expect(t).toMatchObject({
      id: trace.data.id,
      name: 'answer',
      project_name: 'opik-app',
      thread_id: 'conv-1',
      tags: ['prod'],
      status: 'ok',
      input: { question: 'Weather in Paris?' },
      output: { answer: 'Rainy.' },
      span_count: 2,
      usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
    });
    expect(t.feedback_scores).toEqual([expect.objectContaining({ name: 'helpful', value: 1, source: 'sdk' })]);
    expect(t.duration_ms).toBeGreaterThanOrEqual(0);
    const llmSpan = spans.find((s) => s.name === 'gpt-4o');
    const toolSpan = spans.find((s) => s.name === 'get_weather');
    expect(llmSpan).toMatchObject({
      type: 'llm',
      model: 'gpt-4o',
      provider: 'openai',
      status: 'ok',
      output: { role: 'assistant', content: 'Rainy.' },
      metadata: { temperature: 0 },
      usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
    });
    expect(llmSpan.parent_span_id).toBeUndefined();
    expect(llmSpan.feedback_scores).toEqual([
      expect.objectContaining({ name: 'relevance', value: 0.9, reason: 'on topic', source: 'sdk' }),
    ]);
    expect(toolSpan).toMatchObject({
      type: 'tool',
      parent_span_id: llmSpan.id,
      output: { forecast: 'rainy' },
      status: 'ok',
    });
    expect(toolSpan.start_time).toMatch(/\.\d{6}Z$/);
  });

  it('records tracked functions, and the error of one that throws', async () => {
    const lookup = track({ name: 'lookup', type: 'tool' }, async (city: string) => {
      if (city === 'Atlantis') throw new RangeError('no such city');
      return `weather in ${city}`;
    });
    const agent = track({ name: 'agent', projectName: 'opik-app' }, async (city: string) => {
      try {
        return await lookup(city);
      } catch {
        return 'unknown';
      }
    });
    expect(await agent('Atlantis')).toBe('unknown');
    await flushAll();

    const { traces } = (await c.get('/api/traces?project=opik-app')).json as { traces: any[] };
    const summary = traces.find((t) => t.name === 'agent');
    expect(summary).toMatchObject({ span_count: 2, error_count: 1 });
    const { spans } = await traceDetail(summary.id);
    const failed = spans.find((s) => s.name === 'lookup');
    expect(failed).toMatchObject({
      status: 'error',
      type: 'tool',
      error_info: { exception_type: 'RangeError', message: 'no such city' },
    });
    expect(spans.find((s) => s.name === 'agent')).toMatchObject({ status: 'ok', output: { result: 'unknown' } });
  });

  it('answers the health checks and leads the printed link to the trace', async () => {
    for (const path of ['/is-alive/ping', '/api/is-alive/ping']) {
      const reply = await c.raw(path);
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual({ message: 'Healthy Server', healthy: true });
    }
    const link = await c.raw(
      '/api/v1/session/redirect/projects/?trace_id=abc-123&path=aHR0cDovLzEyNy4wLjAuMTo3NzI2L2FwaQ==',
    );
    expect(link.status).toBe(302);
    expect(link.headers.location).toBe('/?trace=abc-123');
  });

  it('works with the override set to the bare collector URL, without /api', async () => {
    const client = new Opik({ projectName: 'no-api-prefix', apiUrl: `http://127.0.0.1:${c.port}` });
    const trace = client.trace({ name: 'bare' });
    trace.span({ name: 'step' }).end();
    trace.end();
    await client.flush();
    const { trace: t, spans } = await traceDetail(trace.data.id);
    expect(t).toMatchObject({ name: 'bare', project_name: 'no-api-prefix' });
    expect(spans.map((s) => s.name)).toEqual(['step']);
  });
});
