// The Logs tab: the filter line, the table of traces, and what can be done to the checked ones
// (score, delete, export, add to a dataset in VS Code; with none checked, export takes every
// trace the filter shows); or, opened from the editor, a dataset file's rows instead
// (datasetView.ts). Filtering and sorting run where the traces are (the host or the
// collector); this view holds a page cache (LogsData) and keeps it live: changes are
// re-read at most twice a second, around the row the reader is looking at, so new traces
// arrive above it without moving it (at the very top, they slide in).

import { addFilterTerm } from '../../src/core/queries/filterTerms';
import type { TraceSummary } from '../../src/core/model/model';
import type { SortKey, SortOrder } from '../../src/core/queries/traceSort';
import {
  AddTracesToDataset,
  ChangesNotification,
  DeleteTraces,
  ExportTraces,
  ScoreTraces,
  THUMBS_SCORE,
  type HostInfo,
} from '../../src/shared/protocol';
import { iconButton, setDisabled, textButton } from '../components/button';
import { textField } from '../components/textField';
import type { TabsState, TabsStorage } from '../state/panelState';
import type { HostConnection } from '../transport/connection';
import { noTracesHint } from '../shell/emptyHint';
import { h, setText } from '../components/dom';
import { errorText } from '../trace/details/sourceLink';
import { DatasetView } from './datasetView';
import { DEFAULT_LOGS_QUERY, LogsData } from './logsData';
import { FilterBox } from './filterBox';
import { LogsTable } from './logsTable';
import { RowSelection, type ClickKind } from './rowSelection';

export interface LogsViewOptions {
  conn: HostConnection;
  info(): HostInfo | undefined;
  /** Opens a trace (and a span of it) in the trace view, and shows it. */
  openTrace(traceId: string, spanId?: string): void;
  notify(message: string, kind?: 'error' | 'info'): void;
  storage: TabsStorage;
}

const REFRESH_MS = 500;
/** Rows re-read above and below the visible ones on a live refresh. */
const MARGIN_ROWS = 100;

export class LogsView {
  readonly element: HTMLElement;
  private readonly data: LogsData;
  private readonly table: LogsTable;
  private readonly filter: FilterBox;
  private readonly selection = new RowSelection();
  private readonly count: HTMLElement;
  /** Says why the table is empty: nothing stored yet, or nothing matches the filter. */
  private readonly empty: HTMLElement;
  private readonly selectionBar: HTMLElement;
  private readonly selectionCount: HTMLElement;
  private readonly deleteButton: HTMLElement;
  /** In VS Code only (datasets are workspace files); put in the bar once the host is known. */
  private readonly datasetButton: HTMLElement;
  private readonly traces: HTMLElement;
  /** Made when a dataset is first shown: the standalone page never has one. */
  private datasetView: DatasetView | undefined;
  /** The dataset file shown instead of the traces (kept in the saved state, so it comes back after a reload). */
  private dataset: string | undefined;
  private readonly scoreName;
  private readonly scoreValue;
  private deleteArmed = false;
  private visible = false;
  private dirty = false;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private lastRefresh = 0;
  private refreshing: Promise<void> | undefined;
  private started = false;

