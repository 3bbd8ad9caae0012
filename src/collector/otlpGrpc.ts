// OTLP/gRPC trace export on its own loopback port (4317 by default, as exporters expect):
// the one method of the official service, `opentelemetry.proto.collector.trace.v1.TraceService/
// Export`, registered with raw-bytes (de)serialisers so the request is decoded by the same
// protobuf descriptor as OTLP/HTTP (otlpProto.ts) and read by the same normaliser. Replies
// per OTLP/gRPC: an ExportTraceServiceResponse (with partial success when spans were
// rejected), or a status code: INVALID_ARGUMENT for a request that is not one (nothing of it
// stored), RESOURCE_EXHAUSTED above the size limit, UNAVAILABLE when the store refuses.
// Bound to loopback only: no browser can reach gRPC, and nothing else should.

import * as grpc from '@grpc/grpc-js';
import { OtlpFormatError, otlpToPatches } from '../core/normalise/otlp';
import type { TraceStoreApi } from '../store/types';
import { HttpError } from './httpError';
import { decodeExportTraceRequest, encodeExportTraceResponse } from './otlpProto';

export const OTLP_GRPC_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
export const DEFAULT_GRPC_PORT = 4317;
/** When the port asked for is taken, the next ones are tried, up to this many. */
const PORT_TRIES = 10;

export interface OtlpGrpcOptions {
  store: TraceStoreApi;
  /** 0: a free port the system chooses. */
  port: number;
  /** Try the following ports when `port` is taken. */
  fallback: boolean;
  host: string;
  maxMessageBytes: number;
  log(message: string): void;
}

export interface OtlpGrpcServer {
  readonly port: number;
  close(): Promise<void>;
}

const identity = (b: Buffer): Buffer => b;
const service: grpc.ServiceDefinition = {
  Export: {
    path: OTLP_GRPC_EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

export async function startOtlpGrpc(options: OtlpGrpcOptions): Promise<OtlpGrpcServer> {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': options.maxMessageBytes });
  server.addService(service, {
    Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, reply: grpc.sendUnaryData<Buffer>) =>
      reply(...exportTraces(call, options)),
  });
  const tries = options.fallback && options.port !== 0 ? PORT_TRIES : 1;
  let lastError: Error | undefined;
  for (let i = 0; i < tries && options.port + i <= 65535; i++) {
    try {
      const port = await bind(server, options.host, options.port === 0 ? 0 : options.port + i);
      return { port, close: () => shutdown(server) };
    } catch (err) {
      lastError = err as Error;
    }
  }
  server.forceShutdown();
  throw lastError ?? new Error('no port to bind');
}

type Reply = [grpc.ServerErrorResponse | null, Buffer?];

function exportTraces(call: grpc.ServerUnaryCall<Buffer, Buffer>, options: OtlpGrpcOptions): Reply {
  let request: Record<string, unknown>;
  try {
    request = decodeExportTraceRequest(call.request);
  } catch (err) {
    return failure(
      grpc.status.INVALID_ARGUMENT,
      `malformed protobuf ExportTraceServiceRequest: ${(err as Error).message}`,
    );
  }
  try {
    const result = otlpToPatches(request);
    options.store.apply(result.patches);
    return [null, Buffer.from(encodeExportTraceResponse(result.rejectedSpans, result.errorMessage))];
  } catch (err) {
    if (err instanceof OtlpFormatError)
      return failure(grpc.status.INVALID_ARGUMENT, `invalid ExportTraceServiceRequest: ${err.message}`);
    // The store refusing (full disk, degraded) says so as an HttpError; the exporter retries UNAVAILABLE.
    if (err instanceof HttpError)
      return failure(err.status === 507 ? grpc.status.RESOURCE_EXHAUSTED : grpc.status.UNAVAILABLE, err.message);
    options.log(`Spanscope: OTLP/gRPC export failed: ${(err as Error)?.stack ?? err}`);
    return failure(grpc.status.INTERNAL, 'internal error in the collector (see its log)');
  }
}

function failure(code: grpc.status, details: string): Reply {
  return [Object.assign(new Error(details), { code, details })];
}

function bind(server: grpc.Server, host: string, port: number): Promise<number> {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) =>
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
}

function shutdown(server: grpc.Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.forceShutdown(), 2000);
    force.unref();
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}
