// The host's answers to the logs table and the monitor (QueryTraces, QueryMonitor,
// ListProjects, ExportTraces, ScoreTraces): the same operations the collector serves over
// HTTP (src/collector/logsService.ts), on the panel's own store. Free of `vscode`: saving an
// export (a dialog, a file, a message) is a host action, so this runs in Node tests over a
// real RpcEndpoint pair.

import { columnsById, logsColumns, type LogsColumn } from '../core/queries/logsColumns';
import type { ScoreSource } from '../core/model/model';
import { parseSortKey, type SortKey, type SortOrder } from '../core/queries/traceSort';
import { csvExport, exportFileName, jsonLinesExport } from '../collector/exportStream';
import { monitorStore, queryStore, scoreTraces, selectTraces, type Selection } from '../collector/logsService';
import {
  ExportTraces,
  ListProjects,
  QueryMonitor,
  QueryTraces,
  ScoreTraces,
  type ExportParams,
} from '../shared/protocol';
import type { RpcEndpoint } from '../shared/rpc';
import type { TraceStoreApi } from '../store/types';

export interface ExportJob {
  format: 'jsonl' | 'csv';
  suggestedName: string;
  /** How many traces the export holds (for the message shown when it is done). */
  count: number;
  /** The file's text, produced piece by piece as it is written. */
  content: AsyncIterable<string>;
}

export interface LogsHostActions {
  /**
   * Asks where to save, writes the file, tells the user how it went. Resolves when done or
   * cancelled; reports its own failures (the page was answered long before).
   */
  saveExport?(job: ExportJob): Promise<void>;
}

const MAX_IDS = 50_000;
const MAX_LIMIT = 50_000;

/** Registers the handlers on the panel's endpoint; returns a function that removes them. */
export function registerLogsHandlers(rpc: RpcEndpoint, store: TraceStoreApi, actions: LogsHostActions): () => void {
  const removers = [
    rpc.onRequest(QueryTraces, (p) => {
      const anchor = p?.anchor;
      if (anchor !== undefined && (typeof anchor?.id !== 'string' || !isCount(anchor.before)))
        throw new Error('anchor must be {id, before}');
      return queryStore(store, {
        ...selection(p),
        offset: optional(p?.offset, 'offset', isCount) ?? 0,
        limit: optional(p?.limit, 'limit', (n) => isCount(n) && n >= 1 && n <= MAX_LIMIT) ?? 100,
        around: anchor,
      });
    }),
    rpc.onRequest(QueryMonitor, (p) => {
      const from = required(p?.from, 'from', Number.isFinite);
      const to = required(p?.to, 'to', Number.isFinite);
      const bucketMs = optional(p?.bucketMs, 'bucketMs', (n) => Number.isInteger(n) && n >= 1);
      return monitorStore(store, { project: optionalText(p?.project, 'project'), from, to, bucketMs });
    }),
    rpc.onRequest(ListProjects, () => ({ projects: store.listProjects() })),
    rpc.onRequest(ExportTraces, (p) => startExport(store, actions, p)),
    rpc.onRequest(ScoreTraces, (p) => {
      const ids = traceIds(p?.traceIds);
      if (!ids) throw new Error('traceIds must be a list of trace ids');
      const name = typeof p.name === 'string' ? p.name.trim() : '';
      if (!name) throw new Error('name must be a non-empty string');
      if (p.value !== null && (typeof p.value !== 'number' || !Number.isFinite(p.value)))
        throw new Error('value must be a finite number, or null to delete');
      const score: { name: string; value: number | null; source: ScoreSource; reason?: string } = {
        name,
        value: p.value,
        source: 'ui',
      };
      if (typeof p.reason === 'string' && p.reason.trim()) score.reason = p.reason.trim();
      return scoreTraces(store, ids, score);
    }),
  ];
  return () => removers.forEach((remove) => remove());
}

/**
 * Checks the request and picks the traces now (so a bad filter is the page's error), then
 * hands the writing to the host and answers at once.
 */
function startExport(store: TraceStoreApi, actions: LogsHostActions, p: ExportParams): void {
  if (!actions.saveExport) throw new Error('exporting is not available here');
  if (p?.format !== 'jsonl' && p?.format !== 'csv') throw new Error('format must be jsonl or csv');
  const { traces, scoreNames } = selectTraces(store, { ...selection(p), traceIds: traceIds(p.traceIds) });
  let content: AsyncIterable<string>;
  if (p.format === 'csv') {
    content = csvExport(traces, csvColumns(p.columns, scoreNames));
  } else {
    content = jsonLinesExport(store, traces);
  }
  void actions.saveExport({ format: p.format, suggestedName: exportFileName(p.format), count: traces.length, content });
}

/** The table's columns as shown, or every column. */
function csvColumns(ids: unknown, scoreNames: string[]): LogsColumn[] {
  if (ids === undefined || ids === null) return logsColumns(scoreNames);
  if (!Array.isArray(ids) || !ids.every((c) => typeof c === 'string'))
    throw new Error('columns must be a list of column ids');
  const { columns, unknown } = columnsById(ids, scoreNames);
  if (unknown !== undefined) throw new Error(`unknown column "${unknown}"`);
  return columns;
}

function selection(p: { filter?: unknown; sort?: unknown; order?: unknown; project?: unknown } | undefined): Selection {
  const filter = optionalText(p?.filter, 'filter');
  let sort: SortKey | undefined;
  if (p?.sort !== undefined) {
    sort = typeof p.sort === 'string' ? parseSortKey(p.sort) : undefined;
    if (!sort) throw new Error(`unknown sort column "${String(p.sort)}"`);
  }
  if (p?.order !== undefined && p.order !== 'asc' && p.order !== 'desc') throw new Error('order must be asc or desc');
  return { filter, sort, order: p?.order as SortOrder | undefined, project: optionalText(p?.project, 'project') };
}

function traceIds(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length > MAX_IDS || !v.every((id) => typeof id === 'string' && id !== ''))
    throw new Error(`traceIds must be a list of at most ${MAX_IDS} trace ids`);
  return v;
}

function optionalText(v: unknown, name: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new Error(`${name} must be a string`);
  return v;
}

function optional(v: unknown, name: string, ok: (n: number) => boolean): number | undefined {
  return v === undefined || v === null ? undefined : required(v, name, ok);
}

function required(v: unknown, name: string, ok: (n: number) => boolean): number {
  if (typeof v !== 'number' || !ok(v)) throw new Error(`${name} is not a valid number`);
  return v;
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}
