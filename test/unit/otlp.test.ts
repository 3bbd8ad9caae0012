import { describe, expect, it } from 'vitest';
import type { SpanPatch } from '../../src/core/model/model';
import { OtlpFormatError, anyValue, hexId, nanosToIso, otlpToPatches } from '../../src/core/normalise/otlp';
import {
  decodeExportTraceRequest,
  decodeExportTraceResponse,
  decodeRpcStatus,
  encodeExportTraceRequest,
  encodeExportTraceResponse,
  encodeRpcStatus,
} from '../../src/collector/otlpProto';
import { CHILD_HEX, END_NS, ROOT_HEX, START_NS, TRACE_HEX, otlpRequest, otlpSpan } from '../support/otlpBuilders';

function spansOf(request: unknown, options = {}): SpanPatch[] {
  const result = otlpToPatches(request, options);
  expect(result.rejectedSpans).toBe(0);
  return result.patches.flatMap((p) => (p.kind === 'span' ? [p.span] : []));
}

const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

describe('OTLP spans', () => {
  it('maps ids, names and nanosecond times to the model, with microseconds', () => {
    const [root, child] = spansOf(
      otlpRequest([otlpSpan(), otlpSpan({ spanId: CHILD_HEX, parentSpanId: ROOT_HEX, name: 'child' })]),
    );
    expect(root).toMatchObject({
      id: ROOT_HEX,
      trace_id: TRACE_HEX,
      name: 'root',
      start_time: '2026-01-02T03:04:05.123456Z',
      end_time: '2026-01-02T03:04:06.000000Z',
    });
    expect(root).not.toHaveProperty('parent_span_id');
    expect(child).toMatchObject({ id: CHILD_HEX, parent_span_id: ROOT_HEX, name: 'child' });
  });

  it('accepts base64 ids and upper-case hex, and stores lowercase hex', () => {
    const [span] = spansOf(
      otlpRequest([
        otlpSpan({ traceId: b64(TRACE_HEX), spanId: CHILD_HEX.toUpperCase(), parentSpanId: b64(ROOT_HEX) }),
      ]),
    );
    expect(span).toMatchObject({ trace_id: TRACE_HEX, id: CHILD_HEX, parent_span_id: ROOT_HEX });
  });

  it('treats an empty or all-zero parent id as no parent', () => {
    const spans = spansOf(
      otlpRequest([otlpSpan({ parentSpanId: '' }), otlpSpan({ spanId: CHILD_HEX, parentSpanId: '0000000000000000' })]),
    );
    expect(spans.map((s) => s.parent_span_id)).toEqual([undefined, undefined]);
  });

  it('accepts integers as numbers or strings, times included', () => {
    const [span] = spansOf(
      otlpRequest([otlpSpan({ startTimeUnixNano: 1767323045123456000, attributes: {}, endTimeUnixNano: END_NS })]),
    );
    expect(span.start_time).toBe('2026-01-02T03:04:05.123456Z');
    const request = otlpRequest([otlpSpan()]);
    const s = request.resourceSpans[0].scopeSpans[0].spans[0] as { attributes: unknown[] };
    s.attributes = [
      { key: 'gen_ai.usage.input_tokens', value: { intValue: '12' } },
      { key: 'big', value: { intValue: '9007199254740993' } },
    ];
    const [withInts] = spansOf(request);
    expect(withInts.usage).toEqual({ prompt_tokens: 12, total_tokens: 12 });
    expect(withInts.metadata?.big).toBe('9007199254740993'); // beyond 2^53: kept exact, as text
  });

  it('leaves a span without an end time running', () => {
    const [span] = spansOf(otlpRequest([otlpSpan({ endTimeUnixNano: '0' })]));
    expect(span).not.toHaveProperty('end_time');
  });

  it('keeps every attribute it did not map in metadata, with the span kind, scope and resource', () => {
    const [span] = spansOf(
      otlpRequest([
        otlpSpan({
          kind: 3,
          attributes: { 'http.method': 'GET', flag: true, ratio: 0.5, list: ['a', 'b'], nested: { k: 'v' } },
        }),
      ]),
    );
    expect(span.metadata).toEqual({
      'http.method': 'GET',
      flag: true,
      ratio: 0.5,
      list: ['a', 'b'],
      nested: { k: 'v' },
      'otel.span.kind': 'client',
      'otel.scope.name': 'my-lib',
      'otel.scope.version': '1.2.3',
      resource: { 'service.name': 'svc' },
    });
  });

  it('keeps the resource once per trace, on the root span', () => {
    const [root, child] = spansOf(
      otlpRequest([otlpSpan(), otlpSpan({ spanId: CHILD_HEX, parentSpanId: ROOT_HEX })], {
        'service.name': 'svc',
        'host.name': 'box',
      }),
    );
    expect(root.metadata?.resource).toEqual({ 'service.name': 'svc', 'host.name': 'box' });
    expect(child.metadata).not.toHaveProperty('resource');
    expect(child.project_name).toBe('svc');
  });

  it('ignores unknown fields and reads snake_case keys and enum names', () => {
    const request = {
      resource_spans: [
        {
          resource: { attributes: [] },
          scope_spans: [
            {
              spans: [
                {
                  ...otlpSpan(),
                  kind: 'SPAN_KIND_SERVER',
                  futureField: { x: 1 },
                  trace_id: TRACE_HEX,
                  traceId: undefined,
                  start_time_unix_nano: START_NS,
                  startTimeUnixNano: undefined,
                },
              ],
            },
          ],
          extra: 1,
        },
      ],
      other: true,
    };
    const [span] = spansOf(request);
    expect(span).toMatchObject({ id: ROOT_HEX, trace_id: TRACE_HEX, start_time: '2026-01-02T03:04:05.123456Z' });
    expect(span.metadata?.['otel.span.kind']).toBe('server');
  });

  it('keeps non-exception events in metadata', () => {
    const [span] = spansOf(
      otlpRequest([otlpSpan({ events: [{ name: 'cache.miss', timeUnixNano: START_NS, attributes: { key: 'k1' } }] })]),
    );
    expect(span.metadata?.events).toEqual([
      { name: 'cache.miss', time: '2026-01-02T03:04:05.123456Z', attributes: { key: 'k1' } },
    ]);
  });
});

