// One request to the upstream API (api.openai.com or any OpenAI-compatible base URL), over
// node:http/https. The client's headers go on as they came, its Authorization included, minus
// what belongs to this hop (Host, Connection, …), Spanscope's own headers and cookies (the
// collector's token cookie must never leave the machine). Replies come back uncompressed
// (`Accept-Encoding: identity`) so the proxy can read what it passes on. A socket silent for
// `timeoutMs` (before the reply or between two chunks of it) is a timeout; the caller's
// AbortSignal (the client went away) cancels the request at any point.

import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export const DEFAULT_UPSTREAM = 'https://api.openai.com/v1';
/** As long as the openai clients wait by default: a reasoning model may think for minutes before its first byte. */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 10 * 60 * 1000;

/** Headers of one hop only (RFC 9110 §7.6.1), never forwarded either way. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
/** Request headers that describe the client's request to the collector, not the upstream one. */
const NOT_FORWARDED = new Set([
  'host',
  'content-length',
  'content-encoding',
  'accept-encoding',
  'cookie',
  'origin',
  'referer',
  'expect',
]);

/**
 * Connections to the upstream are kept open between calls (a TLS handshake to the provider
 * costs more than most proxied work); an idle one does not keep the process alive.
 */
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

export class UpstreamError extends Error {
  constructor(
    readonly kind: 'timeout' | 'unreachable' | 'aborted',
    message: string,
  ) {
    super(message);
  }
}

/** `https://api.openai.com/v1` + `/chat/completions?x=1`; throws on a base that is not an http(s) URL. */
export function upstreamUrl(base: string, pathAndQuery: string): URL {
  const url = new URL(base);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`the proxy's upstream must be an http or https URL, not "${base}"`);
  const [path, query] = splitOnce(pathAndQuery, '?');
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  url.search = query === undefined ? '' : `?${query}`;
  return url;
}

export function forwardedHeaders(headers: IncomingHttpHeaders, bodyLength: number | undefined): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (
      value === undefined ||
      HOP_BY_HOP.has(name) ||
      NOT_FORWARDED.has(name) ||
      name.startsWith('x-spanscope-') ||
      name.startsWith('x-bt-')
    )
      continue;
    out[name] = value;
  }
  out['accept-encoding'] = 'identity';
  if (bodyLength !== undefined) out['content-length'] = String(bodyLength);
  return out;
}

/**
 * Reply headers to pass back to the client: all but this hop's own, and the provider's
 * cookies (scoped to its domain, they mean nothing on 127.0.0.1, and API clients ignore them).
 */
export function replyHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name === 'set-cookie') continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export interface UpstreamCall {
  url: URL;
  method: string;
  headers: OutgoingHttpHeaders;
  body?: Buffer;
  timeoutMs: number;
  signal: AbortSignal;
}

/**
 * Resolves with the reply once its headers arrived (its body still to be read: it is a
 * stream, and a timeout or abort later destroys it with an UpstreamError); rejects with an
 * UpstreamError when no reply comes.
 */
export function callUpstream(call: UpstreamCall): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const https = call.url.protocol === 'https:';
    const req = (https ? httpsRequest : httpRequest)(call.url, {
      method: call.method,
      headers: call.headers,
      agent: https ? agents.https : agents.http,
    });
    let reply: IncomingMessage | undefined;
    const fail = (err: UpstreamError) => {
      if (reply) reply.destroy(err);
      else reject(err);
      req.destroy(err);
    };
    const onAbort = () => fail(new UpstreamError('aborted', 'the client closed the connection'));
    if (call.signal.aborted) return onAbort();
    call.signal.addEventListener('abort', onAbort, { once: true });
    req.setNoDelay(true);
    req.setTimeout(call.timeoutMs, () =>
      fail(
        new UpstreamError(
          'timeout',
          `the upstream ${call.url.host} sent nothing for ${call.timeoutMs < 1000 ? `${call.timeoutMs} ms` : `${Math.round(call.timeoutMs / 1000)} s`}`,
        ),
      ),
    );
    req.on('response', (res) => {
      reply = res;
      res.on('close', () => call.signal.removeEventListener('abort', onAbort));
      resolve(res);
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (reply) return; // the reply stream carries it
      call.signal.removeEventListener('abort', onAbort);
      reject(
        err instanceof UpstreamError
          ? err
          : new UpstreamError(
              'unreachable',
              `could not reach the upstream ${call.url.origin}: ${err.code ?? ''} ${err.message}`.replace(/\s+/g, ' '),
            ),
      );
    });
    req.end(call.body);
  });
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}
