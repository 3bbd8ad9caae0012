// The AI proxy: an OpenAI-compatible base URL at /v1/proxy on the collector's port. Every
// request under it goes to the configured upstream with the client's own credentials, its
// reply comes back unchanged (a stream chunk by chunk, as it arrives), and the call becomes
// an `llm` span (callSpan.ts). Calls that ask for a repeatable answer are answered from a
// cache on disk the second time (cachePolicy.ts, proxyCache.ts). The collector's Host and
// Origin checks apply as on every route; no token is needed (the openai clients send their
// API key as the Authorization, and that goes upstream, never to a log or a file).

import type { IncomingMessage } from 'node:http';
import { describeRequest, endpointOf } from '../../core/llmCalls/openaiCalls';
import { cutDepth } from '../../core/normalise/limits';
import {
  type CollectorDeps,
  type Method,
  type RequestContext,
  type Route,
  type RouteReply,
  mediaType,
} from '../router';
import { cacheKey, cachePlan } from './cachePolicy';
import { CallSpan } from './callSpan';
import { credentials, headerValue, quotesAny } from './callerCredentials';
import { providerOf } from './providers';
import { parentFromHeaders } from './proxyParent';
import { DEFAULT_CACHE_MAX_BYTES, ProxyCache } from './proxyCache';
import { ReplyObserver, httpError } from './replyObserver';
import {
  DEFAULT_UPSTREAM,
  DEFAULT_UPSTREAM_TIMEOUT_MS,
  UpstreamError,
  callUpstream,
  forwardedHeaders,
  replyHeaders,
  upstreamUrl,
} from './upstream';

export const PROXY_PREFIX = '/v1/proxy';
/** The same proxy answering only from its cache, as `x-spanscope-cache: replay` does: a base
 * URL alone (OPENAI_BASE_URL) makes a saved test's calls offline, for clients that send no
 * custom header. */
export const PROXY_REPLAY_PREFIX = '/v1/proxy-replay';
export const CACHED_HEADER = 'x-spanscope-cached';

export interface ProxyOptions {
  /** OpenAI-compatible base URL; default https://api.openai.com/v1. */
  upstream?: string;
  /** Folder of the cache (beside the store's files); no cache without one. */
  cacheDir?: string;
  /** Default 256 MiB. */
  cacheMaxBytes?: number;
  /** Longest silence from the upstream, before its reply or within it. Default 10 minutes. */
  timeoutMs?: number;
}

export interface Proxy {
  routes: Route[];
  /** Waits for cache writes under way. */
  close(): Promise<void>;
}

const METHODS: Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

export function createProxy(deps: CollectorDeps, options: ProxyOptions): Proxy {
  const upstream = (options.upstream || DEFAULT_UPSTREAM).replace(/\/+$/, '');
  upstreamUrl(upstream, '/'); // a bad URL fails the start, not the first call
  const timeoutMs = options.timeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
  let cache: Promise<ProxyCache | undefined> | undefined;
  const openCache = () =>
    (cache ??= options.cacheDir
      ? ProxyCache.open(options.cacheDir, options.cacheMaxBytes ?? DEFAULT_CACHE_MAX_BYTES, deps.log).catch((err) => {
          deps.log(
            `Spanscope proxy: the cache in ${options.cacheDir} could not be opened (${(err as Error).message}); calls go upstream uncached`,
          );
          return undefined;
        })
      : Promise.resolve(undefined));

  const handler = (ctx: RequestContext) => handle(ctx, { deps, upstream, timeoutMs, cache: openCache }, PROXY_PREFIX);
  const replayHandler = (ctx: RequestContext) =>
    handle(ctx, { deps, upstream, timeoutMs, cache: openCache }, PROXY_REPLAY_PREFIX);
  return {
    routes: [
      ...METHODS.map((method): Route => ({ method, path: `${PROXY_PREFIX}/*`, auth: 'none', handler })),
      ...METHODS.map(
        (method): Route => ({ method, path: `${PROXY_REPLAY_PREFIX}/*`, auth: 'none', handler: replayHandler }),
      ),
    ],
    close: async () => (await cache)?.close(),
  };
}

interface ProxyContext {
  deps: CollectorDeps;
  upstream: string;
  timeoutMs: number;
  cache(): Promise<ProxyCache | undefined>;
}

