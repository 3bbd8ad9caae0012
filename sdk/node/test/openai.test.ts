// `trackOpenAI` / `wrapOpenAI` around the real `openai` npm client (v6). api.openai.com can
// not be reached from here, so the client's `baseURL` points at a local stand-in that answers
// like the OpenAI API (fakeOpenAI.ts): everything from the client down is real.

import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configure, flush, track, trackOpenAI, wrapOpenAI } from '../src/index';
import { startTestCollector, type TestCollector } from '../../../test/support/collector';
import { MODEL, REPLY, startFakeOpenAI, type FakeOpenAI } from '../../../test/support/fakeOpenAI';
import { childrenOf, onlyTrace, spanNamed, traceDetail, tracesOf } from '../../../test/support/traces';

let c: TestCollector;
let api: FakeOpenAI;
beforeAll(async () => {
  [c, api] = await Promise.all([startTestCollector(), startFakeOpenAI()]);
  configure({ url: `http://127.0.0.1:${c.port}` });
});
afterAll(async () => {
  await flush();
  configure({ disabled: true });
  await Promise.all([c.close(), api.close()]);
});

function project(name: string): string {
  configure({ projectName: name });
  return name;
}

const rawClient = () => new OpenAI({ apiKey: 'sk-test', baseURL: api.baseURL, maxRetries: 0 });
const messages = [{ role: 'user' as const, content: 'Translate to French: how are you?' }];
const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};
const gpt4oMiniCost = (prompt: number, completion: number) => (prompt * 0.15 + completion * 0.6) / 1_000_000;

