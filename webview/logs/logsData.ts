// The rows of the logs table as the page knows them: the total the host reported and the
// pages fetched so far, by index. The table asks for the rows it draws; missing pages are
// fetched (once) and the table repaints when they arrive. A live refresh re-reads the rows
// around the one the reader is looking at and tells the table how far that row moved, so it
// can scroll by as much and the row stays under the reader's eyes. Free of the DOM.

import type { TraceSummary } from '../../src/core/model/model';
import type { SortKey, SortOrder } from '../../src/core/queries/traceSort';
import { QueryTraces, type QueryTracesParams } from '../../src/shared/protocol';
import type { HostConnection } from '../transport/connection';

export interface LogsQuery {
  filter: string;
  sort: SortKey;
  order: SortOrder;
}

export const DEFAULT_LOGS_QUERY: LogsQuery = { filter: '', sort: 'start_time', order: 'desc' };

export const PAGE_SIZE = 200;

export class LogsData {
  query: LogsQuery = { ...DEFAULT_LOGS_QUERY };
  total = 0;
  scoreNames: string[] = [];
  /** The last query's error (a bad filter the host refused, or the host unreachable). */
  error: string | undefined;
  private rows = new Map<number, TraceSummary>();
  private readonly loading = new Set<number>();
  /** Bumped whenever the rows are replaced: answers to older requests are dropped. */
  private generation = 0;

  constructor(
    private readonly conn: Pick<HostConnection, 'request'>,
    /** Rows arrived or changed: repaint. */
    private readonly onRows: () => void,
  ) {}

  /** The row at `index`, or undefined while its page loads (the load starts here). */
  rowAt(index: number): TraceSummary | undefined {
    const row = this.rows.get(index);
    if (!row && index >= 0 && index < this.total) void this.loadPage(Math.floor(index / PAGE_SIZE));
    return row;
  }

  /** Where a trace is among the loaded rows; -1 when not loaded. */
  indexOf(traceId: string): number {
    for (const [i, t] of this.rows) if (t.id === traceId) return i;
    return -1;
  }

  /** Replaces the query and loads its first page. Resolves false when the host refused it. */
  async setQuery(query: LogsQuery): Promise<boolean> {
    this.query = { ...query };
    const generation = ++this.generation;
    try {
      const r = await this.conn.request(QueryTraces, { ...this.params(), offset: 0, limit: PAGE_SIZE });
      if (generation !== this.generation) return true;
      this.replace(r.traces, r.offset, r.total, r.score_names);
      this.error = undefined;
      return true;
    } catch (err) {
      if (generation !== this.generation) return true;
      this.replace([], 0, 0, this.scoreNames);
      this.error = err instanceof Error ? err.message : String(err);
      return false;
    } finally {
      this.onRows();
    }
  }

  /** Loads every row in [from, to) that is not loaded yet (e.g. the rows a Shift-click spans). */
  async ensure(from: number, to: number): Promise<void> {
    const pages: Promise<void>[] = [];
    for (let p = Math.floor(from / PAGE_SIZE); p * PAGE_SIZE < Math.min(to, this.total); p++) {
      let missing = false;
      for (let i = p * PAGE_SIZE; i < Math.min((p + 1) * PAGE_SIZE, to, this.total) && !missing; i++)
        missing = !this.rows.has(i);
      if (missing) pages.push(this.loadPage(p, true));
    }
    await Promise.all(pages);
  }

  /**
   * Re-reads the rows [from, to) after traces changed. With an anchor (the index of the row
   * the reader is looking at), the rows are read around that trace wherever it moved, and
   * the result says by how many rows it moved; the table scrolls by that much.
   */
  async refresh(from: number, to: number, anchorIndex?: number): Promise<{ moved: number }> {
    const anchorId = anchorIndex === undefined ? undefined : this.rows.get(anchorIndex)?.id;
    const generation = ++this.generation;
    const params: QueryTracesParams = {
      ...this.params(),
      offset: Math.max(0, from),
      limit: Math.max(1, Math.min(to - from, 50_000)),
    };
    if (anchorId !== undefined) params.anchor = { id: anchorId, before: Math.max(0, anchorIndex! - from) };
    try {
      const r = await this.conn.request(QueryTraces, params);
      if (generation !== this.generation) return { moved: 0 };
      this.replace(r.traces, r.offset, r.total, r.score_names);
      this.error = undefined;
      const moved = anchorId !== undefined && typeof r.anchor_index === 'number' ? r.anchor_index - anchorIndex! : 0;
      return { moved };
    } catch (err) {
      if (generation === this.generation) this.error = err instanceof Error ? err.message : String(err);
      return { moved: 0 };
    } finally {
      if (generation === this.generation) this.onRows();
    }
  }

  private params(): QueryTracesParams {
    const p: QueryTracesParams = { sort: this.query.sort, order: this.query.order };
    if (this.query.filter.trim()) p.filter = this.query.filter;
    return p;
  }

  private replace(traces: TraceSummary[], offset: number, total: number, scoreNames: string[]): void {
    this.rows = new Map();
    this.loading.clear();
    traces.forEach((t, i) => this.rows.set(offset + i, t));
    this.total = total;
    this.scoreNames = scoreNames;
  }

  private async loadPage(page: number, force = false): Promise<void> {
    if (this.loading.has(page) && !force) return;
    this.loading.add(page);
    const generation = this.generation;
    try {
      const r = await this.conn.request(QueryTraces, { ...this.params(), offset: page * PAGE_SIZE, limit: PAGE_SIZE });
      if (generation !== this.generation) return;
      r.traces.forEach((t, i) => this.rows.set(r.offset + i, t));
      this.total = r.total;
      this.scoreNames = r.score_names;
      this.loading.delete(page);
      this.onRows();
    } catch (err) {
      // The page stays marked as loading, so a failing host is not asked again on every
      // repaint; the next query or refresh starts over.
      if (generation === this.generation) {
        this.error = err instanceof Error ? err.message : String(err);
        this.onRows();
      }
    }
  }
}
