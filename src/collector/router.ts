// The route contract every route module plugs into (see notes in docs/protocol.md): a route
// is a method, a path with ':name' segments, whether it needs the token, which media types
// its body may have, and a handler that returns a reply or throws an HttpError.

import type { IncomingMessage } from 'node:http';
import type { TraceStoreApi } from '../store/types';
import { type BodyBudget, readBody } from './body';
import { HttpError } from './httpError';

export interface RequestContext {
  req: IncomingMessage;
  /** Parsed request URL. */
  url: URL;
  /** From ':name' segments of the route path, URL-decoded. */
  params: Record<string, string>;
  /** The body, size-capped (413) and decompressed per Content-Encoding gzip/deflate (cap applies after decompression too). */
  readBody(): Promise<Buffer>;
  /** readBody + JSON.parse; throws HttpError(400, 'malformed JSON: …') on bad JSON. */
  readJson(): Promise<unknown>;
  /** Whether the request carries the right read token (Bearer, ?token= or the cookie), for an open route that shows more to its holder. */
  hasToken(): boolean;
}

export interface RouteReply {
  status: number;
  /** Serialised with Content-Type application/json. */
  json?: unknown;
  /** Sent as is, with headers['content-type']. */
  body?: string | Buffer;
  /**
   * Sent chunk by chunk as it is produced, with headers['content-type'] (large exports). A
   * failure midway cuts the connection: the status line has gone already.
   */
  stream?: AsyncIterable<string | Buffer>;
  headers?: Record<string, string>;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Route {
  method: Method;
  /**
   * '/api/traces/:id'; exact segments otherwise. A last segment '*' matches the rest of the
   * path (one or more segments; `params['*']`, decoded, segments joined by '/'), for static
   * files. It is client text: it may hold '..', so resolve it and check it stays inside the folder.
   */
  path: string;
  /** 'token' routes need the read token (Bearer, ?token=, or cookie); 'none' are open to local processes. */
  auth: 'none' | 'token';
  /** For body-carrying routes: accepted media types; anything else gets 415. */
  accepts?: string[];
  /**
   * For 'token' routes a person opens in a browser (the web UI): the reply, e.g. an HTML page
   * saying where the token comes from, instead of the JSON 401 when the token is missing or wrong.
   */
  unauthorized?(message: string): RouteReply;
  handler(ctx: RequestContext): Promise<RouteReply> | RouteReply;
}

export interface CollectorDeps {
  store: TraceStoreApi;
  version: string;
  token: string;
  log(message: string): void;
}

export type RouteMatch =
  | { route: Route; params: Record<string, string> }
  | { route?: undefined; status: 404 }
  | { route?: undefined; status: 405; allow: string[] };

interface Compiled {
  route: Route;
  segments: string[];
}

export class Router {
  private readonly compiled: Compiled[];

  constructor(routes: Route[]) {
    this.compiled = routes.map((route) => ({ route, segments: splitPath(route.path) }));
  }

  match(method: string, pathname: string): RouteMatch {
    const segments = splitPath(pathname);
    const allow = new Set<string>();
    for (const { route, segments: pattern } of this.compiled) {
      const params = matchSegments(pattern, segments);
      if (!params) continue;
      if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { route, params };
      allow.add(route.method);
    }
    return allow.size ? { status: 405, allow: [...allow] } : { status: 404 };
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  const rest = pattern[pattern.length - 1] === '*';
  if (rest ? actual.length < pattern.length : pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (rest && i === pattern.length - 1) {
      try {
        params['*'] = actual.slice(i).map(decodeURIComponent).join('/');
      } catch {
        return undefined;
      }
    } else if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(actual[i]);
      } catch {
        return undefined;
      }
    } else if (p !== actual[i]) {
      return undefined;
    }
  }
  return params;
}

export function createContext(
  req: IncomingMessage,
  url: URL,
  params: Record<string, string>,
  maxBodyBytes: number,
  hasToken: () => boolean = () => false,
  budget?: BodyBudget,
): RequestContext {
  let body: Promise<Buffer> | undefined;
  const ctx: RequestContext = {
    req,
    url,
    params,
    hasToken,
    readBody: () => (body ??= readBody(req, maxBodyBytes, budget)),
    readJson: async () => {
      const buf = await ctx.readBody();
      try {
        return JSON.parse(buf.toString('utf8'));
      } catch (err) {
        throw new HttpError(400, `malformed JSON: ${(err as Error).message}`);
      }
    },
  };
  return ctx;
}

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}