describe('trackOpenAI', () => {
  it('records chat.completions.create as an llm span under the tracked caller, with usage and cost', async () => {
    const p = project('openai-chat');
    const client = trackOpenAI(rawClient());
    const generate = track(async function generate_response(prompt: string) {
      const response = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: prompt }],
        temperature: 0.2,
      });
      return response.choices[0].message.content;
    });
    expect(await generate('Translate to French: how are you?')).toBe(REPLY.join(''));
    await flush();

    const detail = await onlyTrace(c, p);
    const llm = spanNamed(detail, 'chat.completions.create');
    expect(llm.parent_span_id).toBe(spanNamed(detail, 'generate_response').id);
    expect(llm).toMatchObject({
      type: 'llm',
      model: MODEL,
      provider: 'openai',
      input: { messages: [{ role: 'user', content: 'Translate to French: how are you?' }] },
      output: { role: 'assistant', content: REPLY.join('') },
      usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, 'prompt_tokens_details.cached_tokens': 0 },
      metadata: { temperature: 0.2, finish_reason: 'stop', response_id: 'chatcmpl-1' },
      status: 'ok',
      code_location: { file: __filename },
    });
    // The reply is the message itself, in the shape the Python SDK writes: nothing the client added.
    expect(llm.output).toEqual({ role: 'assistant', content: REPLY.join('') });
    // The SDK sends model and usage; the collector prices them.
    expect(llm.total_estimated_cost).toBeCloseTo(gpt4oMiniCost(12, 5), 12);
    expect(llm.cost_source).toBe('estimated');
    expect(detail.trace.total_estimated_cost).toBeCloseTo(gpt4oMiniCost(12, 5), 12);
  });

  it('makes a trace of its own when no span is current, and records tool calls', async () => {
    const p = project('openai-alone');
    const client = wrapOpenAI(rawClient());
    const reply = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools: [weatherTool] });
    expect(reply.choices[0].message.tool_calls?.[0]).toMatchObject({ function: { name: 'get_weather' } });
    await flush();
    const detail = await onlyTrace(c, p);
    expect(detail.trace).toMatchObject({ name: 'chat.completions.create', status: 'ok' });
    expect(detail.spans).toHaveLength(1);
    expect(detail.spans[0].output).toMatchObject({
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      ],
    });
    expect(detail.spans[0].metadata).toMatchObject({ finish_reason: 'tool_calls', tools: [weatherTool] });
  });

  it('covers a streamed completion: the span lasts the iteration, output assembled, usage from the last chunk', async () => {
    const p = project('openai-stream');
    const client = trackOpenAI(rawClient());
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe(REPLY.join(''));
    expect(api.requests.at(-1)!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    await flush();

    const detail = await onlyTrace(c, p);
    const llm = detail.spans[0];
    expect(llm).toMatchObject({
      name: 'chat.completions.create',
      status: 'ok',
      model: MODEL,
      output: { role: 'assistant', content: REPLY.join('') },
      usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
    });
    expect(llm.total_estimated_cost).toBeCloseTo(gpt4oMiniCost(12, 5), 12);
    // Seven server-sent events 15 ms apart: the span covers them, not just the request.
    expect(llm.duration_ms).toBeGreaterThanOrEqual(60);
    // The first chunk came a delay after the request, well before the last.
    expect(llm.time_to_first_token_ms).toBeGreaterThanOrEqual(10);
    expect(llm.time_to_first_token_ms).toBeLessThan(llm.duration_ms! - 45);
  });

  it('assembles streamed tool calls; without include_usage there is no usage and no cost', async () => {
    const p = project('openai-stream-tools');
    const client = trackOpenAI(rawClient());
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      tools: [weatherTool],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(3);
    await flush();
    const llm = (await onlyTrace(c, p)).spans[0];
    expect(llm.output).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_9', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      ],
    });
    expect(llm.usage).toBeUndefined();
    expect(llm.total_estimated_cost).toBeUndefined();
    expect(llm.metadata).toMatchObject({ finish_reason: 'tool_calls' });
  });

  it('writes several choices (n > 1) as {choices: [message, …]}, plain and streamed, as the Python SDK does', async () => {
    const p = project('openai-choices');
    const client = trackOpenAI(rawClient());
    const reply = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, n: 2 });
    expect(reply.choices.map((ch) => ch.message.content)).toEqual([REPLY.join(''), `${REPLY.join('')} (2)`]);
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, n: 3, stream: true });
    for await (const chunk of stream) void chunk;
    await flush();

    const spans = (await Promise.all((await tracesOf(c, p)).map((t) => traceDetail(c, t.id)))).map((d) => d.spans[0]);
    const text = (i: number) => (i === 0 ? REPLY.join('') : `${REPLY.join('')} (${i + 1})`);
    const outputs = spans.sort((a, b) => (a.start_time < b.start_time ? -1 : 1)).map((s) => s.output);
    expect(outputs).toEqual([
      { choices: [0, 1].map((i) => ({ role: 'assistant', content: text(i) })) },
      { choices: [0, 1, 2].map((i) => ({ role: 'assistant', content: text(i) })) },
    ]);
    expect(spans[0].metadata).toMatchObject({ finish_reasons: ['stop', 'stop'] });
  });

  it("keeps the client's own promise and stream methods: withResponse(), toReadableStream(), tee()", async () => {
    const p = project('openai-methods');
    const client = trackOpenAI(rawClient());
    const { data, response, request_id } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages })
      .withResponse();
    expect(data.choices[0].message.content).toBe(REPLY.join(''));
    expect(response.status).toBe(200);
    expect(request_id).toBe('req_test_123');

    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    const reader = stream.toReadableStream().getReader();
    const lines: string[] = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      lines.push(new TextDecoder().decode(value));
    }
    expect(lines.join('')).toContain('"content":"Comment"');

    const [left, right] = (
      await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })
    ).tee();
    let a = '';
    let b = '';
    for await (const chunk of left) a += chunk.choices[0]?.delta?.content ?? '';
    for await (const chunk of right) b += chunk.choices[0]?.delta?.content ?? '';
    expect([a, b]).toEqual([REPLY.join(''), REPLY.join('')]);

    const models = await client.models.list();
    expect(models.data[0].id).toBe(MODEL);
    await flush();

    const traces = await (await c.get(`/api/traces?project=${p}`)).json.traces;
    expect(traces).toHaveLength(3);
    for (const t of traces)
      expect(t).toMatchObject({
        name: 'chat.completions.create',
        status: 'ok',
        output_preview: expect.stringContaining('Comment ça va?'),
      });
  });

  it('records an API error on the span and rethrows the client’s own error', async () => {
    const p = project('openai-error');
    const client = trackOpenAI(rawClient());
    const error = await client.chat.completions.create({ model: 'no-such-model', messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    await flush();
    const detail = await onlyTrace(c, p);
    expect(detail.spans[0]).toMatchObject({
      status: 'error',
      model: 'no-such-model',
      error_info: { exception_type: 'NotFoundError' },
    });
    expect(detail.spans[0].error_info!.message).toContain('does not exist');
  });

  it('records responses.create, plain and streamed', async () => {
    const p = project('openai-responses');
    const client = trackOpenAI(rawClient());
    const run = track(async function answer() {
      const plain = await client.responses.create({
        model: 'gpt-4o-mini',
        input: 'how are you?',
        instructions: 'Answer in French',
        tools: [{ type: 'function', name: 'get_weather', parameters: {}, strict: false }],
      });
      const streamed = await client.responses.create({
        model: 'gpt-4o-mini',
        input: [{ role: 'user', content: 'again' }],
        stream: true,
      });
      const types: string[] = [];
      for await (const event of streamed) types.push(event.type);
      return { text: plain.output_text, types };
    });
    const result = await run();
    expect(result.text).toBe(REPLY.join(''));
    expect(result.types.at(-1)).toBe('response.completed');
    await flush();

    const detail = await onlyTrace(c, p);
    const [plain, streamed] = childrenOf(detail, spanNamed(detail, 'answer'));
    const usage = {
      prompt_tokens: 20,
      completion_tokens: 8,
      total_tokens: 28,
      'prompt_tokens_details.cached_tokens': 10,
    };
    expect(plain).toMatchObject({
      name: 'responses.create',
      type: 'llm',
      model: MODEL,
      input: { input: 'how are you?', instructions: 'Answer in French' },
      output: {
        role: 'assistant',
        content: REPLY.join(''),
        tool_calls: [
          { id: 'call_r1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        ],
      },
      usage,
    });
    const cost = (10 * 0.15 + 10 * 0.075 + 8 * 0.6) / 1_000_000;
    expect(plain.total_estimated_cost).toBeCloseTo(cost, 12);
    expect(streamed).toMatchObject({
      name: 'responses.create',
      status: 'ok',
      input: { input: [{ role: 'user', content: 'again' }] },
      output: { role: 'assistant', content: REPLY.join('') },
      usage,
    });
  });

  it('leaves the original client untouched', async () => {
    const raw = rawClient();
    const create = raw.chat.completions.create;
    const wrapped = trackOpenAI(raw);
    expect(wrapped).not.toBe(raw);
    expect(raw.chat.completions.create).toBe(create);
    expect(trackOpenAI(wrapped)).toBe(wrapped);
  });
});
