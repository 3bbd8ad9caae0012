// OTLP/protobuf for traces, decoded with protobufjs. The message definitions are the parts of
// opentelemetry-proto (common, resource, trace, collector/trace/v1) a trace receiver needs,
// written here as a protobufjs JSON descriptor so the bundle carries them: no .proto file is
// read at run time. Field names are the lowerCamelCase ones OTLP/JSON uses, so a decoded
// request has exactly the shape of a JSON one and feeds the same normaliser (src/core/normalise/otlp.ts).
// Fields this receiver does not know (newer proto versions) are skipped by the decoder.
//
// AnyValue nests (a list of lists of…), and protobufjs refuses a message nested past 100
// messages (about 32 AnyValue levels), so one deep attribute cost a whole export that
// OTLP/JSON took. Requests are decoded with AnyValue's list and kvlist cases read as bytes,
// then each of those is decoded one level at a time, down to DEPTH_MAX (limits.ts) and no
// further: past it a value is the marker OTLP/JSON gets at the same level (otlp.ts anyValue).

import * as protobuf from 'protobufjs/light';
import { DEPTH_MARKER, DEPTH_MAX } from '../core/normalise/limits';

const V1_COMMON = 'opentelemetry.proto.common.v1';
const V1_RESOURCE = 'opentelemetry.proto.resource.v1';
const V1_TRACE = 'opentelemetry.proto.trace.v1';

const repeated = (type: string, id: number) => ({ rule: 'repeated', type, id });

const common = {
  AnyValue: {
    oneofs: {
      value: {
        oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'],
      },
    },
    fields: {
      stringValue: { type: 'string', id: 1 },
      boolValue: { type: 'bool', id: 2 },
      intValue: { type: 'int64', id: 3 },
      doubleValue: { type: 'double', id: 4 },
      arrayValue: { type: 'ArrayValue', id: 5 },
      kvlistValue: { type: 'KeyValueList', id: 6 },
      bytesValue: { type: 'bytes', id: 7 },
    },
  },
  ArrayValue: { fields: { values: repeated('AnyValue', 1) } },
  KeyValueList: { fields: { values: repeated('KeyValue', 1) } },
  KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
  InstrumentationScope: {
    fields: {
      name: { type: 'string', id: 1 },
      version: { type: 'string', id: 2 },
      attributes: repeated('KeyValue', 3),
      droppedAttributesCount: { type: 'uint32', id: 4 },
    },
  },
};

const resource = {
  Resource: {
    fields: {
      attributes: repeated(`${V1_COMMON}.KeyValue`, 1),
      droppedAttributesCount: { type: 'uint32', id: 2 },
    },
  },
};

const trace = {
  ResourceSpans: {
    fields: {
      resource: { type: `${V1_RESOURCE}.Resource`, id: 1 },
      scopeSpans: repeated('ScopeSpans', 2),
      schemaUrl: { type: 'string', id: 3 },
    },
  },
  ScopeSpans: {
    fields: {
      scope: { type: `${V1_COMMON}.InstrumentationScope`, id: 1 },
      spans: repeated('Span', 2),
      schemaUrl: { type: 'string', id: 3 },
    },
  },
  Span: {
    fields: {
      traceId: { type: 'bytes', id: 1 },
      spanId: { type: 'bytes', id: 2 },
      traceState: { type: 'string', id: 3 },
      parentSpanId: { type: 'bytes', id: 4 },
      flags: { type: 'fixed32', id: 16 },
      name: { type: 'string', id: 5 },
      kind: { type: 'int32', id: 6 }, // SpanKind; read as its number, which is what OTLP/JSON carries
      startTimeUnixNano: { type: 'fixed64', id: 7 },
      endTimeUnixNano: { type: 'fixed64', id: 8 },
      attributes: repeated(`${V1_COMMON}.KeyValue`, 9),
      droppedAttributesCount: { type: 'uint32', id: 10 },
      events: repeated('Event', 11),
      droppedEventsCount: { type: 'uint32', id: 12 },
      links: repeated('Link', 13),
      droppedLinksCount: { type: 'uint32', id: 14 },
      status: { type: 'Status', id: 15 },
    },
    nested: {
      Event: {
        fields: {
          timeUnixNano: { type: 'fixed64', id: 1 },
          name: { type: 'string', id: 2 },
          attributes: repeated(`${V1_COMMON}.KeyValue`, 3),
          droppedAttributesCount: { type: 'uint32', id: 4 },
        },
      },
      Link: {
        fields: {
          traceId: { type: 'bytes', id: 1 },
          spanId: { type: 'bytes', id: 2 },
          traceState: { type: 'string', id: 3 },
          attributes: repeated(`${V1_COMMON}.KeyValue`, 4),
          droppedAttributesCount: { type: 'uint32', id: 5 },
          flags: { type: 'fixed32', id: 6 },
        },
      },
    },
  },
  // Field 1 is reserved (a deprecated code); the code is field 3.
  Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
};

const collector = {
  ExportTraceServiceRequest: { fields: { resourceSpans: repeated(`${V1_TRACE}.ResourceSpans`, 1) } },
  ExportTraceServiceResponse: { fields: { partialSuccess: { type: 'ExportTracePartialSuccess', id: 1 } } },
  ExportTracePartialSuccess: {
    fields: { rejectedSpans: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } },
  },
};

