// The logs table and the monitor over HTTP (docs/protocol.md, "Logs and monitor"): a page of
// filtered, sorted traces; time-bucketed aggregates; exports streamed as JSON Lines or CSV;
// scoring and deleting many traces at once. Filters and aggregates run here, next to the
// store, so only a page or ~100 buckets travel to the view. Every route needs the token.

import { FilterSyntaxError } from '../core/queries/filterParser';
import { MonitorRangeError } from '../core/queries/monitor';
import { readScore } from '../core/normalise/native';
import { Problems, isObject } from '../core/normalise/validate';
import { csvExport, exportFileName, jsonLinesExport, parseColumns } from './exportStream';
import { HttpError } from './httpError';
import { deleteStoreTraces, monitorStore, queryStore, scoreTraces, selectTraces, type Selection } from './logsService';
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
import type { TraceStoreApi } from '../store/types';

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

/** Runs a core operation, turning a bad filter or range into a 400 that says what is wrong. */
function checked<R>(run: () => R): R {
  try {
    return run();
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw filterError(err);
    if (err instanceof MonitorRangeError) throw new HttpError(400, err.message);
    throw err;
  }
}

function selection(get: Params): Selection {
  return {
    filter: filterParam(get),
    ...sortParams(get),
    project: optionalString(get, 'project'),
    traceIds: traceIdsParam(get),
  };
}

function runQuery(store: TraceStoreApi, get: Params) {
  const anchor = optionalString(get, 'anchor');
  const before = integerParam(get, 'anchor_before', 0, MAX_QUERY_LIMIT) ?? 0;
  const params = {
    filter: filterParam(get),
    ...sortParams(get),
    project: optionalString(get, 'project'),
    offset: integerParam(get, 'offset', 0, Number.MAX_SAFE_INTEGER) ?? 0,
    limit: integerParam(get, 'limit', 1, MAX_QUERY_LIMIT) ?? 100,
    around: anchor === undefined ? undefined : { id: anchor, before },
  };
  return checked(() => queryStore(store, params));
}

function runMonitor(store: TraceStoreApi, get: Params) {
  const now = Date.now();
  const to = timeParam(get, 'to', now) ?? now;
  const from = timeParam(get, 'from', now) ?? to - DAY_MS;
  const q = { project: optionalString(get, 'project'), from, to, bucketMs: bucketParam(get) };
  return checked(() => monitorStore(store, q));
}

function exportReply(store: TraceStoreApi, get: Params): RouteReply {
  const format = optionalString(get, 'format') ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv') throw new HttpError(400, 'format must be jsonl or csv');
  const sel = selection(get);
  const { traces, scoreNames } = checked(() => selectTraces(store, sel));
  const headers = { 'content-disposition': `attachment; filename="${exportFileName(format)}"` };
  if (format === 'csv') {
    const columns = parseColumns(get('columns'), scoreNames);
    return {
      status: 200,
      headers: { ...headers, 'content-type': 'text/csv; charset=utf-8' },
      stream: csvExport(traces, columns),
    };
  }
  return {
    status: 200,
    headers: { ...headers, 'content-type': 'application/x-ndjson; charset=utf-8' },
    stream: jsonLinesExport(store, traces),
  };
}

function scoreMany(store: TraceStoreApi, body: Record<string, unknown>) {
  const ids = traceIdsParam(bodyParams(body));
  if (!ids) throw new HttpError(400, 'trace_ids is required');
  const problems = new Problems();
  // Checked once as the score of the first trace: every trace gets the same name, value and reason.
  const score = readScore({ ...body, target: 'trace', id: ids[0] }, { problems, index: 0, prefix: 'score' });
  if (!score) throw new HttpError(400, 'invalid score', problems.list);
  const { target: _t, id: _i, trace_id: _tr, ...fields } = score;
  return { ok: true, ...scoreTraces(store, ids, { ...fields, source: score.source ?? 'ui' }) };
}

function deleteMany(store: TraceStoreApi, body: Record<string, unknown>) {
  const get = bodyParams(body);
  let ids = traceIdsParam(get);
  if (!ids) {
    // Deleting by filter needs the filter spelled out, even if empty: a body that forgot its ids must not delete everything.
    if (typeof body.filter !== 'string')
      throw new HttpError(400, 'give trace_ids, or a filter (an empty filter deletes every trace)');
    const sel = selection(get);
    ids = checked(() => selectTraces(store, sel)).traces.map((t) => t.id);
  }
  return deleteStoreTraces(store, ids);
}

async function jsonObject(ctx: RequestContext): Promise<Record<string, unknown>> {
  const body = await ctx.readJson();
  if (!isObject(body)) throw new HttpError(400, 'the body must be a JSON object');
  return body;
}
