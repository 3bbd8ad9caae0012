// The collector: one node:http server on one port for every route, with WebSocket upgrades
// routed by path (`ws` in noServer mode, so a connection is checked before its handshake).
// Host and Origin are checked before anything else, for every request and every upgrade.

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Readable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import { StoreWriteError, type TraceStoreApi } from '../store/types';
import { BodyBudget, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_PENDING_BODY_BYTES } from './body';
import { braintrustRoutes } from './braintrustRoutes';
import { withCostEstimates } from './costEstimate';
import { functionRoutes } from './functionRoutes';
import { HttpError } from './httpError';
import { serveIngestSocket } from './ingestSocket';
import { LIVE_INTERVAL_MS, LiveHub } from './liveSocket';
import { nativeRoutes } from './nativeRoutes';
import { opikRoutes } from './opikRoutes';
import { type OtlpGrpcServer, startOtlpGrpc } from './otlpGrpc';
import { otlpRoutes } from './otlpRoutes';
import { type ProxyOptions, createProxy } from './proxy/proxyRoutes';
import { queryRoutes } from './queryRoutes';
import { readRoutes } from './readRoutes';
import { type CollectorDeps, type Route, type RouteReply, Router, createContext, mediaType } from './router';
import { Gatekeeper } from './security';
import { webRoutes } from './webRoutes';

export const DEFAULT_PORT = 7726;
export const DEFAULT_HOST = '127.0.0.1';
export const INGEST_SOCKET_PATH = '/api/ingest/ws';
export const LIVE_SOCKET_PATH = '/api/live';

export interface CollectorOptions {
  store: TraceStoreApi;
  /** Default 7726; 0 = a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Random if absent. */
  token?: string;
  version?: string;
  log?: (message: string) => void;
  /** More routes, e.g. the standalone web page. */
  extraRoutes?: Route[];
  /** Request bodies above this many bytes (also after decompression) get 413. Default 32 MiB. */
  maxBodyBytes?: number;
  /** Bytes of request bodies received at once, all requests together; past it 503 (body.ts, BodyBudget). Default 256 MiB. */
  maxPendingBodyBytes?: number;
  /** How often WebSocket peers are pinged; one that missed the last pong is dropped. Default 30 s. */
  heartbeatMs?: number;
  /** Minimum time between two `/api/live` messages to one connection. Default 100 ms. */
  liveIntervalMs?: number;
  /** The AI proxy at /v1/proxy: its upstream, cache folder and size (docs/interop.md, "AI proxy"). */
  proxy?: ProxyOptions;
  /**
   * OTLP/gRPC on a second port, on 127.0.0.1 whatever `host` is (src/collector/otlpGrpc.ts); off when absent.
   * `port` 0: any free port; `fallback`: the next ports are tried when it is taken.
   */
  grpc?: { port: number; fallback?: boolean };
}

export interface Collector {
  readonly port: number;
  /** The OTLP/gRPC port; undefined when gRPC is off or could not bind (the log says why). */
  readonly grpcPort?: number;
  readonly url: string;
  readonly token: string;
  /** Safe to call twice. Does not close the store (its owner does). */
  close(): Promise<void>;
}

