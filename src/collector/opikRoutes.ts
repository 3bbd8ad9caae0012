// The Opik REST endpoints the Opik SDKs call, so `OPIK_URL_OVERRIDE=http://127.0.0.1:7726/api`
// sends an existing Opik-instrumented app to Spanscope unchanged. Routes parse and check the
// body (src/core/normalise/opik.ts) and reply as the Opik server does: 204 for batches, updates and
// scores, 201 with a Location for single creates. `Authorization` and `Comet-Workspace` are
// accepted and ignored: any local process may ingest. Every route also answers without the
// `/api` prefix, for an override set to the bare collector URL.

import { isUtf8 } from 'node:buffer';
import type { Normalised, Problem, ThreadScoresNormalised } from '../core/normalise/opik';
import {
  opikScoreDelete,
  opikScores,
  opikSpan,
  opikSpanBatch,
  opikSpanUpdate,
  opikThreadScoreDelete,
  opikThreadScores,
  opikTrace,
  opikTraceBatch,
  opikTraceUpdate,
} from '../core/normalise/opik';
import { isObject } from '../core/normalise/validate';
import type { PatchSource } from '../store/types';
import { HttpError } from './httpError';
import type { CollectorDeps, RequestContext, Route, RouteReply } from './router';

const JSON_TYPES = ['application/json'];
/** What Opik's `GET /is-alive/ping` answers; the Python SDK holds data back until it gets a 200. */
const HEALTHY = { message: 'Healthy Server', healthy: true };
/** Threads are looked up among this many most recent traces. */
const THREAD_SEARCH_LIMIT = 50_000;

