// OTLP/HTTP routes with hand-made requests: every encoding and compression, base64 ids,
// partial success, malformed bodies (400 with a Status in the request's encoding, nothing
// stored lost).

import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeExportTraceResponse, decodeRpcStatus, encodeExportTraceRequest } from '../../src/collector/otlpProto';
import type { TestCollector } from '../support/collector';
import { startTestCollector } from '../support/collector';
import { http } from '../support/http';
import { CHILD_HEX, ROOT_HEX, otlpRequest, otlpSpan } from '../support/otlpBuilders';

let c: TestCollector;
beforeAll(async () => {
  c = await startTestCollector();
});
afterAll(() => c.close());

const JSON_TYPE = { 'content-type': 'application/json' };
const PROTO_TYPE = { 'content-type': 'application/x-protobuf' };
const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
let next = 0;
/** A fresh trace id per test, so tests do not see each other's spans. */
const traceHex = () => (++next).toString(16).padStart(32, 'a');

/** The same request for protobuf: ids as base64, as protobufjs takes bytes. */
function protoBody(request: unknown): Buffer {
  const forProto = JSON.parse(
    JSON.stringify(request, (key, value) =>
      ['traceId', 'spanId', 'parentSpanId'].includes(key) && value ? b64(value) : value,
    ),
  );
  return Buffer.from(encodeExportTraceRequest(forProto));
}

async function spansOf(traceId: string): Promise<any[]> {
  const reply = await c.get(`/api/traces/${traceId}`);
  return reply.status === 200 ? reply.json.spans : [];
}

describe('OTLP/HTTP encodings', () => {
  const cases: [string, (r: unknown) => Buffer, Record<string, string>][] = [
    ['JSON', (r) => Buffer.from(JSON.stringify(r)), JSON_TYPE],
    ['JSON gzip', (r) => gzipSync(JSON.stringify(r)), { ...JSON_TYPE, 'content-encoding': 'gzip' }],
    ['JSON deflate', (r) => deflateSync(JSON.stringify(r)), { ...JSON_TYPE, 'content-encoding': 'deflate' }],
    ['protobuf', protoBody, PROTO_TYPE],
    ['protobuf gzip', (r) => gzipSync(protoBody(r)), { ...PROTO_TYPE, 'content-encoding': 'gzip' }],
    ['protobuf deflate', (r) => deflateSync(protoBody(r)), { ...PROTO_TYPE, 'content-encoding': 'deflate' }],
  ];
  for (const [name, encode, headers] of cases) {
    it(`stores a parent and child sent as ${name}`, async () => {
      const traceId = traceHex();
      const request = otlpRequest([
        otlpSpan({ traceId }),
        otlpSpan({ traceId, spanId: CHILD_HEX, parentSpanId: ROOT_HEX, name: 'child' }),
      ]);
      const reply = await http(c.port, '/v1/traces', { body: encode(request), headers });
      expect(reply.status).toBe(200);
      if (headers['content-type'] === JSON_TYPE['content-type']) expect(reply.json).toEqual({});
      else expect(reply.text).toBe('');
      const spans = await spansOf(traceId);
      expect(spans.map((s) => [s.name, s.parent_span_id])).toEqual([
        ['root', undefined],
        ['child', ROOT_HEX],
      ]);
    });
  }

  it('takes base64 ids in JSON', async () => {
    const traceId = traceHex();
    const reply = await http(c.port, '/api/v1/private/otel/v1/traces', {
      body: otlpRequest([otlpSpan({ traceId: b64(traceId), spanId: b64(ROOT_HEX) })]),
    });
    expect(reply.status).toBe(200);
    expect((await spansOf(traceId)).map((s) => s.id)).toEqual([ROOT_HEX]);
  });
});