  constructor(private readonly o: LogsViewOptions) {
    this.data = new LogsData(o.conn, () => this.onRows());
    const saved = o.storage.load();
    this.data.query = {
      filter: saved.logsFilter ?? '',
      sort: saved.logsSort ?? DEFAULT_LOGS_QUERY.sort,
      order: saved.logsOrder ?? DEFAULT_LOGS_QUERY.order,
    };

    this.filter = new FilterBox({ onApply: (text) => this.setQuery({ filter: text }) });
    this.filter.set(this.data.query.filter);
    this.filter.markApplied(this.data.query.filter);
    this.count = h('span', { class: 'logs-count', attrs: { role: 'status', 'aria-live': 'polite' } });
    const exportJsonl = textButton({
      label: 'JSONL',
      icon: 'export',
      appearance: 'secondary',
      title: 'Export the selected traces (or every trace the filter shows) as JSON Lines, one whole trace per line',
      onClick: () => void this.export('jsonl'),
    });
    const exportCsv = textButton({
      label: 'CSV',
      icon: 'table',
      appearance: 'secondary',
      title: 'Export the table as shown (the selected rows, or every row the filter shows) as CSV',
      onClick: () => void this.export('csv'),
    });
    const refresh = iconButton({ icon: 'refresh', label: 'Refresh', onClick: () => void this.refresh(false) });
    const toolbar = h(
      'div',
      { class: 'logs-toolbar' },
      this.filter.element,
      this.count,
      refresh,
      exportJsonl,
      exportCsv,
    );

    this.selectionCount = h('span', { class: 'logs-selection-count' });
    this.scoreName = textField({ ariaLabel: 'Score name', placeholder: 'score name', className: 'logs-score-name' });
    this.scoreValue = textField({
      ariaLabel: 'Score value',
      placeholder: 'value',
      className: 'logs-score-value',
      onKeyDown: (e) => (e.key === 'Enter' ? (void this.scoreSelected(), true) : false),
    });
    this.deleteButton = textButton({
      label: 'Delete',
      icon: 'trash',
      appearance: 'secondary',
      onClick: () => void this.deleteSelected(),
    });
    this.datasetButton = textButton({
      label: 'Add to Dataset…',
      icon: 'database',
      appearance: 'secondary',
      className: 'logs-add-dataset',
      title: 'Append the selected traces (their input and output) to a dataset in .spanscope/datasets',
      onClick: () => void this.addToDataset(),
    });
    this.selectionBar = h(
      'div',
      { class: 'logs-selection-bar', attrs: { role: 'toolbar', 'aria-label': 'Selected traces' } },
      this.selectionCount,
      iconButton({
        icon: 'thumbsup',
        label: 'Thumbs up on the selected traces',
        onClick: () => void this.thumbs(true),
      }),
      iconButton({
        icon: 'thumbsdown',
        label: 'Thumbs down on the selected traces',
        onClick: () => void this.thumbs(false),
      }),
      this.scoreName.element,
      this.scoreValue.element,
      textButton({ label: 'Set score', appearance: 'secondary', onClick: () => void this.scoreSelected() }),
      this.deleteButton,
      iconButton({ icon: 'close', label: 'Clear the selection', onClick: () => this.clearSelection() }),
    );
    this.selectionBar.hidden = true;

    this.table = new LogsTable({
      rowAt: (i) => this.data.rowAt(i),
      isSelected: (id) => this.selection.has(id),
      onRowClick: (i, t, kind) => void this.onRowClick(i, t, kind),
      onToggle: (i, t, range) => void this.onRowClick(i, t, range ? 'range' : 'toggle'),
      onOpen: (t) => this.open(t),
      onFilterTerm: (term) => this.addTerm(term),
      onSort: (sort, order) => this.setQuery({ sort, order }),
    });
    this.table.setSort(this.data.query.sort, this.data.query.order);
    this.empty = h('div', { class: 'logs-empty muted', attrs: { role: 'status' } });
    this.empty.hidden = true;
    this.table.element.insertBefore(this.empty, this.table.viewport);
    this.traces = h(
      'section',
      { class: 'logs-view', attrs: { 'aria-label': 'Logs' } },
      toolbar,
      this.selectionBar,
      this.table.element,
    );
    this.dataset = saved.logsDataset;
    this.element = h('div', { class: 'logs-modes' }, this.traces);
    this.showMode();
    o.conn.onNotification(ChangesNotification, (c) => {
      if (c.removed.length) this.selection.remove(c.removed);
      this.changed();
    });
    setInterval(() => this.tickRunning(), 1000);
  }

  /** The tab became visible: load on first show, catch up on what changed while hidden. */
  show(): void {
    this.visible = true;
    if (this.dataset) {
      const view = this.datasets();
      if (view.shown !== this.dataset) void view.show(this.dataset);
      return;
    }
    if (!this.started) {
      this.started = true;
      void this.data.setQuery(this.data.query).then(() => this.filter.showHostError(this.data.error));
    } else if (this.dirty) {
      this.scheduleRefresh();
    }
  }

  hide(): void {
    this.visible = false;
  }

  /** Shows a dataset file's rows instead of the traces (read again when it is already shown: it may have grown). */
  showDataset(uri: string): void {
    this.dataset = uri;
    this.save({ logsDataset: uri });
    this.showMode();
    void this.datasets().show(uri);
  }

  private closeDataset(): void {
    this.dataset = undefined;
    this.save({ logsDataset: undefined });
    this.showMode();
    if (this.visible) this.show();
  }

  private showMode(): void {
    this.traces.hidden = this.dataset !== undefined;
    if (this.dataset) this.datasets().element.hidden = false;
    else if (this.datasetView) this.datasetView.element.hidden = true;
  }