/** google.rpc.Status, the body of an OTLP/HTTP error reply (its `details` are not sent). */
const rpc = { Status: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 } } } };

/** The same common messages, with AnyValue's nesting cases left as their bytes (see the top). */
const commonShallow = {
  ...common,
  AnyValue: {
    ...common.AnyValue,
    fields: { ...common.AnyValue.fields, arrayValue: { type: 'bytes', id: 5 }, kvlistValue: { type: 'bytes', id: 6 } },
  },
};

function rootWith(commonTypes: typeof common): protobuf.Root {
  return protobuf.Root.fromJSON({
    nested: {
      opentelemetry: {
        nested: {
          proto: {
            nested: {
              common: { nested: { v1: { nested: commonTypes } } },
              resource: { nested: { v1: { nested: resource } } },
              trace: { nested: { v1: { nested: trace } } },
              collector: { nested: { trace: { nested: { v1: { nested: collector } } } } },
            },
          },
        },
      },
      google: { nested: { rpc: { nested: rpc } } },
    },
  });
}

const root = rootWith(common);
const shallowRoot = rootWith(commonShallow);

const ExportRequest = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
const ExportRequestShallow = shallowRoot.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
const ArrayValueShallow = shallowRoot.lookupType(`${V1_COMMON}.ArrayValue`);
const KeyValueListShallow = shallowRoot.lookupType(`${V1_COMMON}.KeyValueList`);
const ExportResponse = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');
const RpcStatus = root.lookupType('google.rpc.Status');
const TO_OBJECT = { longs: String, enums: Number, defaults: false };

/**
 * Decodes an OTLP/protobuf request body into the object OTLP/JSON would have given, except
 * that ids (and bytes values) stay bytes, which the normaliser reads directly rather than
 * through base64 text; 64-bit integers become decimal strings. Throws on bytes that are not
 * the message.
 */
export function decodeExportTraceRequest(body: Uint8Array): Record<string, unknown> {
  const request = ExportRequestShallow.toObject(ExportRequestShallow.decode(body), TO_OBJECT);
  for (const rs of list(request.resourceSpans)) {
    expandAttributes(rs.resource);
    for (const ss of list(rs.scopeSpans)) {
      expandAttributes(ss.scope);
      for (const span of list(ss.spans)) {
        expandAttributes(span);
        for (const event of list(span.events)) expandAttributes(event);
        for (const link of list(span.links)) expandAttributes(link);
      }
    }
  }
  return request;
}

type Decoded = Record<string, unknown>;

function list(value: unknown): Decoded[] {
  return Array.isArray(value) ? value : [];
}

function expandAttributes(owner: unknown): void {
  if (owner === null || typeof owner !== 'object') return;
  for (const kv of list((owner as Decoded).attributes)) kv.value = expandValue(kv.value, DEPTH_MAX);
}

/** An AnyValue whose list or kvlist is still bytes, decoded down to `levels` levels (past them: the marker). */
function expandValue(value: unknown, levels: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  const { arrayValue, kvlistValue } = value as Decoded;
  const nested =
    arrayValue instanceof Uint8Array
      ? ArrayValueShallow
      : kvlistValue instanceof Uint8Array
        ? KeyValueListShallow
        : undefined;
  if (!nested) return value;
  if (levels === 0) return { stringValue: DEPTH_MARKER };
  const bytes = (nested === ArrayValueShallow ? arrayValue : kvlistValue) as Uint8Array;
  const values = list(nested.toObject(nested.decode(bytes), TO_OBJECT).values);
  if (nested === ArrayValueShallow) return { arrayValue: { values: values.map((v) => expandValue(v, levels - 1)) } };
  for (const kv of values) kv.value = expandValue(kv.value, levels - 1);
  return { kvlistValue: { values } };
}

/** Encodes a request (OTLP/JSON-shaped object, ids as base64) — for tests and the benchmark. */
export function encodeExportTraceRequest(request: Record<string, unknown>): Uint8Array {
  return ExportRequest.encode(ExportRequest.fromObject(request)).finish();
}

/** `ExportTraceServiceResponse`, with `partialSuccess` only when some spans were rejected. */
export function encodeExportTraceResponse(rejectedSpans: number, errorMessage: string): Uint8Array {
  const reply = rejectedSpans > 0 ? { partialSuccess: { rejectedSpans, errorMessage } } : {};
  return ExportResponse.encode(ExportResponse.fromObject(reply)).finish();
}

export function decodeExportTraceResponse(body: Uint8Array): Record<string, unknown> {
  return ExportResponse.toObject(ExportResponse.decode(body), { longs: Number });
}

/** A `google.rpc.Status` (code 3 = INVALID_ARGUMENT for a malformed request). */
export function encodeRpcStatus(code: number, message: string): Uint8Array {
  return RpcStatus.encode(RpcStatus.fromObject({ code, message })).finish();
}

export function decodeRpcStatus(body: Uint8Array): { code?: number; message?: string } {
  return RpcStatus.toObject(RpcStatus.decode(body)) as { code?: number; message?: string };
}
