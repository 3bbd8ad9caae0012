// Sorting the logs table by any column. The order is total and stable across requests, so
// paging through a sorted table never shows a trace twice or skips one: ties fall back to
// newest start first, then id. Traces without the value (not scored, no cost, still running)
// go last in both directions, so sorting by a score shows the scored traces first.

import type { TraceSummary } from '../model/model';
import { costOf, durationOf, scoreOf, totalTokens, ttftOf } from '../model/traceFields';

export const SORT_COLUMNS = [
  'name',
  'project',
  'start_time',
  'duration',
  'status',
  'spans',
  'errors',
  'tokens',
  'cost',
  'ttft',
  'tags',
  'thread',
  'commit',
  'last_updated',
] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];
/** A column, or `score:NAME` for the column of one score name. */
export type SortKey = SortColumn | `score:${string}`;
export type SortOrder = 'asc' | 'desc';

export function parseSortKey(text: string): SortKey | undefined {
  if ((SORT_COLUMNS as readonly string[]).includes(text)) return text as SortColumn;
  if (text.startsWith('score:') && text.length > 'score:'.length) return text as SortKey;
  return undefined;
}

/** Ascending puts errors first, then running, then ok. */
const STATUS_RANK = { error: 0, running: 1, ok: 2 } as const;

type Value = number | string | undefined;

function reader(key: SortKey): (t: TraceSummary) => Value {
  if (key.startsWith('score:')) {
    const name = key.slice('score:'.length);
    return (t) => scoreOf(t, name);
  }
  switch (key as SortColumn) {
    case 'name':
      return (t) => t.name.toLowerCase();
    case 'project':
      return (t) => t.project_name.toLowerCase();
    case 'start_time':
      return (t) => t.start_time;
    case 'duration':
      return durationOf;
    case 'status':
      return (t) => STATUS_RANK[t.status];
    case 'spans':
      return (t) => t.span_count;
    case 'errors':
      return (t) => t.error_count;
    case 'tokens':
      return totalTokens;
    case 'cost':
      return costOf;
    case 'ttft':
      return ttftOf;
    case 'tags':
      return (t) =>
        t.tags?.length
          ? t.tags
              .map((x) => x.toLowerCase())
              .sort()
              .join(',')
          : undefined;
    case 'thread':
      return (t) => t.thread_id || undefined;
    case 'commit':
      return (t) => t.code_version?.commit.toLowerCase();
    case 'last_updated':
      return (t) => t.last_updated_at;
  }
}

interface Row {
  t: TraceSummary;
  v: Value;
}

function rowComparator(order: SortOrder): (a: Row, b: Row) => number {
  const sign = order === 'asc' ? 1 : -1;
  return (a, b) => {
    if (a.v !== b.v) {
      if (a.v === undefined) return 1;
      if (b.v === undefined) return -1;
      return (a.v < b.v ? -1 : 1) * sign;
    }
    if (a.t.start_time !== b.t.start_time) return a.t.start_time < b.t.start_time ? 1 : -1;
    return a.t.id < b.t.id ? -1 : a.t.id > b.t.id ? 1 : 0;
  };
}

/** A new array, sorted; the input is left as it was. */
export function sortTraces(traces: readonly TraceSummary[], key: SortKey, order: SortOrder = 'desc'): TraceSummary[] {
  return sortedSlice(traces, key, order, 0, traces.length);
}

/**
 * Rows `[offset, offset + limit)` of the sorted order, and where the trace `anchorId` falls
 * in it (-1 when absent). A page near the top of a large list is chosen with a bounded heap
 * instead of sorting everything: the first page of 50k traces costs one pass, not a sort.
 */
export function sortedSlice(
  traces: readonly TraceSummary[],
  key: SortKey,
  order: SortOrder,
  offset: number,
  limit: number,
): TraceSummary[] {
  const read = reader(key);
  const cmp = rowComparator(order);
  // Reading each value once, not once per comparison.
  const rows: Row[] = traces.map((t) => ({ t, v: read(t) }));
  const end = Math.min(rows.length, offset + limit);
  if (end <= offset) return [];
  if (end * 4 > rows.length)
    return rows
      .sort(cmp)
      .slice(offset, end)
      .map((r) => r.t);
  return smallest(rows, end, cmp)
    .slice(offset)
    .map((r) => r.t);
}

/** Where `id` falls in the sorted order of `traces`, or -1; one pass, no sort. */
export function rankOf(traces: readonly TraceSummary[], id: string, key: SortKey, order: SortOrder): number {
  const target = traces.find((t) => t.id === id);
  if (!target) return -1;
  const read = reader(key);
  const cmp = rowComparator(order);
  const anchor = { t: target, v: read(target) };
  let rank = 0;
  for (const t of traces) if (cmp({ t, v: read(t) }, anchor) < 0) rank++;
  return rank;
}

/** The `k` smallest rows in order, keeping a max-heap of the best `k` seen so far. */
function smallest(rows: Row[], k: number, cmp: (a: Row, b: Row) => number): Row[] {
  const heap: Row[] = [];
  const up = (i: number) => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (cmp(heap[i], heap[p]) <= 0) break;
      [heap[i], heap[p]] = [heap[p], heap[i]];
      i = p;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && cmp(heap[l], heap[m]) > 0) m = l;
      if (r < heap.length && cmp(heap[r], heap[m]) > 0) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  for (const row of rows) {
    if (heap.length < k) {
      heap.push(row);
      up(heap.length - 1);
    } else if (cmp(row, heap[0]) < 0) {
      heap[0] = row;
      down(0);
    }
  }
  return heap.sort(cmp);
}
