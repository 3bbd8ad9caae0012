// One page of the logs table: filter, sort, cut. Runs where the traces are (the collector,
// or the extension host next to its store), so only the page travels to the view.

import type { TraceSummary } from '../model/model';
import { compileFilter, type FilterOptions } from './traceFilter';
import { rankOf, sortedSlice, type SortKey, type SortOrder } from './traceSort';

export interface TraceQueryParams {
  /** The filter language (`traceFilter.ts`); empty or absent matches everything. */
  filter?: string;
  /** Default `start_time`. */
  sort?: SortKey;
  /** Default `desc`. */
  order?: SortOrder;
  /** Default 0. */
  offset?: number;
  /** Default 100; `Infinity` for every match (exports). */
  limit?: number;
  /**
   * Keeps a row in place while the list changes under it: when the trace `id` matches, the
   * page starts `before` rows above it (and `offset` is ignored). A live table asks for the
   * row the reader is looking at, so new traces arriving above it do not move it.
   */
  around?: { id: string; before: number };
}

export interface TraceQueryResult {
  traces: TraceSummary[];
  /** How many traces match, over all pages. */
  total: number;
  offset: number;
  /** Where `around.id` is among the matches; null when it does not match (any more). */
  anchor_index?: number | null;
  /** Every score name among the traces searched (not only the matches), so columns stay put while filtering. */
  score_names: string[];
}

export const DEFAULT_QUERY_LIMIT = 100;

/** Throws `FilterSyntaxError` for a filter that does not parse. */
export function queryTraces(
  all: Iterable<TraceSummary>,
  params: TraceQueryParams = {},
  options: FilterOptions = {},
): TraceQueryResult {
  const matches = compileFilter(params.filter ?? '', options);
  const names = new Set<string>();
  const hits: TraceSummary[] = [];
  for (const t of all) {
    for (const name in t.score_averages) names.add(name);
    if (matches(t)) hits.push(t);
  }
  const sort = params.sort ?? 'start_time';
  const order = params.order ?? 'desc';
  let offset = Math.max(0, Math.floor(params.offset ?? 0));
  let anchorIndex: number | null | undefined;
  if (params.around) {
    const i = rankOf(hits, params.around.id, sort, order);
    anchorIndex = i < 0 ? null : i;
    if (i >= 0) offset = Math.max(0, i - Math.max(0, Math.floor(params.around.before)));
  }
  const limit = Math.max(0, params.limit ?? DEFAULT_QUERY_LIMIT);
  const result: TraceQueryResult = {
    traces: sortedSlice(hits, sort, order, offset, limit),
    total: hits.length,
    offset,
    score_names: [...names].sort((a, b) => a.localeCompare(b)),
  };
  if (anchorIndex !== undefined) result.anchor_index = anchorIndex;
  return result;
}
