// Who may talk to the collector. Any local process may ingest; a web page may not reach it
// at all: a foreign Host header means DNS rebinding (evil.example resolving to 127.0.0.1), a
// foreign Origin means a cross-site request. Reading needs the token, which the standalone
// page gets once through ?token= and then carries as an HttpOnly cookie.

import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { HttpError } from './httpError';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

export class Gatekeeper {
  private readonly hostNames: Set<string>;
  private readonly origins: Set<string>;
  readonly cookieName: string;

  /** Bound to every interface (--host 0.0.0.0): any IP literal is a fine Host (see checkHostAndOrigin). */
  private readonly anyAddress: boolean;

  constructor(
    private readonly token: string,
    bindHost: string,
    readonly port: number,
  ) {
    const names = new Set(LOOPBACK_NAMES);
    this.anyAddress = bindHost === '0.0.0.0' || bindHost === '::';
    // A collector bound to a specific address (--host) is also reached by that name.
    if (bindHost && !this.anyAddress)
      names.add(isIP(bindHost) === 6 ? `[${bindHost.toLowerCase()}]` : bindHost.toLowerCase());
    this.hostNames = names;
    this.origins = new Set([...names].map((n) => `http://${n}:${port}`));
    // Cookies are shared across ports: two collectors on one machine must not read each other's.
    this.cookieName = `spanscope_token_${port}`;
  }

  /** Throws HttpError(403) for a foreign Host or Origin. Runs before routing, for every request. */
  checkHostAndOrigin(req: IncomingMessage): void {
    const host = req.headers.host;
    // DNS rebinding needs a host *name*; an IP literal can not be rebound, so a collector the
    // user bound to all interfaces accepts those too.
    const name = host ? hostName(host) : '';
    if (!host || !(this.hostNames.has(name) || (this.anyAddress && isIP(name.replace(/^\[|\]$/g, '')) !== 0))) {
      throw new HttpError(
        403,
        `refused: Host "${host ?? ''}" is not this machine's loopback address (use 127.0.0.1 or localhost)`,
      );
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !this.origins.has(origin.toLowerCase())) {
      throw new HttpError(403, `refused: requests from web pages of other origins (${origin}) are not allowed`);
    }
  }

  /** The token the request carries, and whether it came in the query (then a cookie is set). */
  presentedToken(req: IncomingMessage, url: URL): { token?: string; fromQuery: boolean } {
    const auth = req.headers.authorization;
    if (auth && /^bearer\s+/i.test(auth)) return { token: auth.replace(/^bearer\s+/i, '').trim(), fromQuery: false };
    const query = url.searchParams.get('token');
    if (query !== null) return { token: query, fromQuery: true };
    return { token: readCookie(req.headers.cookie, this.cookieName), fromQuery: false };
  }

  /** Throws HttpError(401) unless the token is right; returns a Set-Cookie value when it came in the query. */
  checkToken(req: IncomingMessage, url: URL): string | undefined {
    const { token, fromQuery } = this.presentedToken(req, url);
    if (token === undefined || token === '')
      throw new HttpError(
        401,
        'a token is required: send Authorization: Bearer TOKEN (the token is printed by `spanscope serve`)',
      );
    if (!this.tokenMatches(token)) throw new HttpError(401, 'the token is wrong');
    return fromQuery ? `${this.cookieName}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/` : undefined;
  }

  /** Whether the request carries the right token, for open routes that show its holder more; never throws, sets no cookie. */
  holdsToken(req: IncomingMessage, url: URL): boolean {
    const { token } = this.presentedToken(req, url);
    return token !== undefined && token !== '' && this.tokenMatches(token);
  }

  private tokenMatches(candidate: string): boolean {
    const a = Buffer.from(candidate);
    const b = Buffer.from(this.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

/** `127.0.0.1:7726` → `127.0.0.1`; `[::1]:7726` → `[::1]`; lower case. */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end < 0 ? h : h.slice(0, end + 1);
  }
  const colon = h.indexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