describe('OTLP status and exceptions', () => {
  const exception = {
    name: 'exception',
    timeUnixNano: START_NS,
    attributes: {
      'exception.type': 'ValueError',
      'exception.message': 'bad input',
      'exception.stacktrace': 'Traceback (most recent call last): …',
    },
  };

  it('turns status ERROR and its exception event into error_info', () => {
    const [span] = spansOf(otlpRequest([otlpSpan({ status: { code: 2, message: 'failed' }, events: [exception] })]));
    expect(span.error_info).toEqual({
      exception_type: 'ValueError',
      message: 'bad input',
      traceback: 'Traceback (most recent call last): …',
    });
    expect(span.metadata).not.toHaveProperty('events');
  });

  it('uses the status message when there is no exception event', () => {
    const [span] = spansOf(otlpRequest([otlpSpan({ status: { code: 'STATUS_CODE_ERROR', message: 'timeout' } })]));
    expect(span.error_info).toEqual({ exception_type: 'Error', message: 'timeout' });
  });

  it('does not mark a span as failed for an exception it handled', () => {
    const [span] = spansOf(otlpRequest([otlpSpan({ status: { code: 1 }, events: [exception] })]));
    expect(span).not.toHaveProperty('error_info');
    expect(span.metadata?.events).toHaveLength(1);
  });
});

describe('OTLP project', () => {
  it('uses the service name as the project', () => {
    expect(spansOf(otlpRequest([otlpSpan()]))[0].project_name).toBe('svc');
  });

  it('prefers a spanscope.project attribute, on the span or the resource', () => {
    expect(spansOf(otlpRequest([otlpSpan({ attributes: { 'spanscope.project': 'on-span' } })]))[0]).toMatchObject({
      project_name: 'on-span',
    });
    expect(
      spansOf(otlpRequest([otlpSpan()], { 'service.name': 'svc', 'spanscope.project': 'on-resource' }))[0].project_name,
    ).toBe('on-resource');
    expect(
      spansOf(otlpRequest([otlpSpan({ attributes: { 'spanscope.project': 'on-span' } })]))[0].metadata,
    ).not.toHaveProperty('spanscope.project');
  });

  it('takes OpenInference project names and the project the request names, before the service name', () => {
    expect(
      spansOf(otlpRequest([otlpSpan()], { 'service.name': 'svc', 'openinference.project.name': 'phoenix-proj' }))[0]
        .project_name,
    ).toBe('phoenix-proj');
    expect(spansOf(otlpRequest([otlpSpan()]), { project: 'from-header' })[0].project_name).toBe('from-header');
  });

  it('leaves the project to the store when the service has no name', () => {
    expect(spansOf(otlpRequest([otlpSpan()], { 'service.name': 'unknown_service:node' }))[0]).not.toHaveProperty(
      'project_name',
    );
  });
});

