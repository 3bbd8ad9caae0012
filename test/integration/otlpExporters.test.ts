// The OpenTelemetry JS SDK with its real OTLP/HTTP exporters (JSON and protobuf, plain and
// gzip) against a collector on a free port; the traces are checked through the read API.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { TestCollector } from '../support/collector';
import { startTestCollector } from '../support/collector';

let c: TestCollector;
beforeAll(async () => {
  c = await startTestCollector();
});
afterAll(() => c.close());

/** Runs `work` through a provider exporting with `exporter`; returns the trace id it made. */
async function run(
  exporter: SpanExporter,
  service: string,
  work: (tracer: Tracer) => string,
  batch = false,
): Promise<string> {
  const processor = batch ? new BatchSpanProcessor(exporter) : new SimpleSpanProcessor(exporter);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [processor],
  });
  const traceId = work(provider.getTracer('exporter-test', '1.0.0'));
  await provider.forceFlush();
  await provider.shutdown();
  return traceId;
}

/** A RAG turn: root with code location, an LLM call in GenAI attributes, a failing tool. */
function ragTurn(tracer: Tracer): string {
  const root = tracer.startSpan('rag-turn', {
    attributes: { 'code.filepath': '/srv/rag.py', 'code.lineno': 10, 'code.function': 'answer', 'app.user': 'u1' },
  });
  const ctx = trace.setSpan(context.active(), root);
  const llm = tracer.startSpan(
    'chat',
    {
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.prompt_tokens': 30,
        'gen_ai.usage.completion_tokens': 9,
        'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'Answer from the context.' }]),
        'gen_ai.input.messages': JSON.stringify([
          { role: 'user', parts: [{ type: 'text', content: 'What is OTLP?' }] },
        ]),
        'gen_ai.output.messages': JSON.stringify([
          { role: 'assistant', parts: [{ type: 'text', content: 'A protocol.' }] },
        ]),
      },
    },
    ctx,
  );
  llm.end();
  const tool = tracer.startSpan(
    'search',
    {
      attributes: {
        'openinference.span.kind': 'TOOL',
        'input.value': '{"q":"otlp"}',
        'input.mime_type': 'application/json',
      },
    },
    ctx,
  );
  tool.recordException(new Error('index offline'));
  tool.setStatus({ code: SpanStatusCode.ERROR });
  tool.end();
  root.end();
  return root.spanContext().traceId;
}

async function expectRagTurn(traceId: string, project: string): Promise<void> {
  const reply = await c.get(`/api/traces/${traceId}`);
  expect(reply.status).toBe(200);
  const { trace: t, spans } = reply.json as { trace: any; spans: any[] };
  expect(t).toMatchObject({
    id: traceId,
    name: 'rag-turn',
    project_name: project,
    span_count: 3,
    error_count: 1,
    usage: { prompt_tokens: 30, completion_tokens: 9, total_tokens: 39 },
  });
  const byName = Object.fromEntries(spans.map((s) => [s.name, s]));
  expect(byName['rag-turn']).toMatchObject({
    type: 'general',
    status: 'ok',
    code_location: { file: '/srv/rag.py', line: 10, function: 'answer' },
    metadata: { 'app.user': 'u1' },
  });
  expect(byName.chat).toMatchObject({
    type: 'llm',
    parent_span_id: byName['rag-turn'].id,
    model: 'gpt-4o-mini',
    provider: 'openai',
    status: 'ok',
    input: {
      messages: [
        { role: 'system', content: 'Answer from the context.' },
        { role: 'user', content: 'What is OTLP?' },
      ],
    },
    output: { role: 'assistant', content: 'A protocol.' },
  });
  expect(byName.search).toMatchObject({
    type: 'tool',
    status: 'error',
    input: { q: 'otlp' },
    error_info: { exception_type: 'Error', message: 'index offline' },
  });
  expect(byName.chat.duration_ms).toBeGreaterThanOrEqual(0);
}

describe('OTLP exporters against the collector', () => {
  it('the JSON exporter at /v1/traces', async () => {
    const id = await run(new JsonExporter({ url: `http://127.0.0.1:${c.port}/v1/traces` }), 'json-service', ragTurn);
    await expectRagTurn(id, 'json-service');
  });

  it('the protobuf exporter at /v1/traces', async () => {
    const id = await run(new ProtoExporter({ url: `http://127.0.0.1:${c.port}/v1/traces` }), 'proto-service', ragTurn);
    await expectRagTurn(id, 'proto-service');
  });

  it("gzip protobuf at the Opik path, with Opik's projectName header naming the project", async () => {
    const previous = process.env.OTEL_EXPORTER_OTLP_COMPRESSION;
    process.env.OTEL_EXPORTER_OTLP_COMPRESSION = 'gzip';
    try {
      const exporter = new ProtoExporter({
        url: `http://127.0.0.1:${c.port}/api/v1/private/otel/v1/traces`,
        headers: { projectName: 'opik-otel' },
      });
      const id = await run(exporter, 'ignored-service', ragTurn, true);
      await expectRagTurn(id, 'opik-otel');
    } finally {
      if (previous === undefined) delete process.env.OTEL_EXPORTER_OTLP_COMPRESSION;
      else process.env.OTEL_EXPORTER_OTLP_COMPRESSION = previous;
    }
  });

  it('gzip JSON through a batch processor', async () => {
    const previous = process.env.OTEL_EXPORTER_OTLP_COMPRESSION;
    process.env.OTEL_EXPORTER_OTLP_COMPRESSION = 'gzip';
    try {
      const id = await run(
        new JsonExporter({ url: `http://127.0.0.1:${c.port}/v1/traces` }),
        'gzip-json',
        ragTurn,
        true,
      );
      await expectRagTurn(id, 'gzip-json');
    } finally {
      if (previous === undefined) delete process.env.OTEL_EXPORTER_OTLP_COMPRESSION;
      else process.env.OTEL_EXPORTER_OTLP_COMPRESSION = previous;
    }
  });
});
