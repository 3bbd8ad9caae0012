// OTLP/protobuf for traces, decoded with protobufjs. The message definitions are the parts of
// opentelemetry-proto (common, resource, trace, collector/trace/v1) a trace receiver needs,
// written here as a protobufjs JSON descriptor so the bundle carries them: no .proto file is
// read at run time. Field names are the lowerCamelCase ones OTLP/JSON uses, so a decoded
// request has exactly the shape of a JSON one and feeds the same normaliser (src/core/otlp.ts).
// Fields this receiver does not know (newer proto versions) are skipped by the decoder.

import * as protobuf from 'protobufjs/light';

const V1_COMMON = 'opentelemetry.proto.common.v1';
const V1_RESOURCE = 'opentelemetry.proto.resource.v1';
const V1_TRACE = 'opentelemetry.proto.trace.v1';

const repeated = (type: string, id: number) => ({ rule: 'repeated', type, id });

const common = {
  AnyValue: {
    oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
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
  ExportTracePartialSuccess: { fields: { rejectedSpans: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } } },
};

/** google.rpc.Status, the body of an OTLP/HTTP error reply (its `details` are not sent). */
const rpc = { Status: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 } } } };

const root = protobuf.Root.fromJSON({
  nested: {
    opentelemetry: {
      nested: {
        proto: {
          nested: {
            common: { nested: { v1: { nested: common } } },
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

const ExportRequest = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
const ExportResponse = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');
const RpcStatus = root.lookupType('google.rpc.Status');

/**
 * Decodes an OTLP/protobuf request body into the object OTLP/JSON would have given, except
 * that ids (and bytes values) stay bytes, which the normaliser reads directly rather than
 * through base64 text; 64-bit integers become decimal strings. Throws on bytes that are not
 * the message.
 */
export function decodeExportTraceRequest(body: Uint8Array): Record<string, unknown> {
  const message = ExportRequest.decode(body);
  return ExportRequest.toObject(message, { longs: String, enums: Number, defaults: false });
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