  private datasets(): DatasetView {
    if (!this.datasetView) {
      this.datasetView = new DatasetView({
        conn: this.o.conn,
        openTrace: (traceId, spanId) => this.o.openTrace(traceId, spanId),
        onClose: () => this.closeDataset(),
      });
      this.element.append(this.datasetView.element);
    }
    return this.datasetView;
  }

  /** Replaces the filter (a monitor bucket clicked) and applies it. */
  setFilter(text: string): void {
    if (this.dataset) this.closeDataset();
    this.filter.set(text);
    this.setQuery({ filter: text });
  }

  get filterText(): string {
    return this.data.query.filter;
  }

  private addTerm(term: string): void {
    this.setFilter(addFilterTerm(this.data.query.filter, term));
  }

  private setQuery(change: Partial<{ filter: string; sort: SortKey; order: SortOrder }>): void {
    const query = { ...this.data.query, ...change };
    this.filter.markApplied(query.filter);
    this.table.setSort(query.sort, query.order);
    this.save({ logsFilter: query.filter || undefined, logsSort: query.sort, logsOrder: query.order });
    this.started = true;
    this.table.scrollToTop();
    void this.data.setQuery(query).then(() => this.filter.showHostError(this.data.error));
  }

  private save(change: Partial<TabsState>): void {
    this.o.storage.save({ ...this.o.storage.load(), ...change });
  }

  private onRows(): void {
    this.table.setScoreNames(this.data.scoreNames);
    this.table.setCount(this.data.total);
    this.table.repaint();
    const n = this.data.total;
    setText(this.count, this.data.error ? '' : `${n.toLocaleString('en')} ${n === 1 ? 'trace' : 'traces'}`);
    this.empty.hidden = n > 0 || Boolean(this.data.error);
    if (!this.empty.hidden)
      setText(
        this.empty,
        this.data.query.filter.trim() ? 'No traces match this filter.' : noTracesHint(this.o.info(), location.origin),
      );
  }

  // ---- live -------------------------------------------------------------------------------

  private changed(): void {
    this.dirty = true;
    // Behind a dataset the table waits: it catches up when the traces are shown again.
    if (this.visible && this.started && !this.dataset) this.scheduleRefresh();
  }

