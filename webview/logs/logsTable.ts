// The logs table: a header of sortable columns and one virtualised row per trace (only the
// rows in view are in the DOM, so thousands scroll like ten). Cells that can filter (status,
// project, tags, thread, scores) are small buttons that add their term to the filter; a plain
// click elsewhere on a row opens its trace, the check column, Ctrl/Cmd and Shift select.
// Every value from a trace is set as text, never as HTML.

import { logsColumns, type LogsColumn } from '../../src/core/queries/logsColumns';
import type { TraceSummary } from '../../src/core/model/model';
import type { SortKey, SortOrder } from '../../src/core/queries/traceSort';
import { setCodicon } from '../components/icons';
import { formatCost, formatCount, formatDuration, formatScore } from '../../src/core/display/format';
import { h, setText } from '../components/dom';
import { VirtualList } from '../components/virtualList';
import { clickKind, type ClickKind } from './rowSelection';

export const ROW_HEIGHT = 28;

const WIDTHS: Record<string, number> = {
  name: 220,
  project: 130,
  start_time: 150,
  duration: 86,
  status: 86,
  spans: 64,
  tokens: 72,
  cost: 80,
  tags: 160,
  thread: 130,
  commit: 150,
};
const SCORE_WIDTH = 96;
const CHECK_WIDTH = 30;
/** Text columns sort A→Z first; numbers and times biggest or newest first. */
const ASCENDING_FIRST = new Set(['name', 'project', 'tags', 'thread', 'commit', 'status']);

export interface LogsTableEvents {
  rowAt(index: number): TraceSummary | undefined;
  isSelected(traceId: string): boolean;
  onRowClick(index: number, trace: TraceSummary, kind: ClickKind): void;
  onToggle(index: number, trace: TraceSummary, range: boolean): void;
  onOpen(trace: TraceSummary): void;
  onFilterTerm(term: string): void;
  onSort(sort: SortKey, order: SortOrder): void;
}

export class LogsTable {
  readonly element: HTMLElement;
  readonly viewport: HTMLElement;
  private readonly header: HTMLElement;
  private readonly list: VirtualList;
  private columns: LogsColumn[] = logsColumns([]);
  /** Which columns a row element was built for; rows built for others are rebuilt on paint. */
  private columnsKey = this.columns.map((c) => c.id).join('\n');
  private sort: SortKey = 'start_time';
  private order: SortOrder = 'desc';
  private focusIndex = 0;
  private openId: string | undefined;

  constructor(private readonly events: LogsTableEvents) {
    this.header = h('div', { class: 'logs-header', attrs: { role: 'row' } });
    const headerClip = h('div', { class: 'logs-header-clip' }, this.header);
    this.viewport = h('div', {
      class: 'logs-viewport',
      attrs: { role: 'grid', tabindex: '0', 'aria-label': 'Traces', 'aria-multiselectable': 'true' },
    });
    this.element = h('div', { class: 'logs-table' }, headerClip, this.viewport);
    this.list = new VirtualList({
      viewport: this.viewport,
      rowHeight: ROW_HEIGHT,
      createRow: () => this.createRow(),
      paint: (row, i) => this.paint(row, i),
      overscan: 12,
    });
    this.viewport.addEventListener('scroll', () => (headerClip.scrollLeft = this.viewport.scrollLeft), {
      passive: true,
    });
    this.viewport.addEventListener('click', (e) => this.onClick(e));
    this.viewport.addEventListener('dblclick', (e) => this.onDoubleClick(e));
    this.viewport.addEventListener('keydown', (e) => this.onKey(e));
    this.renderHeader();
  }

  /** The column ids as shown, for the CSV export. */
  get columnIds(): string[] {
    return this.columns.map((c) => c.id);
  }

  get firstVisible(): number {
    return Math.max(0, Math.floor(this.viewport.scrollTop / ROW_HEIGHT));
  }

  get visibleCount(): number {
    return Math.ceil((this.viewport.clientHeight || 600) / ROW_HEIGHT);
  }

  get scrollTop(): number {
    return this.viewport.scrollTop;
  }

  /** Moves the view by whole rows (a live refresh keeping the reader's row in place). */
  scrollByRows(rows: number): void {
    if (rows) this.list.scrollTop = Math.max(0, this.viewport.scrollTop + rows * ROW_HEIGHT);
  }

  scrollToTop(): void {
    this.list.scrollTop = 0;
  }

  setScoreNames(names: readonly string[]): void {
    const columns = logsColumns(names);
    const key = columns.map((c) => c.id).join('\n');
    if (key === this.columnsKey) return;
    this.columns = columns;
    this.columnsKey = key;
    this.renderHeader();
    this.list.repaint();
  }

