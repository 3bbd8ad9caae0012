// The real `braintrust` npm package, set up as its "Write logs" page says (initLogger with
// any API key, appUrl pointed at Spanscope), against a real collector on a free port with a
// temp store; wrapOpenAI wraps the real `openai` client pointed at the fake OpenAI server on
// loopback. What the SDK logged is checked through the read API, as the panel shows it.

import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initLogger, traced, wrapOpenAI, type Logger } from 'braintrust';
import type { Span, TraceDetail } from '../../src/core/model/model';
import { MODEL, REPLY, type FakeOpenAI, startFakeOpenAI } from '../support/fakeOpenAI';
import { databasePrice } from '../frameworks/prices';
import { onlyTrace, spanNamed, traceDetail, tracesOf } from '../support/traces';
import { type TestCollector, startTestCollector } from '../support/collector';

let c: TestCollector;
let fake: FakeOpenAI;
let logger: Logger<true>;

beforeAll(async () => {
  c = await startTestCollector();
  fake = await startFakeOpenAI();
  logger = initLogger({ projectName: 'bt-app', appUrl: `http://127.0.0.1:${c.port}`, apiKey: 'sk-any-key-at-all' });
});

afterAll(async () => {
  await fake.close();
  await c.close();
});

const byName = (detail: TraceDetail, name: string): Span => spanNamed(detail, name);