async function handle(ctx: RequestContext, proxy: ProxyContext, prefix: string): Promise<RouteReply> {
  const { req } = ctx;
  const method = req.method ?? 'GET';
  const path = ctx.url.pathname.slice(prefix.length);
  const pathAndQuery = `${path}${ctx.url.search}`;
  const endpoint = endpointOf(path);
  const body = method === 'GET' || method === 'HEAD' ? undefined : await ctx.readBody();
  const json =
    body?.length && mediaType(req.headers['content-type']) === 'application/json' ? parseJson(body) : undefined;
  const parent = parentFromHeaders(req.headers);
  const plan = cachePlan(
    prefix === PROXY_REPLAY_PREFIX ? { ...req.headers, 'x-spanscope-cache': 'replay' } : req.headers,
    json,
  );
  const key = plan.read || plan.write ? safeKey(proxy.upstream, method, pathAndQuery, json) : undefined;
  // The span reads the body cut to the depth the store keeps (its readers recurse); the cache key takes it whole.
  const request = describeRequest(endpoint, cutDepth(json));
  const model = request.model;
  const secrets = credentials(req, ctx.url);
  const span = new CallSpan(proxy.deps, {
    name: model
      ? `${endpoint === 'other' ? path.replace(/^\//, '') : endpoint} ${model}`
      : endpoint === 'other'
        ? `${method} ${path}`
        : endpoint,
    input: request.input,
    model,
    provider: providerOf(proxy.upstream),
    metadata: { ...request.metadata, proxy_path: pathAndQuery, cache_mode: plan.mode },
    parent,
    secrets,
  });
  span.start();

  const cache = key ? await proxy.cache() : undefined;
  if (key && cache && plan.read) {
    const hit = await cache.get(key, plan.maxAgeMs);
    if (hit) {
      const chunks: Buffer[] = [];
      let at = 0;
      for (const size of hit.reply.chunks) chunks.push(hit.body.subarray(at, (at += size)));
      const observer = new ReplyObserver(endpoint, hit.reply.status, hit.reply.contentType, Date.now());
      const headers: Record<string, string> = { [CACHED_HEADER]: 'HIT' };
      if (hit.reply.contentType) headers['content-type'] = hit.reply.contentType;
      return relay({ req, span, observer, source: chunks, status: hit.reply.status, headers, cached: true });
    }
  }
  if (plan.mode === 'replay') {
    const message = key
      ? `no cached reply for this request (x-spanscope-cache: replay answers only from the cache; run it once with x-spanscope-cache: always, or with a seed, to record it)`
      : `x-spanscope-cache: replay needs a JSON request body to look up`;
    return failed(span, 404, { error: { message, type: 'spanscope_cache_miss', code: 'cache_miss' } });
  }

  const controller = new AbortController();
  const onClose = () => controller.abort();
  req.socket.once('close', onClose);
  let reply: IncomingMessage;
  try {
    reply = await callUpstream({
      url: upstreamUrl(proxy.upstream, pathAndQuery),
      method,
      headers: forwardedHeaders(req.headers, body?.length),
      body,
      timeoutMs: proxy.timeoutMs,
      signal: controller.signal,
    });
  } catch (err) {
    req.socket.off('close', onClose);
    const e = err instanceof UpstreamError ? err : new UpstreamError('unreachable', (err as Error).message);
    if (e.kind === 'aborted') {
      span.end({
        metadata: { aborted: true },
        error: {
          exception_type: 'ClientAborted',
          message: 'the client closed the connection before the upstream answered',
        },
        cached: false,
      });
      return { status: 499, json: { error: { message: e.message } } };
    }
    const status = e.kind === 'timeout' ? 504 : 502;
    return failed(span, status, {
      error: {
        message: `Spanscope proxy: ${e.message}`,
        type: e.kind === 'timeout' ? 'upstream_timeout' : 'upstream_unreachable',
      },
    });
  }
  const status = reply.statusCode ?? 502;
  const observer = new ReplyObserver(
    endpoint,
    status,
    headerValue(reply.headers['content-type']),
    Date.now() - span.durationMs,
    headerValue(reply.headers['content-encoding']),
  );
  const headers = { ...replyHeaders(reply.headers), [CACHED_HEADER]: 'MISS' };
  // A compressed reply is not kept: the cache stores no Content-Encoding to serve it with.
  const encoded = (headerValue(reply.headers['content-encoding']) ?? 'identity').trim().toLowerCase() !== 'identity';
  const store =
    key && cache && plan.write && status >= 200 && status < 300 && !encoded
      ? { cache, key, contentType: headerValue(reply.headers['content-type']), secrets }
      : undefined;
  return relay({
    req,
    span,
    observer,
    source: reply,
    status,
    headers,
    cached: false,
    store,
    abort: controller,
    onClose,
  });
}

interface Relay {
  req: IncomingMessage;
  span: CallSpan;
  observer: ReplyObserver;
  source: AsyncIterable<Buffer> | Buffer[];
  status: number;
  headers: Record<string, string>;
  cached: boolean;
  /** Where a complete reply is kept, unless it quotes one of `secrets` (the request's credentials). */
  store?: { cache: ProxyCache; key: string; contentType?: string; secrets: string[] };
  abort?: AbortController;
  onClose?: () => void;
}