  setSort(sort: SortKey, order: SortOrder): void {
    this.sort = sort;
    this.order = order;
    this.renderHeader();
  }

  setCount(count: number): void {
    if (this.focusIndex >= count) this.focusIndex = Math.max(0, count - 1);
    this.list.setCount(count);
  }

  setOpen(traceId: string | undefined): void {
    this.openId = traceId;
    this.list.repaint();
  }

  repaint(): void {
    this.list.repaint();
  }

  private renderHeader(): void {
    const template = [`${CHECK_WIDTH}px`, ...this.columns.map((c) => `${WIDTHS[c.id] ?? SCORE_WIDTH}px`)].join(' ');
    const width = CHECK_WIDTH + this.columns.reduce((w, c) => w + (WIDTHS[c.id] ?? SCORE_WIDTH), 0);
    this.element.style.setProperty('--logs-columns', template);
    this.element.style.setProperty('--logs-width', `${width}px`);
    const cells: HTMLElement[] = [
      h('div', { class: 'logs-hcell logs-check-cell', attrs: { role: 'columnheader', 'aria-label': 'Selected' } }),
    ];
    for (const column of this.columns) {
      const sorted = column.sort === this.sort;
      const button = h('button', {
        class: `logs-hcell${column.numeric ? ' numeric' : ''}${sorted ? ' sorted' : ''}`,
        text: column.label,
        title: `Sort by ${column.label}${sorted ? (this.order === 'asc' ? ' (ascending; click for descending)' : ' (descending; click for ascending)') : ''}`,
        attrs: {
          type: 'button',
          role: 'columnheader',
          'aria-sort': sorted ? (this.order === 'asc' ? 'ascending' : 'descending') : 'none',
          'data-column': column.id,
        },
      });
      if (sorted)
        button.append(
          h('span', {
            class: `codicon codicon-${this.order === 'asc' ? 'arrow-up' : 'arrow-down'}`,
            attrs: { 'aria-hidden': 'true' },
          }),
        );
      button.addEventListener('click', () => {
        const order: SortOrder = sorted
          ? this.order === 'asc'
            ? 'desc'
            : 'asc'
          : ASCENDING_FIRST.has(column.id)
            ? 'asc'
            : 'desc';
        this.events.onSort(column.sort, order);
      });
      cells.push(button);
    }
    this.header.replaceChildren(...cells);
  }

  private createRow(): HTMLElement {
    const row = h('div', { class: 'logs-row', attrs: { role: 'row' } });
    row.dataset.columns = this.columnsKey;
    const check = h(
      'span',
      { class: 'logs-cell logs-check-cell', attrs: { role: 'gridcell' } },
      h('span', { class: 'codicon codicon-blank logs-check', attrs: { 'aria-hidden': 'true' } }),
    );
    row.append(check);
    for (const column of this.columns)
      row.append(
        h('span', {
          class: `logs-cell${column.numeric ? ' numeric' : ''}`,
          attrs: { role: 'gridcell', 'data-column': column.id },
        }),
      );
    return row;
  }

  private paint(row: HTMLElement, index: number): void {
    // A row made before the columns changed: rebuild its cells.
    if (row.dataset.columns !== this.columnsKey) {
      row.replaceChildren(...this.createRow().children);
      row.dataset.columns = this.columnsKey;
    }
    const t = this.events.rowAt(index);
    row.dataset.index = String(index);
    row.id = `logs-row-${index}`;
    row.setAttribute('aria-rowindex', String(index + 1));
    row.classList.toggle('focused', index === this.focusIndex);
    if (!t) {
      row.classList.add('loading');
      row.classList.remove('selected', 'open');
      delete row.dataset.traceId;
      row.removeAttribute('aria-selected');
      for (let i = 1; i < row.children.length; i++) {
        const cell = row.children[i] as HTMLElement;
        delete cell.dataset.key;
        setText(cell, i === 1 ? '…' : '');
      }
      return;
    }
    row.classList.remove('loading');
    row.dataset.traceId = t.id;
    const selected = this.events.isSelected(t.id);
    row.classList.toggle('selected', selected);
    row.classList.toggle('open', t.id === this.openId);
    row.setAttribute('aria-selected', String(selected));
    setCodicon(row.children[0].firstElementChild as HTMLElement, selected ? 'check' : 'blank', 'logs-check');
    this.columns.forEach((column, i) => this.paintCell(row.children[i + 1] as HTMLElement, column, t));
  }

