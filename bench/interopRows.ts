// Ingest benchmark rows for the Opik and OTLP routes (see ingest.ts): the same trace as the
// native row — 100 finished LLM spans of about 1 KB, one trace per body — in the Opik SDK's
// span batch, in OTLP/JSON and in OTLP/protobuf, with the GenAI attributes an instrumented
// OpenAI call carries. Every body has its own trace and span ids, so nothing merges.

import { encodeExportTraceRequest } from '../src/collector/otlpProto';
import { formatMicros } from '../src/core/model/time';
import type { IngestRow } from './ingestHarness';

const SPANS = 100;
const T0_MICROS = Date.UTC(2026, 0, 1) * 1000;
const FILLER = 'lorem ipsum dolor sit amet '.repeat(26); // ~700 characters of prompt text

export function opikRow(): IngestRow {
  const spans = Array.from({ length: SPANS }, (_, i) => ({
    id: `@@T@@-${i}`,
    trace_id: '@@T@@',
    parent_span_id: i ? '@@T@@-0' : undefined,
    project_name: 'bench',
    name: `step ${i}`,
    type: 'llm',
    start_time: formatMicros(T0_MICROS + i * 10),
    end_time: formatMicros(T0_MICROS + i * 10 + 8),
    input: { messages: [{ role: 'user', content: FILLER }] },
    output: 'ok',
    model: 'gpt-4o-mini',
    provider: 'openai',
    usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 },
    total_estimated_cost: 0.0001,
  }));
  const template = JSON.stringify({ spans });
  return {
    name: 'Opik spans batch',
    path: '/api/v1/private/spans/batch',
    headers: { 'content-type': 'application/json' },
    body: (i) => template.replaceAll('@@T@@', `opik-${process.pid}-${i}`),
    spansPerBody: SPANS,
  };
}

/** An OTLP export request of one trace; ids come from `traceId` and `spanId(i)` (hex or base64, as the encoding wants). */
function otlpRequest(traceId: string, spanId: (i: number) => string): Record<string, unknown> {
  const nanos = (micros: number) => String(BigInt(micros) * 1000n);
  const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
  const int = (key: string, value: number) => ({ key, value: { intValue: value } });
  const spans = Array.from({ length: SPANS }, (_, i) => ({
    traceId,
    spanId: spanId(i),
    parentSpanId: i ? spanId(0) : undefined,
    name: `step ${i}`,
    kind: 3,
    startTimeUnixNano: nanos(T0_MICROS + i * 10),
    endTimeUnixNano: nanos(T0_MICROS + i * 10 + 8),
    attributes: [
      str('gen_ai.operation.name', 'chat'),
      str('gen_ai.provider.name', 'openai'),
      str('gen_ai.request.model', 'gpt-4o-mini'),
      int('gen_ai.usage.input_tokens', 120),
      int('gen_ai.usage.output_tokens', 30),
      str('gen_ai.input.messages', JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: FILLER }] }])),
      str('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'ok' }] }])),
      str('code.file.path', '/home/me/app.py'),
      int('code.line.number', 10 + i),
      str('code.function.name', 'step'),
    ],
    status: { code: 1 },
  }));
  return {
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', 'bench'), str('telemetry.sdk.language', 'python')] },
        scopeSpans: [{ scope: { name: 'opentelemetry.instrumentation.openai', version: '0.40.0' }, spans }],
      },
    ],
  };
}

const hex = (n: number, digits: number) => n.toString(16).padStart(digits, '0');

export function otlpJsonRow(): IngestRow {
  // Placeholders of the right lengths: 32 hex characters for the trace id, 8 of each span id.
  const template = JSON.stringify(otlpRequest('@@@@@@@@@@@@@@TRACE@@@@@@@@@@@@@', (i) => `@@BODY@@${hex(i, 8)}`));
  const prefix = hex(process.pid, 8);
  return {
    name: 'OTLP JSON',
    path: '/v1/traces',
    headers: { 'content-type': 'application/json' },
    body: (i) =>
      template
        .replaceAll('@@@@@@@@@@@@@@TRACE@@@@@@@@@@@@@', `${prefix}${hex(i, 24)}`)
        .replaceAll('@@BODY@@', hex(i + 1, 8)), // never all zeros, OTLP's "no id"
    spansPerBody: SPANS,
  };
}

// Marker bytes that never occur in the rest of the message (its text is ASCII), patched per body.
const TRACE_MARKER = Buffer.from('f1e2d3c4b5a69788f1e2d3c4b5a69788', 'hex');
const SPAN_MARKER = Buffer.from('f9e8d7c6', 'hex');

export function otlpProtobufRow(): IngestRow {
  const b64 = (b: Buffer) => b.toString('base64');
  const spanId = (i: number) => b64(Buffer.concat([SPAN_MARKER, Buffer.from(hex(i, 8), 'hex')]));
  const template = Buffer.from(encodeExportTraceRequest(otlpRequest(b64(TRACE_MARKER), spanId)));
  const traceAt = positions(template, TRACE_MARKER);
  const spanAt = positions(template, SPAN_MARKER);
  if (traceAt.length !== SPANS || spanAt.length !== 2 * SPANS - 1)
    throw new Error('protobuf template: markers not found where expected');
  return {
    name: 'OTLP protobuf',
    path: '/v1/traces',
    headers: { 'content-type': 'application/x-protobuf' },
    body: (i) => {
      const body = Buffer.from(template);
      for (const at of traceAt) {
        body.writeUInt32BE(process.pid, at);
        body.writeUInt32BE(0, at + 4);
        body.writeUInt32BE(0, at + 8);
        body.writeUInt32BE(i >>> 0, at + 12);
      }
      for (const at of spanAt) body.writeUInt32BE((i + 1) >>> 0, at); // never all zeros, OTLP's "no id"
      return body;
    },
    spansPerBody: SPANS,
  };
}

function positions(haystack: Buffer, needle: Buffer): number[] {
  const out: number[] = [];
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) out.push(at);
  return out;
}

export const INTEROP_ROWS: (() => IngestRow)[] = [opikRow, otlpJsonRow, otlpProtobufRow];