/**
 * The reply, passed on chunk by chunk as it comes, watched by the observer; the span ends
 * when it has all gone (or the client left, or the upstream failed mid-way), and a complete
 * 2xx reply is stored for the next identical call.
 */
function relay(r: Relay): RouteReply {
  let started = false;
  let finished = false;
  const left = () => new UpstreamError('aborted', 'the client closed the connection before the reply ended');
  /** What the span recorded of the reply: read whole, a stream's pieces joined. */
  let read: ReturnType<ReplyObserver['result']> | undefined;
  const finish = (error?: Error) => {
    if (finished) return;
    finished = true;
    r.req.socket.off('close', onClose);
    const result = (read = readResult(r.observer));
    const aborted = error instanceof UpstreamError && error.kind === 'aborted';
    const metadata = { ...result.metadata, status_code: r.status, ...(aborted ? { aborted: true } : {}) };
    const failure = error
      ? {
          exception_type: aborted
            ? 'ClientAborted'
            : error instanceof UpstreamError && error.kind === 'timeout'
              ? 'UpstreamTimeout'
              : 'UpstreamError',
          message: error.message,
        }
      : result.error;
    r.span.end({
      output: result.output,
      usage: result.usage,
      model: result.model,
      metadata,
      error: failure,
      timeToFirstTokenMs: r.observer.streamed ? result.timeToFirstTokenMs : undefined,
      cached: r.cached,
    });
  };
  // The client leaving cancels the upstream request; if it leaves before the reply's first
  // chunk is asked for, the stream below never runs, so the span ends here.
  const onClose = () => {
    r.abort?.abort();
    if (started) return;
    if (!Array.isArray(r.source)) (r.source as IncomingMessage).destroy();
    finish(left());
  };
  if (r.onClose) r.req.socket.off('close', r.onClose);
  r.req.socket.once('close', onClose);
  if (r.req.socket.destroyed) onClose();
  if (r.req.method === 'HEAD') {
    if (!Array.isArray(r.source)) (r.source as IncomingMessage).resume();
    finish();
    return { status: r.status, headers: r.headers };
  }
  async function* stream(): AsyncGenerator<Buffer> {
    started = true;
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let outcome: Error | 'complete' | undefined; // undefined: stopped at a yield (the client left)
    try {
      for await (const chunk of r.source) {
        r.observer.push(chunk);
        if (r.store) {
          kept.push(chunk);
          keptBytes += chunk.length;
          if (keptBytes > r.store.cache.maxBytes) {
            r.store = undefined; // larger than the whole cache: not kept
            kept.length = 0;
          }
        }
        yield chunk;
      }
      outcome = 'complete';
    } catch (err) {
      outcome = err as Error;
      if (!(err instanceof UpstreamError && err.kind === 'aborted')) throw err; // cuts the connection: the status line has gone
    } finally {
      finish(outcome === 'complete' ? undefined : (outcome ?? left()));
      // A reply that quotes the caller's key would put it on disk, and serve it to the next
      // caller with another key: in its bytes, or spelled out across a stream's events.
      if (outcome === 'complete' && r.store && !quotesAny([...kept, Buffer.from(readText(read))], r.store.secrets)) {
        void r.store.cache.put(r.store.key, { status: r.status, contentType: r.store.contentType, chunks: kept });
      }
    }
  }
  return { status: r.status, headers: r.headers, stream: stream() };
}

/**
 * What the observer made of the reply. Reading a reply the provider sent is parsing untrusted
 * text: should it throw, the span still ends (a running span would spin in the panel for
 * ever), saying why its output is missing.
 */
function readResult(observer: ReplyObserver): ReturnType<ReplyObserver['result']> {
  try {
    return observer.result();
  } catch (err) {
    return {
      metadata: {},
      error: {
        exception_type: 'SpanscopeProxyError',
        message: `the reply could not be read: ${(err as Error).message}`,
      },
    };
  }
}

/** A reply the proxy makes itself (no upstream answer): an error span, and the OpenAI error shape the clients read. */
function failed(
  span: CallSpan,
  status: number,
  json: { error: { message: string; type: string; code?: string } },
): RouteReply {
  span.end({ output: json, metadata: { status_code: status }, error: httpError(status, json), cached: false });
  return { status, json, headers: { [CACHED_HEADER]: 'MISS' } };
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined; // passed on as it is: the upstream says what is wrong with it
  }
}

/** A body nested too deeply to serialise again is not cached (the key could not be made). */
function safeKey(upstream: string, method: string, path: string, json: unknown): string | undefined {
  try {
    return cacheKey(upstream, method, path, json);
  } catch {
    return undefined;
  }
}

/** The reply as the span read it, as text to look for credentials in (cut to the store's depth, so it serialises). */
function readText(read: ReturnType<ReplyObserver['result']> | undefined): string {
  try {
    return JSON.stringify(read ?? null);
  } catch {
    return '';
  }
}
