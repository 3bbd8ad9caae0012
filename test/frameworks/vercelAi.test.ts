// The Vercel AI SDK (`ai` 6 + `@ai-sdk/openai` 3) with its telemetry on, exporting through an
// OTel NodeTracerProvider with the real OTLP protobuf and JSON exporters, against the fake
// OpenAI server. Checked through the read API: what the panel shows.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { MODEL } from '../support/fakeOpenAI';
import { type Rig, listTraces, startRig } from './rig';
import { expectVercelAppTrace, vercelApp } from './vercelApp';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
  // The SDK's context manager (AsyncLocalStorage), so the AI SDK's spans nest under the app's.
  new NodeTracerProvider().register();
});
afterAll(() => rig.close());

async function runApp(exporter: SpanExporter, service: string): Promise<string> {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  try {
    return await vercelApp(provider.getTracer('vercel-app'), rig.openai.baseURL, MODEL);
  } finally {
    await provider.shutdown();
  }
}

describe('Vercel AI SDK with experimental_telemetry', () => {
  it('over OTLP/protobuf: the trace reads like the app, each call counted and priced once', async () => {
    const id = await runApp(new ProtoExporter({ url: `http://127.0.0.1:${rig.c.port}/v1/traces` }), 'vercel-proto');
    await expectVercelAppTrace(rig.c, id, 'vercel-proto');
  });

  it('over OTLP/JSON the same', async () => {
    const id = await runApp(new JsonExporter({ url: `http://127.0.0.1:${rig.c.port}/v1/traces` }), 'vercel-json');
    await expectVercelAppTrace(rig.c, id, 'vercel-json');
  });

  it('lists a trace whose root is a streamText call under its functionId, and filters on its real totals', async () => {
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'vercel-stream' }),
      spanProcessors: [new SimpleSpanProcessor(new ProtoExporter({ url: `http://127.0.0.1:${rig.c.port}/v1/traces` }))],
    });
    const { createOpenAI } = await import('@ai-sdk/openai');
    const { streamText } = await import('ai');
    const openai = createOpenAI({ baseURL: rig.openai.baseURL, apiKey: 'sk-test' });
    const stream = streamText({
      model: openai.chat(MODEL),
      prompt: 'Hi',
      experimental_telemetry: { isEnabled: true, functionId: 'chat-turn', tracer: provider.getTracer('t') },
    });
    for await (const _ of stream.textStream) void _;
    await provider.shutdown();
    const [row] = await listTraces(rig.c, 'vercel-stream');
    expect(row).toMatchObject({ name: 'chat-turn', usage: { total_tokens: 17 } });
    const query = async (filter: string) =>
      JSON.stringify((await rig.c.get(`/api/query?project=vercel-stream&filter=${encodeURIComponent(filter)}`)).json);
    expect(await query('tokens > 17')).not.toContain(row.id); // 34 before: the wrapper's copy was added
    expect(await query('tokens >= 17')).toContain(row.id);
    expect(await query('cost > 0')).toContain(row.id);
  });
});
