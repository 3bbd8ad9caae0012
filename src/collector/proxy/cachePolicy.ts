// Whether the proxy answers a call from its cache, and under which key. The rule is
// Braintrust's: in `auto` mode a call is cached when it asks for a repeatable answer (`seed`
// set, or `temperature` 0); `always` caches every call with a JSON body, `never` none, and
// `replay` answers only from the cache (a miss is a 404), so tests run offline. The client
// chooses with `x-spanscope-cache` (or Braintrust's `x-bt-use-cache`) and narrows with
// `Cache-Control` (`no-store`: neither read nor write; `no-cache`: do not read; `max-age=N`:
// only entries younger than N seconds). The key never includes a credential.

import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isPlainObject } from '../../core/model/merge';
import { HttpError } from '../httpError';

export const CACHE_MODES = ['auto', 'always', 'never', 'replay'] as const;
export type CacheMode = (typeof CACHE_MODES)[number];

export interface CachePlan {
  mode: CacheMode;
  /** Look the call up. */
  read: boolean;
  /** Store a 2xx reply. */
  write: boolean;
  /** Only entries stored at most this long ago count (Cache-Control: max-age). */
  maxAgeMs?: number;
}

/** Throws HttpError(400) for a cache mode it does not know. */
export function cachePlan(headers: IncomingHttpHeaders, body: unknown): CachePlan {
  const mode = requestedMode(headers);
  const directives = cacheControl(headers['cache-control']);
  const maxAge = directives.get('max-age');
  const maxAgeMs = maxAge !== undefined && /^\d+$/.test(maxAge) ? Number(maxAge) * 1000 : undefined;
  if (mode === 'replay') return { mode, read: true, write: false, maxAgeMs };
  const cacheable = isPlainObject(body) && (mode === 'always' || (mode === 'auto' && repeatable(body)));
  if (!cacheable || directives.has('no-store')) return { mode, read: false, write: false };
  return { mode, read: !directives.has('no-cache'), write: true, maxAgeMs };
}

function requestedMode(headers: IncomingHttpHeaders): CacheMode {
  const ours = header(headers, 'x-spanscope-cache');
  const braintrust = header(headers, 'x-bt-use-cache');
  const value = (ours ?? braintrust ?? 'auto').trim().toLowerCase();
  if ((CACHE_MODES as readonly string[]).includes(value) && (ours !== undefined || value !== 'replay'))
    return value as CacheMode;
  const name = ours !== undefined ? 'x-spanscope-cache' : 'x-bt-use-cache';
  const allowed = ours !== undefined ? CACHE_MODES.join(', ') : 'auto, always, never';
  throw new HttpError(400, `${name} must be one of ${allowed}, not "${value}"`);
}

/** Braintrust's rule: a seed, or a temperature of 0, asks for the same answer every time. */
function repeatable(body: Record<string, unknown>): boolean {
  return (body.seed !== undefined && body.seed !== null) || body.temperature === 0;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function cacheControl(value: string | undefined): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const part of (value ?? '').split(',')) {
    const [name, arg] = part.split('=', 2).map((s) => s.trim());
    if (name) out.set(name.toLowerCase(), arg?.replace(/^"|"$/g, ''));
  }
  return out;
}

/**
 * The cache key: the upstream, the method, the path with its query, and the body as canonical
 * JSON (keys sorted at every level, so two clients that order their fields differently share
 * an entry). Headers, and so the Authorization, take no part.
 */
export function cacheKey(upstream: string, method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${upstream}\n${method}\n${path}\n${canonicalJson(body)}`)
    .digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  // JSON.stringify writes Infinity (a body's 1e400) as null: another request. A number this
  // large is what JSON.parse makes Infinity from, and no finite number prints as it.
  if (typeof value === 'number' && !Number.isFinite(value)) return value > 0 ? '1e999' : value < 0 ? '-1e999' : 'NaN';
  return JSON.stringify(value) ?? 'null';
}
