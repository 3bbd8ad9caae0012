// What the agent tools read traces through. Three hosts give one: the extension host over its
// own open store (storeTraceReader.ts), `spanscope mcp` over a running collector's read API
// (httpTraceReader.ts) or over a store folder opened read-only (src/store/readOnlyStore.ts
// through storeTraceReader.ts). The tools know nothing else about where traces live.

import type { TraceDetail, TraceSummary } from '../core/model/model';
import type { SortKey, SortOrder } from '../core/queries/traceSort';

export interface TracePage {
  traces: TraceSummary[];
  /** How many traces match, over all pages. */
  total: number;
}

export interface TraceListQuery {
  /** The logs filter language (docs/protocol.md); empty matches everything. */
  filter: string;
  /** Exact project name. */
  project?: string;
  sort?: SortKey;
  order?: SortOrder;
  offset: number;
  limit: number;
}

/** One function of `GET /api/functions?file=` (the function index, when the collector has one). */
export interface FunctionStats {
  file: string;
  function: string;
  line: number;
  calls: number;
  errors: number;
  p50_ms: number | null;
  p95_ms: number | null;
  tokens: number | null;
  cost: number | null;
  scores: Record<string, number>;
  recent: unknown[];
}

export interface TraceReader {
  /** Throws ToolError for a filter that does not parse (its message says where). */
  queryTraces(query: TraceListQuery): Promise<TracePage>;
  getTrace(id: string): Promise<TraceDetail | undefined>;
  /**
   * The function index for one file (absolute path), or every file when none is given;
   * undefined when this source has no function index.
   */
  functions(file: string | undefined): Promise<FunctionStats[] | undefined>;
}

/** A failure the agent should read (bad argument, unknown id, no collector): a tool error, never a crash. */
export class ToolError extends Error {}
