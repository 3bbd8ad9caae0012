// The native ingest protocol over HTTP (`POST /api/ingest`) and the health check. The same
// batch handling serves the WebSocket transport (ingestSocket.ts).

import { isUtf8 } from 'node:buffer';
import { normaliseNativeBatch } from '../core/normalise/native';
import type { TraceStoreApi } from '../store/types';
import { HttpError } from './httpError';
import { withoutPaths } from './publicHealth';
import type { CollectorDeps, Route } from './router';

export const JSON_TYPES = ['application/json'];

export function nativeRoutes(deps: CollectorDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/health',
      auth: 'none',
      // 200 while the collector answers; `status` says whether what it acknowledges is kept:
      // `degraded` with the reason while the store can not write (ingest answers 507 then),
      // and `problems`: damage found in the store's files lately (docs/store.md). File paths
      // only for a caller with the read token (publicHealth.ts); a wrong token is no token.
      handler: (ctx) => {
        const health = deps.store.health?.() ?? { status: 'ok' as const };
        return { status: 200, json: { ...(ctx.hasToken() ? health : withoutPaths(health)), version: deps.version } };
      },
    },
    {
      method: 'POST',
      path: '/api/ingest',
      auth: 'none',
      accepts: JSON_TYPES,
      handler: async (ctx) => {
        const body = await ctx.readJson();
        const accepted = ingestBatch(deps.store, body, await ctx.readBody());
        return { status: 200, json: { accepted } };
      },
    },
  ];
}

/**
 * Checks and applies one batch; throws HttpError(400) with every problem when any event is
 * invalid. `source`: the bytes `body` was parsed from, which the store may keep as they came.
 */
export function ingestBatch(store: TraceStoreApi, body: unknown, source?: Buffer): number {
  const result = normaliseNativeBatch(body);
  if (!result.ok) throw new HttpError(400, result.error, result.details);
  // Bytes that are not valid UTF-8 were read with replacement characters: not what they say.
  store.apply(
    result.patches,
    source && !result.cut && isUtf8(source) ? { format: 'native', bytes: source } : undefined,
  );
  return result.patches.length;
}