describe('the braintrust npm package against the collector', () => {
  it('logs nested async traced spans and wrapped OpenAI calls, plain and streamed, as one tree', async () => {
    const client = wrapOpenAI(new OpenAI({ baseURL: fake.baseURL, apiKey: 'sk-openai-test' }));
    const answer = await traced(
      async (root) => {
        root.log({ input: { question: 'How are you, in French?' }, metadata: { user: { id: 'u1' } }, tags: ['seed'] });
        const plain = await traced(
          async () =>
            client.chat.completions.create({
              model: MODEL,
              messages: [
                { role: 'system', content: 'Translate.' },
                { role: 'user', content: 'How are you?' },
              ],
            }),
          { name: 'translate' },
        );
        const streamed = await traced(
          async () => {
            const stream = await client.chat.completions.create({
              model: MODEL,
              messages: [{ role: 'user', content: 'Again?' }],
              stream: true,
              stream_options: { include_usage: true },
            });
            let text = '';
            for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
            return text;
          },
          { name: 'translate_streamed' },
        );
        await traced(async (tool) => tool.log({ input: { city: 'Paris' }, output: { forecast: 'rainy' } }), {
          name: 'get_weather',
          type: 'tool',
        });
        // A second deep merge of metadata: the two halves must both survive.
        root.log({
          output: { plain: plain.choices[0].message.content, streamed },
          metadata: { user: { plan: 'pro' } },
        });
        return streamed;
      },
      { name: 'answer' },
    );
    expect(answer).toBe(REPLY.join(''));
    await logger.flush();

    const detail = await onlyTrace(c, 'bt-app');
    const root = byName(detail, 'answer');
    expect(detail.trace).toMatchObject({
      name: 'answer',
      project_name: 'bt-app',
      status: 'ok',
      span_count: 6,
      input: { question: 'How are you, in French?' },
      output: { plain: REPLY.join(''), streamed: REPLY.join('') },
    });
    expect(root).toMatchObject({
      type: 'general',
      tags: ['seed'],
      metadata: { user: { id: 'u1', plan: 'pro' }, braintrust_type: 'task' },
    });
    expect(root.parent_span_id).toBeUndefined();

    const translate = byName(detail, 'translate');
    const streamedTask = byName(detail, 'translate_streamed');
    const tool = byName(detail, 'get_weather');
    expect([translate, streamedTask, tool].map((s) => s.parent_span_id)).toEqual([root.id, root.id, root.id]);
    expect(tool).toMatchObject({ type: 'tool', input: { city: 'Paris' }, output: { forecast: 'rainy' }, status: 'ok' });

    const [plainLlm, streamLlm] = [translate, streamedTask].map((parent) => {
      const children = detail.spans.filter((s) => s.parent_span_id === parent.id);
      expect(children).toHaveLength(1);
      return children[0];
    });
    for (const llm of [plainLlm, streamLlm]) {
      expect(llm).toMatchObject({
        type: 'llm',
        model: MODEL,
        provider: 'openai',
        status: 'ok',
        output: { role: 'assistant', content: REPLY.join('') },
      });
      expect(llm.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
      expect(llm.duration_ms).toBeGreaterThanOrEqual(0);
      // Priced by the collector like every route's LLM spans: the Braintrust SDK sends no cost.
      expect(llm).toMatchObject({ cost_source: 'estimated' });
      expect(llm.total_estimated_cost).toBeCloseTo(
        databasePrice(MODEL, 'openai', { prompt_tokens: 12, completion_tokens: 5 }),
        12,
      );
    }
    expect(plainLlm.input).toEqual({
      messages: [
        { role: 'system', content: 'Translate.' },
        { role: 'user', content: 'How are you?' },
      ],
    });
    expect(streamLlm.input).toEqual({ messages: [{ role: 'user', content: 'Again?' }] });
    // The fake server waits 15 ms before each chunk: the first token comes after that.
    expect(streamLlm.time_to_first_token_ms).toBeGreaterThanOrEqual(10);
    expect(streamLlm.time_to_first_token_ms).toBeLessThan(streamLlm.duration_ms!);
  });

  it('records startSpan + log, a child attached through span.export(), feedback with its comment, and errors', async () => {
    const span = logger.startSpan({ name: 'handle_request' });
    span.log({ input: 'What is a proxy?', output: 'A go-between.' });
    const exported = await span.export();
    span.end();
    await logger.flush();

    // Another request, as the seed's feedback handler: a span under the exported one.
    const feedback = logger.startSpan({ name: 'feedback', parent: exported });
    logger.logFeedback({
      id: feedback.id,
      scores: { correctness: 1 },
      comment: 'spot on',
      metadata: { user_id: 'u42' },
    });
    feedback.end();
    logger.logFeedback({
      id: span.id,
      scores: { helpfulness: 0.5 },
      expected: 'An intermediary.',
      comment: 'a bit short',
      metadata: { user_id: 'u7' },
    });
    // A comment alone: a note on the span, not a score.
    logger.logFeedback({ id: span.id, comment: 'needs a source' });
    await traced(
      async () => {
        throw new TypeError('the tool broke');
      },
      { name: 'broken', parent: exported },
    ).catch(() => undefined);
    await logger.flush();

    // flush() resolved once the collector answered, and it applies rows before it answers.
    const details = await Promise.all((await tracesOf(c, 'bt-app')).map((t) => traceDetail(c, t.id)));
    const detail = details.find((d) => d.spans.some((s) => s.name === 'handle_request'))!;
    const request = byName(detail, 'handle_request');
    const child = byName(detail, 'feedback');
    const broken = byName(detail, 'broken');
    expect(detail.trace).toMatchObject({ name: 'handle_request', input: 'What is a proxy?', output: 'A go-between.' });
    expect(child.parent_span_id).toBe(request.id);
    expect(broken.parent_span_id).toBe(request.id);
    expect(child.feedback_scores).toEqual([
      expect.objectContaining({ name: 'correctness', value: 1, reason: 'spot on', source: 'sdk' }),
    ]);
    expect(child.metadata).toMatchObject({ feedback_metadata: { user_id: 'u42' } });
    expect(request.feedback_scores).toEqual([
      expect.objectContaining({ name: 'helpfulness', value: 0.5, reason: 'a bit short' }),
    ]);
    expect(request).toMatchObject({
      expected: 'An intermediary.',
      metadata: { comment: 'needs a source', feedback_metadata: { user_id: 'u7' } },
    });
    expect(broken.error_info).toMatchObject({ exception_type: 'TypeError', message: 'the tool broke' });
    expect(broken.error_info!.traceback).toContain('TypeError: the tool broke\n    at ');
    expect(broken.status).toBe('error');
    expect(detail.spans.map((s) => s.name).sort()).toEqual(['broken', 'feedback', 'handle_request']);
  });
});
