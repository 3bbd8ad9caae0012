import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { MODEL } from '../sdk-node/fakeOpenAI';
import { type Rig, readTrace, startRig } from './rig';
import { vercelApp } from './vercelApp';

let rig: Rig;
beforeAll(async () => (rig = await startRig()));
afterAll(() => rig.close());

describe('Vercel AI SDK', () => {
  it('dump', async () => {
    const provider = new NodeTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'vercel-app' }), spanProcessors: [new SimpleSpanProcessor(new ProtoExporter({ url: `http://127.0.0.1:${rig.c.port}/v1/traces` }))] });
    provider.register();
    const id = await vercelApp(provider.getTracer('app'), rig.openai.baseURL, MODEL);
    await provider.forceFlush();
    const t = await readTrace(rig.c, id);
    console.log(JSON.stringify(t.trace, null, 1));
    for (const s of t.spans) console.log(JSON.stringify(s));
    expect(t.spans.length).toBeGreaterThan(0);
  });
});
