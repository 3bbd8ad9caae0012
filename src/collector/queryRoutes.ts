// The logs table and the monitor over HTTP (docs/protocol.md, "Logs and monitor"): a page of
// filtered, sorted traces; time-bucketed aggregates; exports streamed as JSON Lines or CSV;
// scoring and deleting many traces at once. Filters and aggregates run here, next to the
// store, so only a page or ~100 buckets travel to the view. Every route needs the token.

import type { TraceSummary } from '../core/model';
import { FilterSyntaxError } from '../core/filterParser';
import { MonitorRangeError, monitorTraces } from '../core/monitor';
import { queryTraces, type TraceQueryParams } from '../core/traceQuery';
import type { FilterOptions } from '../core/traceFilter';
import { readScore } from '../core/normalise/native';
import { Problems, isObject } from '../core/validate';
import type { TraceStoreApi } from '../store/types';
import { csvExport, jsonLinesExport, parseColumns } from './exportStream';
import { HttpError } from './httpError';
import { JSON_TYPES } from './nativeRoutes';
import {
  bodyParams,
  bucketParam,
  filterError,
  filterParam,
  integerParam,
  MAX_QUERY_LIMIT,
  optionalString,
  sortParams,
  timeParam,
  traceIdsParam,
  urlParams,
  type Params,
} from './queryParams';
import type { CollectorDeps, RequestContext, Route, RouteReply } from './router';

const DAY_MS = 86_400_000;

export function queryRoutes({ store }: CollectorDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/query',
      auth: 'token',
      handler: ({ url }) => ({ status: 200, json: runQuery(store, urlParams(url)) }),
    },
    {
      method: 'GET',
      path: '/api/monitor',
      auth: 'token',
      handler: ({ url }) => ({ status: 200, json: runMonitor(store, urlParams(url)) }),
    },
    {
      method: 'GET',
      path: '/api/export',
      auth: 'token',
      handler: ({ url }) => exportReply(store, urlParams(url)),
    },
    {
      method: 'POST',
      path: '/api/export',
      auth: 'token',
      accepts: JSON_TYPES,
      handler: async (ctx) => exportReply(store, bodyParams(await jsonObject(ctx))),
    },
    {
      method: 'POST',
      path: '/api/scores/bulk',
      auth: 'token',
      accepts: JSON_TYPES,
      handler: async (ctx) => ({ status: 200, json: scoreMany(store, await jsonObject(ctx)) }),
    },
    {
      method: 'POST',
      path: '/api/traces/delete',
      auth: 'token',
      accepts: JSON_TYPES,
      handler: async (ctx) => ({ status: 200, json: deleteMany(store, await jsonObject(ctx)) }),
    },
  ];
}

/** Every summary the store holds (of one project when asked), for the core to filter. */
function summariesOf(store: TraceStoreApi, project: string | undefined): Iterable<TraceSummary> {
  if (!store.summaries) return store.listTraces({ project, limit: Number.MAX_SAFE_INTEGER });
  const all = store.summaries();
  return project === undefined ? all : onlyProject(all, project);
}

function* onlyProject(all: Iterable<TraceSummary>, project: string): Iterable<TraceSummary> {
  for (const t of all) if (t.project_name === project) yield t;
}

function filterOptions(store: TraceStoreApi): FilterOptions {
  return { now: Date.now(), searchText: store.searchText ? (t) => store.searchText!(t.id) : undefined };
}

/** Runs the core query, turning a bad filter into a 400 that says where it is wrong. */
function query(store: TraceStoreApi, get: Params, page: Pick<TraceQueryParams, 'offset' | 'limit' | 'around'>) {
  const params: TraceQueryParams = { filter: filterParam(get), ...sortParams(get), ...page };
  try {
    return queryTraces(summariesOf(store, optionalString(get, 'project')), params, filterOptions(store));
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw filterError(err);
    throw err;
  }
}

