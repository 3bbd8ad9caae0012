// The Vercel AI SDK (`ai` 6 + `@ai-sdk/openai` 3) with its telemetry on, exporting through an
// OTel NodeTracerProvider with the real OTLP protobuf and JSON exporters, against the fake
// OpenAI server. Checked through the read API: what the panel shows.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { MODEL, USAGE } from '../sdk-node/fakeOpenAI';
import { databasePrice } from './prices';
import { type Rig, listTraces, readTrace, startRig } from './rig';
import { vercelApp } from './vercelApp';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
  // The SDK's context manager (AsyncLocalStorage), so the AI SDK's spans nest under the app's.
  new NodeTracerProvider().register();
});
afterAll(() => rig.close());

async function runApp(exporter: SpanExporter, service: string): Promise<string> {
  const provider = new NodeTracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  try {
    return await vercelApp(provider.getTracer('vercel-app'), rig.openai.baseURL, MODEL);
  } finally {
    await provider.shutdown();
  }
}

const CALL_COST = databasePrice(MODEL, 'openai', USAGE);

async function expectAppTrace(traceId: string, project: string): Promise<void> {
  const { trace, spans, byName } = await readTrace(rig.c, traceId);
  // Four model calls of 17 tokens each (one greeting, two steps of the tool loop, one stream):
  // the wrappers' copies of their children's usage are not counted again.
  expect(trace).toMatchObject({ name: 'plan-trip', project_name: project, usage: { prompt_tokens: 48, completion_tokens: 20, total_tokens: 68 }, error_count: 2 });
  expect(trace.total_estimated_cost).toBeCloseTo(4 * CALL_COST, 12);

  const root = byName['plan-trip'];
  // Wrappers are general spans named by the app's functionId, with the prompt as input.
  expect(byName.greet).toMatchObject({ type: 'general', parent_span_id: root.id, input: { messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Say hello in French.' }] }, output: { role: 'assistant', content: 'Comment ça va?' } });
  expect(byName.greet.usage).toBeUndefined();
  expect(byName.greet.total_estimated_cost).toBeUndefined();
  expect(byName.greet.metadata).not.toHaveProperty('ai.usage.inputTokenDetails.noCacheTokens');
  expect(byName.greet.metadata).not.toHaveProperty('ai.prompt');

  const greetCall = spans.find((s) => s.parent_span_id === byName.greet.id);
  expect(greetCall).toMatchObject({ name: 'ai.generateText.doGenerate', type: 'llm', model: MODEL, provider: 'openai', usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 }, cost_source: 'estimated' });
  expect(greetCall.total_estimated_cost).toBeCloseTo(CALL_COST, 12);
  for (const key of ['ai.model.provider', 'ai.model.id', 'ai.usage.inputTokens', 'gen_ai.request.model', 'operation.name']) expect(greetCall.metadata).not.toHaveProperty([key]);

  // The tool loop: a call asking for the tool, the tool run, a call with its result.
  const weatherCalls = spans.filter((s) => s.parent_span_id === byName.weather.id && s.type === 'llm');
  expect(weatherCalls).toHaveLength(2);
  expect(weatherCalls[0].output).toEqual({ role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] });
  expect(byName.get_weather).toMatchObject({ type: 'tool', parent_span_id: byName.weather.id, input: { city: 'Paris' }, output: { city: 'Paris', sky: 'sunny' }, metadata: { tool_call_id: 'call_1' } });
  expect(byName.get_weather.metadata).not.toHaveProperty(['ai.toolCall.args']);
  expect(weatherCalls[1].input.messages.at(-1)).toEqual({ role: 'tool', content: '{"city":"Paris","sky":"sunny"}', tool_call_id: 'call_1' });
  for (const call of weatherCalls) expect(call.total_estimated_cost).toBeCloseTo(CALL_COST, 12);

  // The stream: its time to first token, the event that said so not kept again.
  const streamCall = spans.find((s) => s.parent_span_id === byName['stream-greeting'].id);
  expect(streamCall).toMatchObject({ name: 'ai.streamText.doStream', type: 'llm', output: { role: 'assistant', content: 'Comment ça va?' }, usage: { total_tokens: 17 } });
  expect(streamCall.time_to_first_token_ms).toBeGreaterThan(0);
  expect(streamCall.time_to_first_token_ms).toBeLessThanOrEqual(streamCall.duration_ms);
  expect((streamCall.metadata.events ?? []).map((e: any) => e.name)).not.toContain('ai.stream.firstChunk');

  // The failed call: both the wrapper and its call carry the provider's error.
  expect(byName.broken).toMatchObject({ status: 'error', error_info: { message: 'The model `no-such-model` does not exist' } });
  const brokenCall = spans.find((s) => s.parent_span_id === byName.broken.id);
  expect(brokenCall).toMatchObject({ type: 'llm', model: 'no-such-model', status: 'error' });
  expect(brokenCall.total_estimated_cost).toBeUndefined();
}

describe('Vercel AI SDK with experimental_telemetry', () => {
  it('over OTLP/protobuf: the trace reads like the app, each call counted and priced once', async () => {
    const id = await runApp(new ProtoExporter({ url: `http://127.0.0.1:${rig.c.port}/v1/traces` }), 'vercel-proto');
    await expectAppTrace(id, 'vercel-proto');
  });

  it('over OTLP/JSON the same', async () => {
    const id = await runApp(new JsonExporter({ url: `http://127.0.0.1:${rig.c.port}/v1/traces` }), 'vercel-json');
    await expectAppTrace(id, 'vercel-json');
  });

  it('lists a trace whose root is a streamText call under its functionId, and filters on its real totals', async () => {
    const provider = new NodeTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'vercel-stream' }), spanProcessors: [new SimpleSpanProcessor(new ProtoExporter({ url: `http://127.0.0.1:${rig.c.port}/v1/traces` }))] });
    const { createOpenAI } = await import('@ai-sdk/openai');
    const { streamText } = await import('ai');
    const openai = createOpenAI({ baseURL: rig.openai.baseURL, apiKey: 'sk-test' });
    const stream = streamText({ model: openai.chat(MODEL), prompt: 'Hi', experimental_telemetry: { isEnabled: true, functionId: 'chat-turn', tracer: provider.getTracer('t') } });
    for await (const _ of stream.textStream) void _;
    await provider.shutdown();
    const [row] = await listTraces(rig.c, 'vercel-stream');
    expect(row).toMatchObject({ name: 'chat-turn', usage: { total_tokens: 17 } });
    const query = async (filter: string) => JSON.stringify((await rig.c.get(`/api/query?project=vercel-stream&filter=${encodeURIComponent(filter)}`)).json);
    expect(await query('tokens > 17')).not.toContain(row.id); // 34 before: the wrapper's copy was added
    expect(await query('tokens >= 17')).toContain(row.id);
    expect(await query('cost > 0')).toContain(row.id);
  });
});
