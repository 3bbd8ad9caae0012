// The agent tools' TraceReader over a store in this process: the extension host's own open
// store, or a store folder opened read-only (src/store/readOnlyStore.ts). The query is the
// logs table's (core/queries/traceQuery.ts), so a filter means here what it means in the panel.

import { FilterSyntaxError } from '../core/queries/filterParser';
import type { TraceDetail, TraceSummary } from '../core/model/model';
import { queryTraces } from '../core/queries/traceQuery';
import type { TraceStoreApi } from '../store/types';
import { HttpTraceReader } from './httpTraceReader';
import { type FunctionStats, ToolError, type TraceListQuery, type TracePage, type TraceReader } from './traceReader';

/** The part of a store the tools read. */
export type ReadableStore = Pick<TraceStoreApi, 'listTraces' | 'getTrace'> &
  Partial<Pick<TraceStoreApi, 'summaries' | 'searchText'>>;

export class StoreTraceReader implements TraceReader {
  constructor(
    private readonly store: () => Promise<ReadableStore>,
    /** The function index, where the host has one (the extension asks its own collector). */
    private readonly functionIndex?: (file: string | undefined) => Promise<FunctionStats[] | undefined>,
  ) {}

  async queryTraces(q: TraceListQuery): Promise<TracePage> {
    const store = await this.store();
    const all = store.summaries ? store.summaries() : store.listTraces({ limit: Number.MAX_SAFE_INTEGER });
    const searchText = store.searchText ? (t: TraceSummary) => store.searchText!(t.id) : undefined;
    try {
      const result = queryTraces(q.project === undefined ? all : ofProject(all, q.project), q, { searchText });
      return { traces: result.traces, total: result.total };
    } catch (err) {
      if (err instanceof FilterSyntaxError) throw new ToolError(`invalid filter: ${err.message}`);
      throw err;
    }
  }

  async getTrace(id: string): Promise<TraceDetail | undefined> {
    return (await this.store()).getTrace(id);
  }

  async functions(file: string | undefined): Promise<FunctionStats[] | undefined> {
    // A store folder read directly (`spanscope mcp --data`) has none: the index is the collector's.
    if (!this.functionIndex)
      throw new ToolError(
        'a store folder has no function index (a running collector keeps it): run spanscope mcp with --url instead of --data for function_stats',
      );
    return this.functionIndex(file);
  }
}

function* ofProject(all: Iterable<TraceSummary>, project: string): Iterable<TraceSummary> {
  for (const t of all) if (t.project_name === project) yield t;
}

/** Where this process's collector listens, while it does. */
export type CollectorAddress = () => { url: string; token: string } | undefined;

/**
 * The extension host's reader: traces from its own open store, the function index from its
 * own collector's read API (the index lives in the collector, not the store).
 */
export function inProcessReader(store: () => Promise<ReadableStore>, collector: CollectorAddress): TraceReader {
  return new StoreTraceReader(store, async (file) => {
    const address = collector();
    if (!address)
      throw new ToolError(
        'the Spanscope collector is not running, and the function index is kept by it: start it with "Spanscope: Restart Collector"',
      );
    return new HttpTraceReader(address.url, address.token).functions(file);
  });
}