  private paintCell(cell: HTMLElement, column: LogsColumn, t: TraceSummary): void {
    const terms = column.filterTerms(t);
    const text = cellText(column, t);
    cell.title = column.id === 'start_time' ? t.start_time : column.id === 'name' ? `${t.name}\n${t.id}` : text;
    if (column.id === 'duration') cell.classList.toggle('running', t.status === 'running');
    if (terms.length === 0 || column.id === 'name') {
      if (cell.childElementCount) cell.replaceChildren();
      delete cell.dataset.key;
      setText(cell, text);
      return;
    }
    // Filterable cells: one button per term (a tag each), keyed so repaints reuse them.
    const labels = column.id === 'tags' ? (t.tags ?? []) : [text];
    const key = `${column.id}\u0000${terms.join('\u0000')}\u0000${labels.join('\u0000')}`;
    if (cell.dataset.key === key) return;
    cell.dataset.key = key;
    cell.replaceChildren(
      ...terms.map((term, i) => {
        const button = h('button', {
          class: `cell-filter${column.id === 'status' ? ` status-chip status-${t.status}` : ''}`,
          text: labels[i] ?? term,
          title: `Add to the filter: ${term}`,
          attrs: { type: 'button', 'data-term': term },
        });
        return button;
      }),
    );
  }

  private rowOf(e: Event): { row: HTMLElement; index: number; trace: TraceSummary } | undefined {
    const row = (e.target as HTMLElement).closest<HTMLElement>('.logs-row');
    if (!row) return undefined;
    const index = Number(row.dataset.index);
    const trace = this.events.rowAt(index);
    return trace ? { row, index, trace } : undefined;
  }

  private onClick(e: MouseEvent): void {
    const target = e.target as HTMLElement;
    const term = target.closest<HTMLElement>('.cell-filter')?.dataset.term;
    if (term) {
      e.stopPropagation();
      this.events.onFilterTerm(term);
      return;
    }
    const hit = this.rowOf(e);
    if (!hit) return;
    this.focusIndex = hit.index;
    if (target.closest('.logs-check-cell')) this.events.onToggle(hit.index, hit.trace, e.shiftKey);
    else this.events.onRowClick(hit.index, hit.trace, clickKind(e));
    this.viewport.focus({ preventScroll: true });
    this.list.repaint();
  }

  private onDoubleClick(e: MouseEvent): void {
    if ((e.target as HTMLElement).closest('.cell-filter, .logs-check-cell')) return;
    const hit = this.rowOf(e);
    if (hit) this.events.onOpen(hit.trace);
  }

  private onKey(e: KeyboardEvent): void {
    const count = this.list.length;
    if (count === 0) return;
    let next = this.focusIndex;
    const page = Math.max(1, this.visibleCount - 1);
    switch (e.key) {
      case 'ArrowDown':
        next = Math.min(count - 1, next + 1);
        break;
      case 'ArrowUp':
        next = Math.max(0, next - 1);
        break;
      case 'PageDown':
        next = Math.min(count - 1, next + page);
        break;
      case 'PageUp':
        next = Math.max(0, next - page);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = count - 1;
        break;
      case 'Enter': {
        const t = this.events.rowAt(this.focusIndex);
        if (t) this.events.onOpen(t);
        e.preventDefault();
        return;
      }
      case ' ': {
        const t = this.events.rowAt(this.focusIndex);
        if (t) this.events.onToggle(this.focusIndex, t, e.shiftKey);
        this.list.repaint();
        e.preventDefault();
        return;
      }
      default:
        return;
    }
    e.preventDefault();
    this.focusIndex = next;
    this.viewport.setAttribute('aria-activedescendant', `logs-row-${next}`);
    this.list.reveal(next);
    this.list.repaint();
  }
}

/** How a cell reads: the column's raw value, formatted for people. */
export function cellText(column: LogsColumn, t: TraceSummary, now = Date.now()): string {
  const v = column.value(t);
  switch (column.id) {
    case 'start_time':
      return formatStart(t.start_time, now);
    case 'duration':
      return t.status === 'running'
        ? formatDuration(Math.max(0, now - Date.parse(t.start_time)))
        : formatDuration(typeof v === 'number' ? v : null);
    case 'spans':
    case 'tokens':
      return typeof v === 'number' ? formatCount(v) : '';
    case 'cost':
      return typeof v === 'number' ? formatCost(v) : '';
    default:
      if (column.id.startsWith('score:')) return typeof v === 'number' ? formatScore(v) : '';
      return v === undefined ? '' : String(v);
  }
}

/** Today's traces by their time; older ones with the date too. Local time, as people read it. */
export function formatStart(iso: string, now = Date.now()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const today = new Date(now);
  const sameDay =
    d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() && d.getDate() === today.getDate();
  return sameDay ? time : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}
