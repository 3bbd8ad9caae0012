// The real OpenTelemetry JS SDK and its OTLP/HTTP exporters (JSON and protobuf) pointed at a
// recording server: what they send must decode and normalise into the spans that were made.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { SpanPatch } from '../../src/core/model/model';
import { otlpToPatches } from '../../src/core/normalise/otlp';
import { decodeExportTraceRequest } from '../../src/collector/otlpProto';
import type { RecordedRequest, RecordingServer } from '../support/recordingServer';
import { startRecordingServer } from '../support/recordingServer';

let server: RecordingServer;
beforeAll(async () => {
  server = await startRecordingServer();
});
afterAll(() => server.close());

/** Runs `work` with a tracer whose spans go through `exporter`; returns the requests it caused. */
async function exportThrough(
  exporter: SpanExporter,
  work: (tracer: Tracer) => void,
  batch = false,
): Promise<RecordedRequest[]> {
  const from = server.requests.length;
  const processor = batch ? new BatchSpanProcessor(exporter) : new SimpleSpanProcessor(exporter);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'wire-service' }),
    spanProcessors: [processor],
  });
  work(provider.getTracer('wire-test', '0.1.0'));
  await provider.forceFlush();
  await provider.shutdown();
  return server.requests.slice(from);
}

function decoded(req: RecordedRequest): unknown {
  return req.headers['content-type'] === 'application/x-protobuf'
    ? decodeExportTraceRequest(req.body)
    : JSON.parse(req.body.toString('utf8'));
}

function spansOf(requests: RecordedRequest[]): Map<string, SpanPatch> {
  const out = new Map<string, SpanPatch>();
  for (const req of requests) {
    const result = otlpToPatches(decoded(req));
    expect(result.rejectedSpans).toBe(0);
    for (const p of result.patches) if (p.kind === 'span') out.set(p.span.name ?? '', p.span);
  }
  return out;
}

/** An agent turn: a root span, an LLM call with GenAI attributes, a failing tool call. */
function agentTurn(tracer: Tracer): void {
  const root = tracer.startSpan('agent-turn', {
    attributes: { 'code.file.path': '/srv/app/agent.ts', 'code.line.number': 42, 'code.function.name': 'handle' },
  });
  const inRoot = trace.setSpan(context.active(), root);
  const llm = tracer.startSpan(
    'chat gpt-4o',
    {
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 12,
        'gen_ai.usage.output_tokens': 5,
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }]),
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'hello' }] }]),
      },
    },
    inRoot,
  );
  llm.end();
  const tool = tracer.startSpan(
    'execute_tool lookup',
    { attributes: { 'gen_ai.operation.name': 'execute_tool' } },
    inRoot,
  );
  tool.recordException(new TypeError('lookup failed'));
  tool.setStatus({ code: SpanStatusCode.ERROR, message: 'lookup failed' });
  tool.end();
  root.end();
}

function expectAgentTurn(spans: Map<string, SpanPatch>): void {
  const root = spans.get('agent-turn');
  const llm = spans.get('chat gpt-4o');
  const tool = spans.get('execute_tool lookup');
  expect(root).toMatchObject({
    project_name: 'wire-service',
    type: 'general',
    code_location: { file: '/srv/app/agent.ts', line: 42, function: 'handle' },
  });
  expect(root?.id).toMatch(/^[0-9a-f]{16}$/);
  expect(root?.trace_id).toMatch(/^[0-9a-f]{32}$/);
  expect(root).not.toHaveProperty('parent_span_id');
  expect(llm).toMatchObject({
    trace_id: root?.trace_id,
    parent_span_id: root?.id,
    type: 'llm',
    model: 'gpt-4o',
    provider: 'openai',
    usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
    input: { messages: [{ role: 'user', content: 'hi' }] },
    output: { role: 'assistant', content: 'hello' },
  });
  expect(tool).toMatchObject({
    parent_span_id: root?.id,
    type: 'tool',
    error_info: { exception_type: 'TypeError', message: 'lookup failed' },
  });
  expect(tool?.error_info?.traceback).toContain('TypeError: lookup failed');
  for (const s of spans.values()) {
    expect(s.start_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    expect(s.end_time! >= s.start_time!).toBe(true);
  }
}

describe('OTLP exporters on the wire', () => {
  it('JSON exporter: hex ids, spans normalised with their GenAI meaning', async () => {
    const requests = await exportThrough(new JsonExporter({ url: `${server.url}/v1/traces` }), agentTurn);
    expect(requests.map((r) => [r.method, r.path, r.headers['content-type']])).toEqual(
      Array(3).fill(['POST', '/v1/traces', 'application/json']),
    );
    expectAgentTurn(spansOf(requests));
  });

  it('protobuf exporter: decodes with the embedded descriptors into the same spans', async () => {
    const requests = await exportThrough(new ProtoExporter({ url: `${server.url}/v1/traces` }), agentTurn);
    expect(requests.map((r) => r.headers['content-type'])).toEqual(Array(3).fill('application/x-protobuf'));
    expectAgentTurn(spansOf(requests));
  });

  it('protobuf exporter with gzip (OTEL_EXPORTER_OTLP_COMPRESSION) and a batch processor', async () => {
    const previous = process.env.OTEL_EXPORTER_OTLP_COMPRESSION;
    process.env.OTEL_EXPORTER_OTLP_COMPRESSION = 'gzip';
    try {
      const requests = await exportThrough(
        new ProtoExporter({ url: `${server.url}/api/v1/private/otel/v1/traces` }),
        agentTurn,
        true,
      );
      expect(requests).toHaveLength(1);
      expect(requests[0].headers['content-encoding']).toBe('gzip');
      expect(requests[0].path).toBe('/api/v1/private/otel/v1/traces');
      expectAgentTurn(spansOf(requests));
    } finally {
      if (previous === undefined) delete process.env.OTEL_EXPORTER_OTLP_COMPRESSION;
      else process.env.OTEL_EXPORTER_OTLP_COMPRESSION = previous;
    }
  });

  it('JSON exporter with gzip and a batch processor sends one request for the turn', async () => {
    const previous = process.env.OTEL_EXPORTER_OTLP_COMPRESSION;
    process.env.OTEL_EXPORTER_OTLP_COMPRESSION = 'gzip';
    try {
      const requests = await exportThrough(new JsonExporter({ url: `${server.url}/v1/traces` }), agentTurn, true);
      expect(requests.map((r) => r.headers['content-encoding'])).toEqual(['gzip']);
      expectAgentTurn(spansOf(requests));
    } finally {
      if (previous === undefined) delete process.env.OTEL_EXPORTER_OTLP_COMPRESSION;
      else process.env.OTEL_EXPORTER_OTLP_COMPRESSION = previous;
    }
  });
});