export function opikRoutes(deps: CollectorDeps): Route[] {
  const ingest = (
    method: Route['method'],
    path: string,
    handle: (ctx: RequestContext, body: unknown) => RouteReply,
  ): Route[] =>
    withAndWithoutApi(path).map((p) => ({
      method,
      path: p,
      auth: 'none',
      accepts: JSON_TYPES,
      handler: async (ctx: RequestContext) => handle(ctx, await ctx.readJson()),
    }));

  /** Applies a checked body, or rejects it whole with every problem listed. `source`: see PatchSource. */
  const apply = (what: string, result: Normalised, source?: PatchSource): void => {
    if (result.problems.length)
      throw new HttpError(400, `invalid ${what}: ${summarise(result.problems)}`, result.problems);
    deps.store.apply(result.patches, source);
  };
  const noContent: RouteReply = { status: 204 };

  const created = (ctx: RequestContext, what: 'traces' | 'spans', result: Normalised): RouteReply => {
    apply(what === 'traces' ? 'trace' : 'span', result);
    const patch = result.patches[0];
    const id = patch.kind === 'trace' ? patch.trace.id : patch.kind === 'span' ? patch.span.id : '';
    const base = ctx.url.pathname.replace(/\/+$/, '');
    return { status: 201, headers: { location: `${base}/${encodeURIComponent(wellFormed(id))}` } };
  };

  const threadScores = (result: ThreadScoresNormalised): RouteReply => {
    apply('thread feedback scores', result);
    if (result.unmatched.length) {
      // The scores of known threads are stored; say which were not, rather than drop them silently.
      throw new HttpError(404, `no trace found for thread ${result.unmatched.join(', ')}; nothing was recorded for it`);
    }
    return noContent;
  };

  const tracesOfThread = (threadId: string, project: string | undefined): string[] =>
    deps.store
      .listTraces({ project, limit: THREAD_SEARCH_LIMIT })
      .filter((t) => t.thread_id === threadId)
      .map((t) => t.id);

  return [
    ...['/is-alive/ping', '/api/is-alive/ping'].map(
      (path): Route => ({ method: 'GET', path, auth: 'none', handler: () => ({ status: 200, json: HEALTHY }) }),
    ),
    ...['/is-alive/ver', '/api/is-alive/ver'].map(
      (path): Route => ({
        method: 'GET',
        path,
        auth: 'none',
        handler: () => ({ status: 200, json: { version: deps.version } }),
      }),
    ),

    ...batchRoute('/v1/private/traces/batch', 'traces', (body, source) => {
      const result = opikTraceBatch(body);
      apply('trace batch', result, source && !result.cut ? { format: 'opik_traces', bytes: source } : undefined);
    }),
    ...batchRoute('/v1/private/spans/batch', 'spans', (body, source) => {
      const result = opikSpanBatch(body);
      apply('span batch', result, source && !result.cut ? { format: 'opik_spans', bytes: source } : undefined);
    }),
    ...ingest('POST', '/v1/private/traces', (ctx, body) => created(ctx, 'traces', opikTrace(body))),
    ...ingest('POST', '/v1/private/spans', (ctx, body) => created(ctx, 'spans', opikSpan(body))),
    ...ingest(
      'PATCH',
      '/v1/private/traces/:id',
      (ctx, body) => (apply('trace update', opikTraceUpdate(ctx.params.id, body)), noContent),
    ),
    ...ingest(
      'PATCH',
      '/v1/private/spans/:id',
      (ctx, body) => (apply('span update', opikSpanUpdate(ctx.params.id, body)), noContent),
    ),
    ...ingest(
      'PUT',
      '/v1/private/traces/feedback-scores',
      (_ctx, body) => (apply('feedback scores', opikScores('trace', body)), noContent),
    ),
    ...ingest(
      'PUT',
      '/v1/private/spans/feedback-scores',
      (_ctx, body) => (apply('feedback scores', opikScores('span', body)), noContent),
    ),
    // Before the trace-score deletion below, whose `:id` would otherwise match `threads`.
    ...ingest('POST', '/v1/private/traces/threads/feedback-scores/delete', (_ctx, body) =>
      threadScores(opikThreadScoreDelete(body, tracesOfThread)),
    ),
    ...ingest(
      'POST',
      '/v1/private/traces/:id/feedback-scores/delete',
      (ctx, body) => (apply('score deletion', opikScoreDelete('trace', ctx.params.id, body)), noContent),
    ),
    ...ingest(
      'POST',
      '/v1/private/spans/:id/feedback-scores/delete',
      (ctx, body) => (apply('score deletion', opikScoreDelete('span', ctx.params.id, body)), noContent),
    ),
    ...ingest('PUT', '/v1/private/traces/threads/feedback-scores', (_ctx, body) =>
      threadScores(opikThreadScores(body, tracesOfThread)),
    ),

    // The link the SDKs print after the first trace: open that trace in the web UI.
    ...withAndWithoutApi('/v1/session/redirect/projects').map(
      (path): Route => ({
        method: 'GET',
        path,
        auth: 'none',
        handler: (ctx) => {
          const traceId = ctx.url.searchParams.get('trace_id');
          return { status: 302, headers: { location: traceId ? `/?trace=${encodeURIComponent(traceId)}` : '/' } };
        },
      }),
    ),
  ];
}

/**
 * A batch route whose body the store may keep as it came: when its bytes are valid UTF-8
 * (else JSON.parse read replacement characters, not them) and every record has its id (else
 * normalising makes ids up, and normalising the body again would make others), and nothing
 * in it was cut to the limits (`handle` checks that).
 */
function batchRoute(
  path: string,
  key: 'traces' | 'spans',
  handle: (body: unknown, source: Buffer | undefined) => void,
): Route[] {
  return withAndWithoutApi(path).map(
    (p): Route => ({
      method: 'POST',
      path: p,
      auth: 'none',
      accepts: JSON_TYPES,
      handler: async (ctx) => {
        const body = await ctx.readJson();
        const bytes = await ctx.readBody();
        const records = isObject(body) ? body[key] : undefined;
        const keepable =
          Array.isArray(records) && records.every((r) => isObject(r) && typeof r.id === 'string') && isUtf8(bytes);
        handle(body, keepable ? bytes : undefined);
        return { status: 204 };
      },
    }),
  );
}

/** A lone surrogate (valid in a JSON string, so in an id) as U+FFFD: encodeURIComponent throws on one. */
function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

function withAndWithoutApi(path: string): string[] {
  return [`/api${path}`, path];
}

function summarise(problems: Problem[]): string {
  const first = problems[0];
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  return `${first.path || 'body'} ${first.message}${more}`;
}
