// The small app each Vercel AI SDK test runs: a parent function (a span of the app's own),
// a chat completion with messages, a tool call the model asks for and the SDK runs, a
// streamed call, and a call that fails. Telemetry is on the way the `ai` docs say:
// `experimental_telemetry: { isEnabled: true, functionId }`, spans from the tracer given.

import type { Tracer } from '@opentelemetry/api';
import { SpanStatusCode } from '@opentelemetry/api';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { expect } from 'vitest';
import type { TestCollector } from '../support/collector';
import { MODEL, USAGE } from '../support/fakeOpenAI';
import { databasePrice } from './prices';
import { readTrace } from './rig';

export async function vercelApp(tracer: Tracer, baseURL: string, model: string): Promise<string> {
  const openai = createOpenAI({ baseURL, apiKey: 'sk-test' });
  const telemetry = (functionId: string) => ({ isEnabled: true, functionId, tracer });
  return tracer.startActiveSpan('plan-trip', async (root) => {
    try {
      await generateText({
        model: openai.chat(model),
        system: 'You are terse.',
        messages: [{ role: 'user', content: 'Say hello in French.' }],
        experimental_telemetry: telemetry('greet'),
      });
      await generateText({
        model: openai.chat(model),
        prompt: 'Weather in Paris?',
        tools: {
          get_weather: tool({
            description: 'The weather in a city',
            inputSchema: jsonSchema<{ city: string }>({
              type: 'object',
              properties: { city: { type: 'string' } },
              required: ['city'],
            }),
            execute: async ({ city }) => ({ city, sky: 'sunny' }),
          }),
        },
        stopWhen: stepCountIs(3),
        experimental_telemetry: telemetry('weather'),
      });
      const stream = streamText({
        model: openai.chat(model),
        prompt: 'Stream a greeting.',
        experimental_telemetry: telemetry('stream-greeting'),
      });
      for await (const _ of stream.textStream) void _;
      await generateText({
        model: openai.chat('no-such-model'),
        prompt: 'fail',
        maxRetries: 0,
        experimental_telemetry: telemetry('broken'),
      }).catch(() => undefined);
      root.setStatus({ code: SpanStatusCode.OK });
    } finally {
      root.end();
    }
    return root.spanContext().traceId;
  });
}

const CALL_COST = databasePrice(MODEL, 'openai', USAGE);

/** What the panel must show for one run of `vercelApp`, whichever exporter carried it. */
export async function expectVercelAppTrace(c: TestCollector, traceId: string, project: string): Promise<void> {
  const { trace, spans, byName } = await readTrace(c, traceId);
  // Four model calls of 17 tokens each (one greeting, two steps of the tool loop, one stream):
  // the wrappers' copies of their children's usage are not counted again.
  expect(trace).toMatchObject({
    name: 'plan-trip',
    project_name: project,
    usage: { prompt_tokens: 48, completion_tokens: 20, total_tokens: 68 },
    error_count: 2,
  });
  expect(trace.total_estimated_cost).toBeCloseTo(4 * CALL_COST, 12);

  const root = byName['plan-trip'];
  // Wrappers are general spans named by the app's functionId, with the prompt as input.
  expect(byName.greet).toMatchObject({
    type: 'general',
    parent_span_id: root.id,
    input: {
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Say hello in French.' },
      ],
    },
    output: { role: 'assistant', content: 'Comment ça va?' },
  });
  expect(byName.greet.usage).toBeUndefined();
  expect(byName.greet.total_estimated_cost).toBeUndefined();
  expect(byName.greet.metadata).not.toHaveProperty('ai.usage.inputTokenDetails.noCacheTokens');
  expect(byName.greet.metadata).not.toHaveProperty('ai.prompt');

  const greetCall = spans.find((s) => s.parent_span_id === byName.greet.id);
  expect(greetCall).toMatchObject({
    name: 'ai.generateText.doGenerate',
    type: 'llm',
    model: MODEL,
    provider: 'openai',
    usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
    cost_source: 'estimated',
  });
  expect(greetCall.total_estimated_cost).toBeCloseTo(CALL_COST, 12);
  for (const key of [
    'ai.model.provider',
    'ai.model.id',
    'ai.usage.inputTokens',
    'gen_ai.request.model',
    'operation.name',
  ])
    expect(greetCall.metadata).not.toHaveProperty([key]);

  // The tool loop: a call asking for the tool, the tool run, a call with its result.
  const weatherCalls = spans.filter((s) => s.parent_span_id === byName.weather.id && s.type === 'llm');
  expect(weatherCalls).toHaveLength(2);
  expect(weatherCalls[0].output).toEqual({
    role: 'assistant',
    content: null,
    tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
  });
  expect(byName.get_weather).toMatchObject({
    type: 'tool',
    parent_span_id: byName.weather.id,
    input: { city: 'Paris' },
    output: { city: 'Paris', sky: 'sunny' },
    metadata: { tool_call_id: 'call_1' },
  });
  expect(byName.get_weather.metadata).not.toHaveProperty(['ai.toolCall.args']);
  expect(weatherCalls[1].input.messages.at(-1)).toEqual({
    role: 'tool',
    content: '{"city":"Paris","sky":"sunny"}',
    tool_call_id: 'call_1',
  });
  for (const call of weatherCalls) expect(call.total_estimated_cost).toBeCloseTo(CALL_COST, 12);

  // The stream: its time to first token, the event that said so not kept again.
  const streamCall = spans.find((s) => s.parent_span_id === byName['stream-greeting'].id);
  expect(streamCall).toMatchObject({
    name: 'ai.streamText.doStream',
    type: 'llm',
    output: { role: 'assistant', content: 'Comment ça va?' },
    usage: { total_tokens: 17 },
  });
  expect(streamCall.time_to_first_token_ms).toBeGreaterThan(0);
  expect(streamCall.time_to_first_token_ms).toBeLessThanOrEqual(streamCall.duration_ms);
  expect((streamCall.metadata.events ?? []).map((e: any) => e.name)).not.toContain('ai.stream.firstChunk');

  // The failed call: both the wrapper and its call carry the provider's error.
  expect(byName.broken).toMatchObject({
    status: 'error',
    error_info: { message: 'The model `no-such-model` does not exist' },
  });
  const brokenCall = spans.find((s) => s.parent_span_id === byName.broken.id);
  expect(brokenCall).toMatchObject({ type: 'llm', model: 'no-such-model', status: 'error' });
  expect(brokenCall.total_estimated_cost).toBeUndefined();
}
