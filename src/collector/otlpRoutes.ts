// OTLP/HTTP trace export, as OpenTelemetry exporters send it (`OTEL_EXPORTER_OTLP_ENDPOINT`
// or `..._TRACES_ENDPOINT` pointed at the collector): `POST /v1/traces`, and the same under
// Opik's `/api/v1/private/otel/v1/traces`. JSON or protobuf, gzip/deflate/none (the server
// decompresses). Replies follow OTLP/HTTP: an `ExportTraceServiceResponse` in the request's
// encoding, with `partialSuccess` when some spans were rejected, and 400 with a
// `google.rpc.Status` in the request's encoding when the body is not an export request.

import { OtlpFormatError, otlpToPatches } from '../core/normalise/otlp';
import { HttpError } from './httpError';
import { decodeExportTraceRequest, encodeExportTraceResponse, encodeRpcStatus } from './otlpProto';
import type { CollectorDeps, RequestContext, Route, RouteReply } from './router';
import { mediaType } from './router';

const JSON_TYPE = 'application/json';
const PROTOBUF_TYPE = 'application/x-protobuf';
/** google.rpc.Code values. */
const INVALID_ARGUMENT = 3;
const RESOURCE_EXHAUSTED = 8;

export const OTLP_TRACE_PATHS = ['/v1/traces', '/api/v1/private/otel/v1/traces'];

export function otlpRoutes(deps: CollectorDeps): Route[] {
  return OTLP_TRACE_PATHS.map(
    (path): Route => ({
      method: 'POST',
      path,
      auth: 'none',
      accepts: [JSON_TYPE, PROTOBUF_TYPE],
      handler: (ctx) => exportTraces(ctx, deps),
    }),
  );
}

async function exportTraces(ctx: RequestContext, deps: CollectorDeps): Promise<RouteReply> {
  const protobuf = mediaType(ctx.req.headers['content-type']) === PROTOBUF_TYPE;
  let body: Buffer;
  try {
    body = await ctx.readBody();
  } catch (err) {
    // Too large, or not valid gzip/deflate: still answer in the encoding the exporter reads.
    if (err instanceof HttpError)
      return failure(protobuf, err.status, err.status === 413 ? RESOURCE_EXHAUSTED : INVALID_ARGUMENT, err.message);
    throw err;
  }
  let request: unknown;
  try {
    request = protobuf ? decodeExportTraceRequest(body) : JSON.parse(body.toString('utf8'));
  } catch (err) {
    return malformed(
      protobuf,
      `malformed ${protobuf ? 'protobuf' : 'JSON'} ExportTraceServiceRequest: ${(err as Error).message}`,
    );
  }
  let result;
  try {
    result = otlpToPatches(request, { project: projectHeader(ctx) });
  } catch (err) {
    if (err instanceof OtlpFormatError) return malformed(protobuf, `invalid ExportTraceServiceRequest: ${err.message}`);
    throw err;
  }
  deps.store.apply(result.patches);
  if (protobuf) {
    return {
      status: 200,
      body: Buffer.from(encodeExportTraceResponse(result.rejectedSpans, result.errorMessage)),
      headers: { 'content-type': PROTOBUF_TYPE },
    };
  }
  const partialSuccess = { rejectedSpans: result.rejectedSpans, errorMessage: result.errorMessage };
  return { status: 200, json: result.rejectedSpans ? { partialSuccess } : {} };
}

function malformed(protobuf: boolean, message: string): RouteReply {
  return failure(protobuf, 400, INVALID_ARGUMENT, message);
}

/** An error reply with a Status in the request's own encoding, so the exporter can read why. */
function failure(protobuf: boolean, status: number, code: number, message: string): RouteReply {
  if (protobuf)
    return { status, body: Buffer.from(encodeRpcStatus(code, message)), headers: { 'content-type': PROTOBUF_TYPE } };
  // `error` as well, so the reply also reads like every other Spanscope error.
  return { status, json: { code, message, error: message } };
}

/** Opik's OTel endpoint takes the project from a `projectName` header. */
function projectHeader(ctx: RequestContext): string | undefined {
  const value = ctx.req.headers.projectname;
  return typeof value === 'string' && value ? value : undefined;
}
