// The logs table's and the monitor's operations on a store, shared by the collector's HTTP
// routes (queryRoutes.ts) and the extension host's panel (src/extension/logsHandlers.ts), so
// the page in a browser and the panel in VS Code get the same answers. Parameters arrive
// here already checked; errors are the core's (FilterSyntaxError, MonitorRangeError).

import type { ScorePatch, TraceSummary } from '../core/model/model';
import { monitorTraces, type MonitorResult } from '../core/queries/monitor';
import type { FilterOptions } from '../core/queries/traceFilter';
import { queryTraces, type TraceQueryParams, type TraceQueryResult } from '../core/queries/traceQuery';
import type { TraceStoreApi } from '../store/types';

export interface StoreQuery extends TraceQueryParams {
  /** Only this project's traces (exact name). */
  project?: string;
}

/** Throws FilterSyntaxError for a filter that does not parse. */
export function queryStore(store: TraceStoreApi, params: StoreQuery, now = Date.now()): TraceQueryResult {
  return queryTraces(summariesOf(store, params.project), params, filterOptions(store, now));
}

export interface StoreMonitorQuery {
  project?: string;
  /** Epoch ms. */
  from: number;
  to: number;
  bucketMs?: number;
}

/** Throws MonitorRangeError for a range that ends before it starts or holds too many buckets. */
export function monitorStore(store: TraceStoreApi, q: StoreMonitorQuery): MonitorResult & { project: string | null } {
  return { project: q.project ?? null, ...monitorTraces(summariesOf(store, q.project), q) };
}

export interface Selection extends StoreQuery {
  /** These traces (those that exist) instead of the filter's matches. */
  traceIds?: string[];
}

/** The traces a selection names, in its sort order, and every score name (for CSV columns). */
export function selectTraces(
  store: TraceStoreApi,
  s: Selection,
  now = Date.now(),
): { traces: TraceSummary[]; scoreNames: string[] } {
  const result = queryStore(store, { ...s, filter: s.traceIds ? '' : s.filter, offset: 0, limit: Infinity }, now);
  if (!s.traceIds) return { traces: result.traces, scoreNames: result.score_names };
  const wanted = new Set(s.traceIds);
  return { traces: result.traces.filter((t) => wanted.has(t.id)), scoreNames: result.score_names };
}

/** The same score on many traces; ids the store does not know are returned, not applied. */
export function scoreTraces(
  store: TraceStoreApi,
  traceIds: string[],
  score: Omit<ScorePatch, 'target' | 'id' | 'trace_id'>,
): { scored: number; missing: string[] } {
  const found = traceIds.filter((id) => store.getSummary(id));
  const missing = traceIds.filter((id) => !store.getSummary(id));
  if (found.length)
    store.apply(found.map((id) => ({ kind: 'score' as const, score: { ...score, target: 'trace' as const, id } })));
  return { scored: found.length, missing };
}

export function deleteStoreTraces(store: TraceStoreApi, traceIds: string[]): { deleted: number; missing: string[] } {
  const existing = traceIds.filter((id) => store.getSummary(id));
  const missing = traceIds.filter((id) => !store.getSummary(id));
  store.deleteTraces(existing);
  return { deleted: existing.length, missing };
}

/** Every summary the store holds (of one project when asked), unsorted when the store can. */
function summariesOf(store: TraceStoreApi, project: string | undefined): Iterable<TraceSummary> {
  if (!store.summaries) return store.listTraces({ project, limit: Number.MAX_SAFE_INTEGER });
  const all = store.summaries();
  return project === undefined ? all : onlyProject(all, project);
}

function* onlyProject(all: Iterable<TraceSummary>, project: string): Iterable<TraceSummary> {
  for (const t of all) if (t.project_name === project) yield t;
}

function filterOptions(store: TraceStoreApi, now: number): FilterOptions {
  return { now, searchText: store.searchText ? (t) => store.searchText!(t.id) : undefined };
}
