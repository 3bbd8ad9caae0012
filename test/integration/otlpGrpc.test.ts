// OTLP/gRPC: the real @opentelemetry/exporter-trace-otlp-grpc carrying the Vercel AI SDK app's
// spans to the collector's gRPC port, checked through the read API like the HTTP exporters;
// then what a malformed request, an oversized one and a taken port get, with a raw
// @grpc/grpc-js client on loopback.

import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLP_GRPC_EXPORT_PATH } from '../../src/collector/otlpGrpc';
import { decodeExportTraceResponse, encodeExportTraceRequest } from '../../src/collector/otlpProto';
import { MODEL } from '../support/fakeOpenAI';
import { type Rig, startRig } from '../frameworks/rig';
import { expectVercelAppTrace, vercelApp } from '../frameworks/vercelApp';
import { startTestCollector } from '../support/collector';
import { otlpRequest, otlpSpan } from '../support/otlpBuilders';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
  new NodeTracerProvider().register(); // the context manager, so spans nest
});
afterAll(() => rig.close());

/** One unary call of the Export method with raw bytes, as any gRPC client sends it. */
function rawExport(port: number, body: Buffer): Promise<{ error?: grpc.ServiceError; reply?: Buffer }> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      OTLP_GRPC_EXPORT_PATH,
      (b: Buffer) => b,
      (b: Buffer) => b,
      body,
      (error, reply) => {
        client.close();
        resolve({ error: error ?? undefined, reply: reply ?? undefined });
      },
    );
  });
}

describe('OTLP/gRPC', () => {
  it('takes the official gRPC exporter: the Vercel AI SDK app reads as over HTTP', async () => {
    const grpcPort = rig.c.collector.grpcPort;
    expect(grpcPort).toBeGreaterThan(0);
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'vercel-grpc' }),
      spanProcessors: [new SimpleSpanProcessor(new GrpcExporter({ url: `http://127.0.0.1:${grpcPort}` }))],
    });
    const id = await vercelApp(provider.getTracer('vercel-app'), rig.openai.baseURL, MODEL);
    await provider.shutdown();
    await expectVercelAppTrace(rig.c, id, 'vercel-grpc');
  });

  it('answers a request that is not an ExportTraceServiceRequest with INVALID_ARGUMENT, storing nothing', async () => {
    const before = (await rig.c.get('/api/traces')).json.traces.length;
    const { error } = await rawExport(rig.c.collector.grpcPort!, Buffer.from([0x0a, 0xff, 0xff, 0xff]));
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/malformed protobuf/);
    expect((await rig.c.get('/api/traces')).json.traces.length).toBe(before);
  });

  it('reports spans it cannot read as a partial success and stores the rest', async () => {
    const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
    const request = otlpRequest([
      otlpSpan({ name: 'kept', traceId: b64('7b8efff798038103d269b633813fc60c'), spanId: b64('aee19b7ec3c1b174') }),
      otlpSpan({ name: 'no-id', spanId: '' }),
    ]);
    const { error, reply } = await rawExport(rig.c.collector.grpcPort!, Buffer.from(encodeExportTraceRequest(request)));
    expect(error).toBeUndefined();
    expect(decodeExportTraceResponse(reply!)).toMatchObject({ partialSuccess: { rejectedSpans: 1 } });
    expect(
      (await rig.c.get('/api/traces/7b8efff798038103d269b633813fc60c')).json.spans.map((s: any) => s.name),
    ).toEqual(['kept']);
  });

  it('refuses a message above the body limit with RESOURCE_EXHAUSTED', async () => {
    const small = await startTestCollector({ collector: { maxBodyBytes: 1024, grpc: { port: 0 } } });
    try {
      const big = otlpRequest([otlpSpan({ attributes: { filler: 'x'.repeat(4096) } })]);
      const { error } = await rawExport(small.collector.grpcPort!, Buffer.from(encodeExportTraceRequest(big)));
      expect(error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    } finally {
      await small.close();
    }
  });

  it('takes the next free port when the one asked for is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as { port: number }).port;
    const c = await startTestCollector({ collector: { grpc: { port: taken, fallback: true } } });
    try {
      expect(c.collector.grpcPort).toBeGreaterThan(taken);
      expect(c.collector.grpcPort).toBeLessThanOrEqual(taken + 10);
      const { reply } = await rawExport(
        c.collector.grpcPort!,
        Buffer.from(encodeExportTraceRequest(otlpRequest([otlpSpan({})]))),
      );
      expect(reply).toBeDefined();
    } finally {
      await c.close();
      await new Promise((r) => blocker.close(r));
    }
  });

  it('stays off without fallback when its port is taken, and the collector still serves HTTP', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as { port: number }).port;
    const c = await startTestCollector({ collector: { grpc: { port: taken } } });
    try {
      expect(c.collector.grpcPort).toBeUndefined();
      expect(c.logs.join('\n')).toMatch(/OTLP\/gRPC is off/);
      expect((await c.get('/api/traces')).status).toBe(200);
    } finally {
      await c.close();
      await new Promise((r) => blocker.close(r));
    }
  });
});