/** A port in use rejects with an Error whose `code` is 'EADDRINUSE'. */
export async function startCollector(options: CollectorOptions): Promise<Collector> {
  const host = options.host ?? DEFAULT_HOST;
  const token = options.token ?? randomBytes(24).toString('base64url');
  const log = options.log ?? ((m: string) => console.log(m));
  // Every route writes through this one store, which prices LLM spans on the way in
  // (costEstimate.ts). The function index reads the store itself: the extension host, which
  // shares one index per store with the read API, holds the store unwrapped.
  const store = withCostEstimates(options.store);
  const deps: CollectorDeps = { store, version: options.version ?? '0.0.0', token, log };
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const bodyBudget = new BodyBudget(options.maxPendingBodyBytes ?? DEFAULT_MAX_PENDING_BODY_BYTES);
  const proxy = createProxy(deps, options.proxy ?? {});
  const router = new Router([
    ...nativeRoutes(deps),
    ...readRoutes(deps),
    ...queryRoutes(deps),
    ...functionRoutes({ ...deps, store: options.store }),
    ...opikRoutes(deps),
    ...otlpRoutes(deps),
    ...braintrustRoutes(deps),
    ...webRoutes(deps),
    ...proxy.routes,
    ...(options.extraRoutes ?? []),
  ]);

  let gate!: Gatekeeper; // set once listening: it needs the port
  const server = createServer((req, res) => void handleRequest(req, res));
  const ingestSockets = new WebSocketServer({ noServer: true, maxPayload: maxBodyBytes });
  const liveSockets = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const live = new LiveHub(options.store, deps.version, options.liveIntervalMs ?? LIVE_INTERVAL_MS, log);

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let cookie: string | undefined;
    try {
      gate.checkHostAndOrigin(req);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const match = router.match(req.method ?? 'GET', url.pathname);
      if (!match.route) {
        if (match.status === 405) {
          return send(res, {
            status: 405,
            json: { error: `${req.method} is not allowed on ${url.pathname}` },
            headers: { allow: match.allow.join(', ') },
          });
        }
        throw new HttpError(404, `no such route: ${req.method} ${url.pathname}`);
      }
      const { route, params } = match;
      if (route.auth === 'token') {
        try {
          cookie = gate.checkToken(req, url);
        } catch (err) {
          if (route.unauthorized && err instanceof HttpError && err.status === 401)
            return send(res, route.unauthorized(err.message));
          throw err;
        }
      }
      if (route.accepts && !route.accepts.includes(mediaType(req.headers['content-type']))) {
        throw new HttpError(415, `Content-Type must be ${route.accepts.join(' or ')}`);
      }
      const reply = await route.handler(
        createContext(req, url, params, maxBodyBytes, () => gate.holdsToken(req, url), bodyBudget),
      );
      send(res, reply, cookie);
    } catch (err) {
      if (err instanceof HttpError) {
        send(
          res,
          {
            status: err.status,
            json: err.details === undefined ? { error: err.message } : { error: err.message, details: err.details },
            headers: err.headers,
          },
          cookie,
        );
      } else if (err instanceof StoreWriteError) {
        // Nothing of the request was applied (the store refuses before changing anything).
        send(res, {
          status: 507,
          json: { error: err.message },
          headers: { 'retry-after': String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))) },
        });
      } else {
        log(`Spanscope: ${req.method} ${pathOf(req.url)} failed: ${(err as Error)?.stack ?? err}`);
        send(res, { status: 500, json: { error: 'internal error in the collector (see its log)' } });
      }
    }
  }

  function send(res: ServerResponse, reply: RouteReply, cookie?: string): void {
    if (res.headersSent || res.destroyed) return;
    const headers: Record<string, string> = {
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      ...reply.headers,
    };
    if (cookie) headers['set-cookie'] = cookie;
    if (reply.stream) return sendStream(res, reply.status, headers, reply.stream);
    let body: string | Buffer | undefined = reply.body;
    if (reply.json !== undefined) {
      body = JSON.stringify(reply.json);
      headers['content-type'] = 'application/json; charset=utf-8';
    }
    if (reply.status === 204 || reply.status === 304) body = undefined;
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    // Refused before its body was all read (413 over the cap, 415, a bad header): the
    // connection ends with the reply. Node would otherwise read the rest of the body to reuse
    // the connection, and a body that never ends was read for as long as it was sent.
    if (!res.req.complete) headers.connection = 'close';
    res.writeHead(reply.status, headers);
    res.end(res.req.method === 'HEAD' ? undefined : body);
  }

  function sendStream(
    res: ServerResponse,
    status: number,
    headers: Record<string, string>,
    stream: AsyncIterable<string | Buffer>,
  ): void {
    res.writeHead(status, headers);
    if (res.req.method === 'HEAD') return void res.end();
    pipeline(Readable.from(stream), res).catch((err) => {
      if (!res.destroyed || (err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE')
        log(`Spanscope: streaming ${pathOf(res.req.url)} failed: ${(err as Error).message}`);
      res.destroy();
    });
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    try {
      gate.checkHostAndOrigin(req);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname === INGEST_SOCKET_PATH) {
        ingestSockets.handleUpgrade(req, socket, head, (ws) => {
          watchHeartbeat(ws);
          serveIngestSocket(ws, deps);
        });
      } else if (url.pathname === LIVE_SOCKET_PATH) {
        gate.checkToken(req, url);
        liveSockets.handleUpgrade(req, socket, head, (ws) => {
          watchHeartbeat(ws);
          live.connect(ws);
        });
      } else {
        throw new HttpError(404, `no WebSocket at ${url.pathname}`);
      }
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500;
      const body = JSON.stringify({ error: err instanceof HttpError ? err.message : 'internal error' });
      socket.end(
        `HTTP/1.1 ${status} ${statusText(status)}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
  });

  // Heartbeat: a peer that did not answer the previous ping is gone (sleeping laptop, killed process).
  const alive = new WeakMap<WebSocket, boolean>();
  function watchHeartbeat(ws: WebSocket): void {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('error', () => ws.terminate());
  }
  const heartbeat = setInterval(() => {
    for (const ws of [...ingestSockets.clients, ...liveSockets.clients]) {
      if (!alive.get(ws)) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, options.heartbeatMs ?? 30_000);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err) => {
    clearInterval(heartbeat);
    live.close();
    throw err;
  });
  server.on('error', (err) => log(`Spanscope: server error: ${err.message}`));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? DEFAULT_PORT);
  gate = new Gatekeeper(token, host, port);

  let grpc: OtlpGrpcServer | undefined;
  if (options.grpc) {
    try {
      // Loopback whatever `host` is: gRPC has no Host/Origin checks, so it is never exposed.
      grpc = await startOtlpGrpc({
        store,
        port: options.grpc.port,
        fallback: options.grpc.fallback ?? false,
        host: DEFAULT_HOST,
        maxMessageBytes: maxBodyBytes,
        log,
      });
    } catch (err) {
      // gRPC is a second door: the collector still serves everything else without it.
      log(
        `Spanscope: OTLP/gRPC is off: could not listen on port ${options.grpc.port}${options.grpc.fallback ? ' or the next ones' : ''}: ${(err as Error).message}`,
      );
    }
  }

  let closing: Promise<void> | undefined;
  return {
    port,
    grpcPort: grpc?.port,
    token,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        live.close();
        for (const ws of [...ingestSockets.clients, ...liveSockets.clients]) ws.terminate();
        ingestSockets.close();
        liveSockets.close();
        const grpcClosed = grpc?.close() ?? Promise.resolve();
        server.close(
          () =>
            void Promise.all([grpcClosed, proxy.close()]).then(
              () => resolve(),
              () => resolve(),
            ),
        );
        server.closeAllConnections();
      })),
  };
}

/**
 * A request's path as the log shows it: without its query, which may carry a credential (the
 * read token as `?token=`, a provider's key as the proxy's `?key=`), and logs get pasted into
 * issues.
 */
function pathOf(url: string | undefined): string {
  return (url ?? '/').split('?')[0];
}

function statusText(status: number): string {
  return (
    (
      {
        400: 'Bad Request',
        401: 'Unauthorized',
        403: 'Forbidden',
        404: 'Not Found',
        500: 'Internal Server Error',
      } as Record<number, string>
    )[status] ?? 'Error'
  );
}