  private scheduleRefresh(): void {
    if (this.refreshTimer) return;
    const wait = Math.max(0, this.lastRefresh + REFRESH_MS - Date.now());
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.refresh(true);
    }, wait);
  }

  /**
   * Re-reads the rows around the view. Scrolled down, the first visible row is the anchor and
   * the view moves with it; at the top, new traces push the rows down where they can be seen.
   */
  private async refresh(live: boolean): Promise<void> {
    if (this.refreshing) {
      this.dirty = true;
      return;
    }
    this.dirty = false;
    this.lastRefresh = Date.now();
    const first = this.table.firstVisible;
    const anchor = live && this.table.scrollTop > 0 ? first : undefined;
    const from = Math.max(0, first - MARGIN_ROWS);
    const to = first + this.table.visibleCount + MARGIN_ROWS;
    this.refreshing = this.data.refresh(from, to, anchor).then(({ moved }) => {
      this.table.scrollByRows(moved);
      this.filter.showHostError(this.data.error);
    });
    try {
      await this.refreshing;
    } finally {
      this.refreshing = undefined;
      if (this.dirty && this.visible) this.scheduleRefresh();
    }
  }

  private tickRunning(): void {
    if (!this.visible) return;
    const first = this.table.firstVisible;
    for (let i = first; i < first + this.table.visibleCount; i++) {
      if (this.data.rowAt(i)?.status === 'running') return this.table.repaint();
    }
  }

  // ---- selection and actions --------------------------------------------------------------

  private async onRowClick(index: number, trace: TraceSummary, kind: ClickKind): Promise<void> {
    // A plain click opens the trace; the checked rows are chosen with the check column,
    // Ctrl/Cmd (toggle) and Shift (range), so opening one never loses a selection.
    if (kind === 'single') return this.open(trace);
    if (kind === 'toggle') {
      this.selection.toggle(trace.id);
    } else {
      const anchorIndex = this.selection.anchorId ? this.data.indexOf(this.selection.anchorId) : -1;
      if (anchorIndex < 0) this.selection.toggle(trace.id);
      else {
        const [a, b] = anchorIndex < index ? [anchorIndex, index] : [index, anchorIndex];
        await this.data.ensure(a, b + 1);
        const ids: string[] = [];
        for (let i = a; i <= b; i++) {
          const t = this.data.rowAt(i);
          if (t) ids.push(t.id);
        }
        this.selection.selectRange(ids, true);
      }
    }
    this.selectionChanged();
  }

  private open(trace: TraceSummary): void {
    this.table.setOpen(trace.id);
    this.o.openTrace(trace.id);
  }

  private clearSelection(): void {
    this.selection.clear();
    this.selectionChanged();
  }

  private selectionChanged(): void {
    const n = this.selection.size;
    this.selectionBar.hidden = n === 0;
    setText(this.selectionCount, `${n} selected`);
    if (this.o.info()?.host === 'vscode' && !this.datasetButton.isConnected)
      this.deleteButton.before(this.datasetButton);
    this.disarmDelete();
    this.table.repaint();
  }

  private async thumbs(up: boolean): Promise<void> {
    const name = this.o.info()?.thumbsScoreName ?? THUMBS_SCORE.name;
    await this.score(name, up ? THUMBS_SCORE.up : THUMBS_SCORE.down);
  }

  private async scoreSelected(): Promise<void> {
    const name = this.scoreName.value.trim();
    const value = Number(this.scoreValue.value);
    if (!name) return this.o.notify('Give the score a name.', 'error');
    if (this.scoreValue.value.trim() === '' || !Number.isFinite(value))
      return this.o.notify('The score value must be a number.', 'error');
    await this.score(name, value);
  }

  private async score(name: string, value: number): Promise<void> {
    const traceIds = this.selection.list();
    if (!traceIds.length) return;
    try {
      const r = await this.o.conn.request(ScoreTraces, { traceIds, name, value });
      this.o.notify(
        `Scored ${r.scored} ${r.scored === 1 ? 'trace' : 'traces'}: ${name} = ${value}${r.missing.length ? ` (${r.missing.length} no longer exist)` : ''}`,
      );
      void this.refresh(true);
    } catch (err) {
      this.o.notify(`Could not score the traces: ${errorText(err)}`, 'error');
    }
  }

  private async addToDataset(): Promise<void> {
    const traceIds = this.selection.list();
    if (!traceIds.length) return;
    try {
      // The host asks which dataset and says how it went; this only starts it.
      await this.o.conn.request(AddTracesToDataset, { traceIds });
    } catch (err) {
      this.o.notify(`Could not add to a dataset: ${errorText(err)}`, 'error');
    }
  }

  private async deleteSelected(): Promise<void> {
    const traceIds = this.selection.list();
    if (!traceIds.length) return;
    if (!this.deleteArmed) {
      this.deleteArmed = true;
      this.deleteButton.replaceChildren(document.createTextNode(`Click again to delete ${traceIds.length}`));
      this.deleteButton.classList.add('armed');
      setTimeout(() => this.disarmDelete(), 4000);
      return;
    }
    this.disarmDelete();
    setDisabled(this.deleteButton, true);
    try {
      await this.o.conn.request(DeleteTraces, { traceIds });
      this.selection.clear();
      this.selectionChanged();
      this.o.notify(`Deleted ${traceIds.length} ${traceIds.length === 1 ? 'trace' : 'traces'}.`);
      void this.refresh(false);
    } catch (err) {
      this.o.notify(`Could not delete the traces: ${errorText(err)}`, 'error');
    } finally {
      setDisabled(this.deleteButton, false);
    }
  }

  private disarmDelete(): void {
    if (!this.deleteArmed && !this.deleteButton.classList.contains('armed')) return;
    this.deleteArmed = false;
    this.deleteButton.classList.remove('armed');
    const icon = this.deleteButton.querySelector('.codicon');
    this.deleteButton.replaceChildren(...(icon ? [icon] : []), document.createTextNode('Delete'));
  }

  private async export(format: 'jsonl' | 'csv'): Promise<void> {
    const selected = this.selection.list();
    const { filter, sort, order } = this.data.query;
    try {
      await this.o.conn.request(ExportTraces, {
        format,
        ...(selected.length > 0 ? { traceIds: selected } : { filter: filter || undefined }),
        sort,
        order,
        ...(format === 'csv' ? { columns: this.table.columnIds } : {}),
      });
    } catch (err) {
      this.o.notify(`Could not export: ${errorText(err)}`, 'error');
    }
  }
}