describe('OTLP rejected spans and malformed requests', () => {
  it('rejects spans without valid ids or start time and keeps the rest', () => {
    const result = otlpToPatches(
      otlpRequest([
        otlpSpan(),
        otlpSpan({ spanId: CHILD_HEX, traceId: 'xyz' }),
        otlpSpan({ spanId: '0000000000000000' }),
        otlpSpan({ spanId: CHILD_HEX, startTimeUnixNano: undefined }),
        'not a span' as unknown as Record<string, unknown>,
      ]),
    );
    expect(result.patches).toHaveLength(1);
    expect(result.rejectedSpans).toBe(4);
    expect(result.errorMessage).toBe(
      [
        'resourceSpans[0].scopeSpans[0].spans[1]: traceId must be 16 bytes, as 32 hex characters or base64',
        'resourceSpans[0].scopeSpans[0].spans[2]: spanId must be 8 bytes, as 16 hex characters or base64',
        'resourceSpans[0].scopeSpans[0].spans[3]: startTimeUnixNano must be a positive integer of nanoseconds',
        'resourceSpans[0].scopeSpans[0].spans[4]: must be an object',
      ].join('; '),
    );
  });

  it('says how many more were rejected than it lists', () => {
    const bad = Array.from({ length: 8 }, () => otlpSpan({ traceId: '' }));
    expect(otlpToPatches(otlpRequest(bad)).errorMessage).toMatch(/; and 3 more$/);
  });

  it('accepts an empty request', () => {
    expect(otlpToPatches({})).toEqual({ patches: [], rejectedSpans: 0, errorMessage: '' });
  });

  it('throws a format error for what is not an export request', () => {
    expect(() => otlpToPatches([])).toThrow(OtlpFormatError);
    expect(() => otlpToPatches({ resourceSpans: {} })).toThrow('resourceSpans must be a list');
    expect(() => otlpToPatches({ resourceSpans: [{ scopeSpans: [{ spans: 'x' }] }] })).toThrow(
      'resourceSpans[0].scopeSpans[0].spans must be a list',
    );
  });
});

