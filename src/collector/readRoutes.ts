// The read API (docs/protocol.md, "Read API"): listing, one whole trace, projects, scoring
// and deleting. All of it needs the token.

import { readScore } from '../core/normalise/native';
import { normaliseTime } from '../core/model/time';
import { Problems, isObject } from '../core/normalise/validate';
import { HttpError } from './httpError';
import { JSON_TYPES } from './nativeRoutes';
import type { CollectorDeps, Route } from './router';

export const MAX_LIST_LIMIT = 50_000;

export function readRoutes({ store }: CollectorDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/traces',
      auth: 'token',
      handler: ({ url }) => {
        const project = url.searchParams.get('project') || undefined;
        const limit = parseLimit(url.searchParams.get('limit'));
        const beforeText = url.searchParams.get('before');
        const before = beforeText ? normaliseTime(beforeText) : undefined;
        if (beforeText && !before) throw new HttpError(400, 'before must be an ISO 8601 date-time');
        return { status: 200, json: { traces: store.listTraces({ project, limit, before }) } };
      },
    },
    {
      method: 'GET',
      path: '/api/traces/:id',
      auth: 'token',
      handler: async ({ params }) => {
        const json = await store.getTraceJson(params.id);
        if (!json) throw new HttpError(404, `trace ${params.id} not found`);
        return { status: 200, body: json, headers: { 'content-type': 'application/json; charset=utf-8' } };
      },
    },
    {
      method: 'GET',
      path: '/api/projects',
      auth: 'token',
      handler: () => ({ status: 200, json: { projects: store.listProjects() } }),
    },
    {
      method: 'POST',
      path: '/api/scores',
      auth: 'token',
      accepts: JSON_TYPES,
      handler: async (ctx) => {
        const body = await ctx.readJson();
        if (!isObject(body)) throw new HttpError(400, 'the body must be a score object');
        const problems = new Problems();
        const score = readScore(body, { problems, index: 0, prefix: 'score' });
        if (!score) throw new HttpError(400, 'invalid score', problems.list);
        score.source ??= 'ui';
        // A span score without trace_id can not be checked here; the store holds it until the span is seen.
        if (score.target === 'trace' && !store.getSummary(score.id))
          throw new HttpError(404, `trace ${score.id} not found`);
        if (score.target === 'span' && score.trace_id !== undefined) {
          const detail = await store.getTrace(score.trace_id);
          if (!detail?.spans.some((s) => s.id === score.id))
            throw new HttpError(404, `span ${score.id} not found in trace ${score.trace_id}`);
        }
        store.apply([{ kind: 'score', score }]);
        return { status: 200, json: { ok: true } };
      },
    },
    {
      method: 'DELETE',
      path: '/api/traces/:id',
      auth: 'token',
      handler: ({ params }) => {
        if (!store.getSummary(params.id)) throw new HttpError(404, `trace ${params.id} not found`);
        store.deleteTraces([params.id]);
        return { status: 204 };
      },
    },
    {
      method: 'DELETE',
      path: '/api/traces',
      auth: 'token',
      handler: ({ url }) => {
        store.clear(url.searchParams.get('project') || undefined);
        return { status: 204 };
      },
    },
  ];
}

function parseLimit(text: string | null): number {
  if (text === null || text === '') return 100;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIST_LIMIT)
    throw new HttpError(400, `limit must be an integer from 1 to ${MAX_LIST_LIMIT}`);
  return n;
}