describe('OTLP/HTTP partial success', () => {
  it('stores the good spans and reports the rejected ones, in JSON', async () => {
    const traceId = traceHex();
    const reply = await http(c.port, '/v1/traces', {
      body: otlpRequest([
        otlpSpan({ traceId }),
        otlpSpan({ traceId, spanId: 'short' }),
        otlpSpan({ traceId: 'zz', spanId: CHILD_HEX }),
      ]),
    });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      partialSuccess: {
        rejectedSpans: 2,
        errorMessage:
          'resourceSpans[0].scopeSpans[0].spans[1]: spanId must be 8 bytes, as 16 hex characters or base64; resourceSpans[0].scopeSpans[0].spans[2]: traceId must be 16 bytes, as 32 hex characters or base64',
      },
    });
    expect((await spansOf(traceId)).map((s) => s.id)).toEqual([ROOT_HEX]);
  });

  it('reports them in protobuf for a protobuf request', async () => {
    const traceId = traceHex();
    const reply = await rawProto(
      '/v1/traces',
      protoBody(otlpRequest([otlpSpan({ traceId }), otlpSpan({ traceId, spanId: CHILD_HEX, startTimeUnixNano: '0' })])),
    );
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/x-protobuf');
    expect(decodeExportTraceResponse(reply.body)).toEqual({
      partialSuccess: {
        rejectedSpans: 1,
        errorMessage:
          'resourceSpans[0].scopeSpans[0].spans[1]: startTimeUnixNano must be a positive integer of nanoseconds',
      },
    });
  });
});

describe('OTLP/HTTP malformed requests', () => {
  let kept: string;
  beforeAll(async () => {
    kept = traceHex();
    expect((await http(c.port, '/v1/traces', { body: otlpRequest([otlpSpan({ traceId: kept })]) })).status).toBe(200);
  });

  it('answers malformed JSON with 400 and a JSON Status', async () => {
    const reply = await http(c.port, '/v1/traces', { body: '{"resourceSpans": [', headers: JSON_TYPE });
    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({
      code: 3,
      message: expect.stringMatching(/^malformed JSON ExportTraceServiceRequest/),
    });
    expect(reply.json.error).toBe(reply.json.message);
  });

  it('answers a JSON body of the wrong shape with 400', async () => {
    const reply = await http(c.port, '/v1/traces', { body: { resourceSpans: { not: 'a list' } } });
    expect(reply.status).toBe(400);
    expect(reply.json.message).toBe('invalid ExportTraceServiceRequest: resourceSpans must be a list');
  });

  it('answers malformed protobuf with 400 and a protobuf Status', async () => {
    const reply = await rawProto('/v1/traces', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    expect(reply.status).toBe(400);
    expect(reply.headers['content-type']).toBe('application/x-protobuf');
    expect(decodeRpcStatus(reply.body)).toMatchObject({
      code: 3,
      message: expect.stringMatching(/^malformed protobuf ExportTraceServiceRequest/),
    });
  });

  it("answers a broken gzip body in the request's encoding", async () => {
    const reply = await rawProto('/v1/traces', Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' });
    expect(reply.status).toBe(400);
    expect(decodeRpcStatus(reply.body).message).toMatch(/not valid gzip/);
  });

  it('refuses other content types with 415', async () => {
    const reply = await http(c.port, '/v1/traces', { body: 'x', headers: { 'content-type': 'text/plain' } });
    expect(reply.status).toBe(415);
  });

  it('has lost nothing stored before', async () => {
    expect((await spansOf(kept)).map((s) => s.id)).toEqual([ROOT_HEX]);
  });
});

/** POST with a raw Buffer reply (the JSON helper would decode protobuf as text). */
async function rawProto(
  path: string,
  body: Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  const reply = await fetch(`http://127.0.0.1:${c.port}${path}`, {
    method: 'POST',
    body: new Uint8Array(body),
    headers: { ...PROTO_TYPE, ...headers },
  });
  return {
    status: reply.status,
    headers: Object.fromEntries(reply.headers),
    body: Buffer.from(await reply.arrayBuffer()),
  };
}