describe('OTLP encodings', () => {
  it('detects hex and base64 ids by their length', () => {
    expect(hexId('AAECAwQFBgc=', 8)).toBe('0001020304050607');
    expect(hexId('0001020304050607', 8)).toBe('0001020304050607');
    expect(hexId(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), 8)).toBe('0102030405060708');
    expect(hexId(new Uint8Array([0, 0x0f, 0x10, 0xab, 0xff, 0, 0, 0]), 8)).toBe('000f10abff000000');
    expect(hexId(new Uint8Array(8), 8)).toBeUndefined(); // all zeros: OTLP's "no id"
    expect(hexId('AAECAwQFBgc=', 16)).toBeUndefined();
    expect(hexId('not base64!', 8)).toBeUndefined();
  });

  it('reads AnyValue under either encoding’s names, the first case in OTLP’s order winning', () => {
    expect(anyValue({ stringValue: 'a' })).toBe('a');
    expect(anyValue({ int_value: '12' })).toBe(12);
    expect(anyValue({ intValue: '9007199254740993' })).toBe('9007199254740993'); // not exact as a number
    expect(anyValue({ double_value: '1.5' })).toBe(1.5);
    expect(anyValue({ boolValue: false })).toBe(false);
    expect(
      anyValue({
        kvlist_value: {
          values: [{ key: 'k', value: { array_value: { values: [{ intValue: 1 }, { stringValue: 'x' }] } } }],
        },
      }),
    ).toEqual({ k: [1, 'x'] });
    expect(anyValue({ bytesValue: new Uint8Array([1, 2, 255]) })).toBe('AQL/');
    expect(anyValue({ intValue: 3, stringValue: 'first' })).toBe('first');
    expect(anyValue({ int_value: 4, intValue: 5 })).toBe(5);
    expect(anyValue({ stringValue: undefined, boolValue: true })).toBe(true);
    expect(anyValue({})).toBeUndefined();
    expect(anyValue({ other: 1 })).toBeUndefined();
    expect(anyValue('text')).toBeUndefined();
  });

  it('formats nanoseconds with microsecond precision and refuses zero', () => {
    expect(nanosToIso(START_NS)).toBe('2026-01-02T03:04:05.123456Z');
    expect(nanosToIso('0')).toBeUndefined();
    expect(nanosToIso('-5')).toBeUndefined();
    expect(nanosToIso('1e18')).toBeUndefined();
    expect(nanosToIso('999')).toBeUndefined(); // under a microsecond: zero
    expect(nanosToIso('1999')).toBe('1970-01-01T00:00:00.000001Z');
    expect(nanosToIso('0001767323045123456999')).toBe('2026-01-02T03:04:05.123456Z'); // leading zeros, nanoseconds cut
  });

  it('keeps the end of year 9999 and refuses year 10000', () => {
    expect(nanosToIso('253402300799999968000')).toBe('9999-12-31T23:59:59.999968Z');
    expect(nanosToIso('253402300800000000000')).toBeUndefined();
  });

  it('decodes protobuf into the same patches as the JSON it was made from', () => {
    const json = otlpRequest([
      otlpSpan({
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.usage.input_tokens': 5,
          list: [1, 'a'],
          kv: { a: true },
        },
        status: { code: 2, message: 'x' },
      }),
      otlpSpan({ spanId: CHILD_HEX, parentSpanId: ROOT_HEX, kind: 3 }),
    ]);
    (json.resourceSpans[0].scopeSpans[0].spans[0].attributes as unknown[]).push({
      key: 'blob',
      value: { bytesValue: 'AQID' },
    });
    const forProto = JSON.parse(
      JSON.stringify(json, (key, value) => (['traceId', 'spanId', 'parentSpanId'].includes(key) ? b64(value) : value)),
    );
    const decoded = decodeExportTraceRequest(encodeExportTraceRequest(forProto));
    const fromProto = otlpToPatches(decoded);
    expect(fromProto).toEqual(otlpToPatches(json));
    expect(fromProto.patches[0]).toMatchObject({ span: { metadata: { blob: 'AQID' } } }); // bytes values as base64, as in OTLP/JSON
  });

  it('encodes replies: an empty response when all spans were taken, partial success otherwise', () => {
    expect(encodeExportTraceResponse(0, '')).toHaveLength(0);
    expect(decodeExportTraceResponse(encodeExportTraceResponse(2, 'bad ids'))).toEqual({
      partialSuccess: { rejectedSpans: 2, errorMessage: 'bad ids' },
    });
    expect(decodeRpcStatus(encodeRpcStatus(3, 'malformed'))).toEqual({ code: 3, message: 'malformed' });
  });

  it('refuses bytes that are not an export request', () => {
    expect(() => decodeExportTraceRequest(Buffer.from('{"resourceSpans": []}'))).toThrow();
  });
});

describe('OTLP conversations', () => {
  it('sends the trace with its thread_id when a root span names its session', () => {
    const result = otlpToPatches(
      otlpRequest([
        otlpSpan({ attributes: { 'session.id': 'conv-9', 'input.value': 'hi' } }),
        otlpSpan({ spanId: CHILD_HEX, parentSpanId: ROOT_HEX, name: 'child', attributes: { 'session.id': 'conv-9' } }),
      ]),
    );
    const traces = result.patches.flatMap((p) => (p.kind === 'trace' ? [p.trace] : []));
    expect(traces).toEqual([
      {
        id: TRACE_HEX,
        thread_id: 'conv-9',
        project_name: 'svc',
        name: 'root',
        input: 'hi',
        start_time: '2026-01-02T03:04:05.123456Z',
        end_time: '2026-01-02T03:04:06.000000Z',
      },
    ]);
  });

  it('reads the GenAI conversation id too, and leaves traces implicit otherwise', () => {
    const withConversation = otlpToPatches(otlpRequest([otlpSpan({ attributes: { 'gen_ai.conversation.id': 'c1' } })]));
    expect(withConversation.patches.find((p) => p.kind === 'trace')).toMatchObject({ trace: { thread_id: 'c1' } });
    expect(otlpToPatches(otlpRequest([otlpSpan()])).patches.map((p) => p.kind)).toEqual(['span']);
  });
});