function runQuery(store: TraceStoreApi, get: Params) {
  const anchor = optionalString(get, 'anchor');
  const before = integerParam(get, 'anchor_before', 0, MAX_QUERY_LIMIT) ?? 0;
  return query(store, get, {
    offset: integerParam(get, 'offset', 0, Number.MAX_SAFE_INTEGER) ?? 0,
    limit: integerParam(get, 'limit', 1, MAX_QUERY_LIMIT) ?? 100,
    around: anchor === undefined ? undefined : { id: anchor, before },
  });
}

function runMonitor(store: TraceStoreApi, get: Params) {
  const now = Date.now();
  const project = optionalString(get, 'project');
  const to = timeParam(get, 'to', now) ?? now;
  const from = timeParam(get, 'from', now) ?? to - DAY_MS;
  try {
    return { project: project ?? null, ...monitorTraces(summariesOf(store, project), { from, to, bucketMs: bucketParam(get), project }) };
  } catch (err) {
    if (err instanceof MonitorRangeError) throw new HttpError(400, err.message);
    throw err;
  }
}

/** The traces `trace_ids` names (those that exist), or else every match of the filter; in the order asked for. */
function selected(store: TraceStoreApi, get: Params): { traces: TraceSummary[]; scoreNames: string[] } {
  const ids = traceIdsParam(get);
  const result = query(store, get, { limit: Infinity });
  if (!ids) return { traces: result.traces, scoreNames: result.score_names };
  const wanted = new Set(ids);
  return { traces: result.traces.filter((t) => wanted.has(t.id)), scoreNames: result.score_names };
}

function exportReply(store: TraceStoreApi, get: Params): RouteReply {
  const format = optionalString(get, 'format') ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv') throw new HttpError(400, 'format must be jsonl or csv');
  const columnsText = get('columns');
  const { traces, scoreNames } = selected(store, get);
  const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  const filename = `spanscope-traces-${stamp}.${format}`;
  const headers = { 'content-disposition': `attachment; filename="${filename}"` };
  if (format === 'csv') {
    const columns = parseColumns(columnsText, scoreNames);
    return { status: 200, headers: { ...headers, 'content-type': 'text/csv; charset=utf-8' }, stream: csvExport(traces, columns) };
  }
  return { status: 200, headers: { ...headers, 'content-type': 'application/x-ndjson; charset=utf-8' }, stream: jsonLinesExport(store, traces) };
}

function scoreMany(store: TraceStoreApi, body: Record<string, unknown>) {
  const ids = traceIdsParam(bodyParams(body));
  if (!ids) throw new HttpError(400, 'trace_ids is required');
  const problems = new Problems();
  // Checked once as the score of the first trace: every trace gets the same name, value and reason.
  const score = readScore({ ...body, target: 'trace', id: ids[0] }, { problems, index: 0, prefix: 'score' });
  if (!score) throw new HttpError(400, 'invalid score', problems.list);
  const found = ids.filter((id) => store.getSummary(id));
  const missing = ids.filter((id) => !store.getSummary(id));
  store.apply(found.map((id) => ({ kind: 'score' as const, score: { ...score, id, source: score.source ?? 'ui' } })));
  return { ok: true, scored: found.length, missing };
}

function deleteMany(store: TraceStoreApi, body: Record<string, unknown>) {
  const get = bodyParams(body);
  let ids = traceIdsParam(get);
  if (!ids) {
    // Deleting by filter needs the filter spelled out, even if empty: a body that forgot its ids must not delete everything.
    if (typeof body.filter !== 'string') throw new HttpError(400, 'give trace_ids, or a filter (an empty filter deletes every trace)');
    ids = query(store, get, { limit: Infinity }).traces.map((t) => t.id);
  }
  const missing = ids.filter((id) => !store.getSummary(id));
  const existing = ids.filter((id) => store.getSummary(id));
  store.deleteTraces(existing);
  return { deleted: existing.length, missing };
}

async function jsonObject(ctx: RequestContext): Promise<Record<string, unknown>> {
  const body = await ctx.readJson();
  if (!isObject(body)) throw new HttpError(400, 'the body must be a JSON object');
  return body;
}
