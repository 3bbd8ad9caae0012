// Exports produced piece by piece, so exporting every trace of a large store neither builds
// one huge string nor holds every trace in memory at once: JSON Lines reads each whole trace
// from the store as it goes (the read API's `{trace, spans}` shape, one per line), CSV writes
// the table's rows.

import { columnsById, csvHeader, csvRow, logsColumns, type LogsColumn } from '../core/queries/logsColumns';
import type { TraceSummary } from '../core/model/model';
import type { TraceStoreApi } from '../store/types';
import { HttpError } from './httpError';

/** Lines are sent in pieces of about this many characters: fewer, larger writes. */
const PIECE_CHARS = 64 * 1024;

export async function* jsonLinesExport(store: TraceStoreApi, traces: readonly TraceSummary[]): AsyncGenerator<string> {
  let piece = '';
  for (const t of traces) {
    const detail = await store.getTrace(t.id);
    if (!detail) continue; // deleted since the export began
    piece += `${JSON.stringify(detail)}\n`;
    if (piece.length >= PIECE_CHARS) {
      yield piece;
      piece = '';
    }
  }
  if (piece) yield piece;
}

export async function* csvExport(
  traces: readonly TraceSummary[],
  columns: readonly LogsColumn[],
): AsyncGenerator<string> {
  let piece = csvHeader(columns);
  for (const t of traces) {
    piece += csvRow(t, columns);
    if (piece.length >= PIECE_CHARS) {
      yield piece;
      piece = '';
    }
  }
  if (piece) yield piece;
}

/** `spanscope-traces-20260102-030405.jsonl`: sortable, and safe in a Content-Disposition header. */
export function exportFileName(format: 'jsonl' | 'csv', now = new Date()): string {
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  return `spanscope-traces-${stamp}.${format}`;
}

/** `columns`: column ids as a list or comma-separated text; every column when absent. */
export function parseColumns(value: unknown, scoreNames: readonly string[]): LogsColumn[] {
  if (value === undefined || value === null || value === '') return logsColumns(scoreNames);
  const ids = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string'))
    throw new HttpError(400, 'columns must be a list of column ids');
  const { columns, unknown } = columnsById(ids, scoreNames);
  if (unknown !== undefined) {
    throw new HttpError(
      400,
      `unknown column "${unknown}": columns are ${logsColumns([])
        .map((c) => c.id)
        .join(', ')} and score:NAME`,
    );
  }
  return columns;
}
