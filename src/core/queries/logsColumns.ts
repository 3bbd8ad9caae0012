// The columns of the logs table, declared once: the webview draws them, the CSV export writes
// them, and both agree on order, headers and what a click on a cell filters by. Pure: the
// webview, the host and the collector all import it.

import { codeVersionText } from '../model/codeVersion';
import type { TraceSummary } from '../model/model';
import { fieldTerm, scoreTerm } from './filterTerms';
import { costOf, durationOf, scoreOf, totalTokens, ttftOf } from '../model/traceFields';
import type { SortKey } from './traceSort';

export interface LogsColumn {
  /** `name`, `project`, … or `score:NAME`. */
  id: string;
  label: string;
  /** Header label in CSV, where values are raw (ms, USD, ISO time) rather than formatted. */
  csvLabel: string;
  sort: SortKey;
  numeric: boolean;
  /** Raw value: what CSV writes and what cells format. */
  value(t: TraceSummary): string | number | undefined;
  /** The filter terms a click on the cell adds (one per tag for tags); none when the cell does not filter. */
  filterTerms(t: TraceSummary): string[];
}

const none = (): string[] => [];

const BASE_COLUMNS: LogsColumn[] = [
  {
    id: 'name',
    label: 'Name',
    csvLabel: 'name',
    sort: 'name',
    numeric: false,
    value: (t) => t.name,
    filterTerms: (t) => [fieldTerm('name', t.name)],
  },
  {
    id: 'project',
    label: 'Project',
    csvLabel: 'project',
    sort: 'project',
    numeric: false,
    value: (t) => t.project_name,
    filterTerms: (t) => [fieldTerm('project', t.project_name)],
  },
  {
    id: 'start_time',
    label: 'Started',
    csvLabel: 'start_time',
    sort: 'start_time',
    numeric: false,
    value: (t) => t.start_time,
    filterTerms: none,
  },
  {
    id: 'duration',
    label: 'Duration',
    csvLabel: 'duration_ms',
    sort: 'duration',
    numeric: true,
    value: durationOf,
    filterTerms: none,
  },
  {
    id: 'status',
    label: 'Status',
    csvLabel: 'status',
    sort: 'status',
    numeric: false,
    value: (t) => t.status,
    filterTerms: (t) => [fieldTerm('status', t.status)],
  },
  {
    id: 'spans',
    label: 'Spans',
    csvLabel: 'span_count',
    sort: 'spans',
    numeric: true,
    value: (t) => t.span_count,
    filterTerms: none,
  },
  {
    id: 'tokens',
    label: 'Tokens',
    csvLabel: 'total_tokens',
    sort: 'tokens',
    numeric: true,
    value: totalTokens,
    filterTerms: none,
  },
  {
    id: 'cost',
    label: 'Cost',
    csvLabel: 'total_estimated_cost',
    sort: 'cost',
    numeric: true,
    value: costOf,
    filterTerms: none,
  },
  {
    id: 'ttft',
    label: 'TTFT',
    csvLabel: 'time_to_first_token_ms',
    sort: 'ttft',
    numeric: true,
    value: ttftOf,
    filterTerms: none,
  },
];

const TAIL_COLUMNS: LogsColumn[] = [
  {
    id: 'tags',
    label: 'Tags',
    csvLabel: 'tags',
    sort: 'tags',
    numeric: false,
    value: (t) => (t.tags?.length ? t.tags.join(', ') : undefined),
    filterTerms: (t) => (t.tags ?? []).map((tag) => fieldTerm('tag', tag)),
  },
  {
    id: 'thread',
    label: 'Thread',
    csvLabel: 'thread_id',
    sort: 'thread',
    numeric: false,
    value: (t) => t.thread_id,
    filterTerms: (t) => (t.thread_id ? [fieldTerm('thread', t.thread_id)] : []),
  },
  {
    id: 'commit',
    label: 'Commit',
    csvLabel: 'code_version',
    sort: 'commit',
    numeric: false,
    value: (t) => codeVersionText(t.code_version) || undefined,
    filterTerms: (t) => (t.code_version ? [fieldTerm('commit', t.code_version.commit.slice(0, 12))] : []),
  },
];

export function scoreColumn(name: string): LogsColumn {
  return {
    id: `score:${name}`,
    label: name,
    csvLabel: name,
    sort: `score:${name}`,
    numeric: true,
    value: (t) => scoreOf(t, name),
    filterTerms: (t) => {
      const v = scoreOf(t, name);
      return v === undefined ? [] : [scoreTerm(name, '=', v)];
    },
  };
}

/** Every column, a score column per name between the fixed ones and tags. */
export function logsColumns(scoreNames: readonly string[]): LogsColumn[] {
  return [...BASE_COLUMNS, ...scoreNames.map(scoreColumn), ...TAIL_COLUMNS];
}

/**
 * CSV (RFC 4180, CRLF) of the traces under the columns given, plus the trace id last so a
 * row can be found again. Text cells that a spreadsheet would run as a formula (starting
 * with = + - @ or a control character) get a leading apostrophe: span data is untrusted.
 */
export function tracesToCsv(traces: Iterable<TraceSummary>, columns: readonly LogsColumn[]): string {
  let out = csvHeader(columns);
  for (const t of traces) out += csvRow(t, columns);
  return out;
}

export function csvHeader(columns: readonly LogsColumn[]): string {
  return `${[...columns.map((c) => c.csvLabel), 'id'].map(csvCell).join(',')}\r\n`;
}

export function csvRow(t: TraceSummary, columns: readonly LogsColumn[]): string {
  return `${[...columns.map((c) => csvValue(c.value(t))), csvValue(t.id)].join(',')}\r\n`;
}

/** The columns named by id (`name`, `score:q`, …), in that order; undefined names the first unknown id. */
export function columnsById(
  ids: readonly string[],
  scoreNames: readonly string[],
): { columns: LogsColumn[]; unknown?: string } {
  const known = new Map(logsColumns(scoreNames).map((c) => [c.id, c]));
  const columns: LogsColumn[] = [];
  for (const id of ids) {
    const column = known.get(id) ?? (id.startsWith('score:') && id.length > 6 ? scoreColumn(id.slice(6)) : undefined);
    if (!column) return { columns, unknown: id };
    columns.push(column);
  }
  return { columns };
}

function csvValue(v: string | number | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'number') return String(v);
  return csvCell(/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
}

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
