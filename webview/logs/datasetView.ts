// A dataset file (`.spanscope/datasets/<name>.jsonl`) in the Logs tab: one row per line
// (input, expected, metadata, and a link to the trace it came from while that trace is still
// stored), the lines that could not be read listed by number, and the whole of the picked
// row below the table. Everything in a dataset is the user's or a span's text: it is set as
// text, never as HTML. The host reads the file (VS Code only: the file is in the workspace).

import { preview } from '../../src/core/model/aggregates';
import type { DatasetEntry } from '../../src/core/replay/datasetFile';
import { ReadDataset, type DatasetContent } from '../../src/shared/protocol';
import { iconButton } from '../components/button';
import { h, setText } from '../components/dom';
import { VirtualList } from '../components/virtualList';
import type { HostConnection } from '../transport/connection';
import { errorText } from '../trace/details/sourceLink';
import { ROW_HEIGHT } from './logsTable';

export interface DatasetViewOptions {
  conn: HostConnection;
  /** Opens a row's source trace (and span) in the trace view. */
  openTrace(traceId: string, spanId?: string): void;
  /** Back to the traces. */
  onClose(): void;
}

const COLUMNS = [
  { id: 'line', label: 'Line', width: 56 },
  { id: 'input', label: 'Input', width: 320 },
  { id: 'expected', label: 'Expected', width: 320 },
  { id: 'metadata', label: 'Metadata', width: 220 },
  { id: 'source', label: 'Source', width: 220 },
] as const;

export class DatasetView {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly count: HTMLElement;
  private readonly problems: HTMLElement;
  private readonly viewport: HTMLElement;
  private readonly list: VirtualList;
  private readonly detail: HTMLElement;
  private content: DatasetContent | undefined;
  private uri: string | undefined;
  private picked = -1;

  constructor(private readonly o: DatasetViewOptions) {
    this.title = h('span', { class: 'dataset-title' });
    this.count = h('span', { class: 'dataset-count', attrs: { role: 'status', 'aria-live': 'polite' } });
    const toolbar = h(
      'div',
      { class: 'dataset-toolbar' },
      iconButton({
        icon: 'arrow-left',
        label: 'Back to the traces',
        className: 'dataset-close',
        onClick: () => o.onClose(),
      }),
      h('span', { class: 'codicon codicon-database', attrs: { 'aria-hidden': 'true' } }),
      this.title,
      this.count,
      iconButton({
        icon: 'refresh',
        label: 'Read the dataset file again',
        className: 'dataset-reload',
        onClick: () => void this.load(),
      }),
    );
    this.problems = h('div', { class: 'dataset-problems', attrs: { role: 'status' } });
    this.problems.hidden = true;
    const template = COLUMNS.map((c) => `${c.width}px`).join(' ');
    const header = h(
      'div',
      { class: 'dataset-header', attrs: { role: 'row' } },
      ...COLUMNS.map((c) => h('div', { class: 'dataset-hcell', text: c.label, attrs: { role: 'columnheader' } })),
    );
    const headerClip = h('div', { class: 'dataset-header-clip' }, header);
    this.viewport = h('div', {
      class: 'dataset-viewport',
      attrs: { role: 'grid', tabindex: '0', 'aria-label': 'Dataset rows' },
    });
    const table = h('div', { class: 'dataset-table' }, headerClip, this.viewport);
    table.style.setProperty('--dataset-columns', template);
    table.style.setProperty('--dataset-width', `${COLUMNS.reduce((w, c) => w + c.width, 0)}px`);
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
    this.viewport.addEventListener('keydown', (e) => this.onKey(e));
    this.detail = h('div', { class: 'dataset-detail', attrs: { 'aria-label': 'The selected row' } });
    this.detail.hidden = true;
    this.element = h(
      'section',
      { class: 'dataset-view', attrs: { 'aria-label': 'Dataset' } },
      toolbar,
      this.problems,
      table,
      this.detail,
    );
  }

  /** The dataset file shown (its URI), if any. */
  get shown(): string | undefined {
    return this.uri;
  }

  show(uri: string): Promise<void> {
    if (uri !== this.uri) {
      this.uri = uri;
      this.content = undefined;
      this.picked = -1;
      this.list.scrollTop = 0;
    }
    return this.load();
  }

  private async load(): Promise<void> {
    const uri = this.uri;
    if (!uri) return;
    setText(this.title, this.content?.name ?? fileName(uri));
    setText(this.count, 'Reading…');
    try {
      const content = await this.o.conn.request(ReadDataset, { uri });
      if (this.uri !== uri) return;
      this.content = content;
      setText(this.title, content.name);
      const n = content.rows.length;
      setText(
        this.count,
        `${n.toLocaleString('en')} ${n === 1 ? 'row' : 'rows'}${content.omitted ? ` (the first; ${content.omitted.toLocaleString('en')} more not shown)` : ''}`,
      );
      this.showProblems(content);
    } catch (err) {
      if (this.uri !== uri) return;
      this.content = undefined;
      setText(this.count, '');
      this.problems.hidden = false;
      this.problems.replaceChildren(
        h('div', { class: 'dataset-problem error', text: `Could not read the dataset: ${errorText(err)}` }),
      );
    }
    if (this.picked >= (this.content?.rows.length ?? 0)) this.picked = -1;
    this.list.setCount(this.content?.rows.length ?? 0);
    this.showDetail();
  }

  private showProblems(content: DatasetContent): void {
    this.problems.hidden = content.problems.length === 0;
    if (this.problems.hidden) return this.problems.replaceChildren();
    const n = content.problems.length;
    this.problems.replaceChildren(
      h('div', { class: 'dataset-problem-summary', text: `${n === 1 ? 'One line was' : `${n} lines were`} skipped:` }),
      ...content.problems.map((p) => h('div', { class: 'dataset-problem', text: `Line ${p.line}: ${p.message}` })),
    );
  }

  private createRow(): HTMLElement {
    return h(
      'div',
      { class: 'dataset-row', attrs: { role: 'row' } },
      ...COLUMNS.map((c) =>
        h('span', {
          class: `dataset-cell${c.id === 'line' ? ' numeric' : ''}`,
          attrs: { role: 'gridcell', 'data-column': c.id },
        }),
      ),
    );
  }

  private paint(row: HTMLElement, index: number): void {
    const entry = this.content?.rows[index];
    row.dataset.index = String(index);
    row.id = `dataset-row-${index}`;
    row.classList.toggle('selected', index === this.picked);
    row.setAttribute('aria-selected', String(index === this.picked));
    if (!entry) return;
    const [line, input, expected, metadata, source] = [...row.children] as HTMLElement[];
    setText(line, String(entry.line));
    for (const [cell, value] of [
      [input, entry.input],
      [expected, entry.expected],
      [metadata, entry.metadata],
    ] as const) {
      const text = preview(value) ?? '';
      setText(cell, text);
      cell.title = text;
    }
    this.paintSource(source, entry);
  }

  private paintSource(cell: HTMLElement, entry: DatasetEntry): void {
    const s = entry.source;
    if (!s) {
      cell.replaceChildren();
      cell.title = '';
      return;
    }
    const label = s.name || s.trace_id;
    if (s.in_store) {
      const link = h('button', {
        class: 'dataset-source',
        text: label,
        attrs: { type: 'button', 'data-trace': s.trace_id },
      });
      if (s.span_id) link.dataset.span = s.span_id;
      cell.replaceChildren(link);
      cell.title = `Open trace ${s.trace_id}`;
    } else {
      cell.replaceChildren(h('span', { class: 'muted dataset-source-gone', text: `${label} (not stored)` }));
      cell.title = `Trace ${s.trace_id} is no longer in the store`;
    }
  }

  private onClick(e: MouseEvent): void {
    const target = e.target as HTMLElement;
    const link = target.closest<HTMLElement>('.dataset-source');
    if (link?.dataset.trace) {
      this.o.openTrace(link.dataset.trace, link.dataset.span);
      return;
    }
    const row = target.closest<HTMLElement>('.dataset-row');
    if (!row?.dataset.index) return;
    this.pick(Number(row.dataset.index));
    this.viewport.focus({ preventScroll: true });
  }

  /** Up and down (Home, End) pick the row whose values show below; Enter opens its source. */
  private onKey(e: KeyboardEvent): void {
    const count = this.content?.rows.length ?? 0;
    if (!count) return;
    const at = this.picked;
    const next =
      e.key === 'ArrowDown'
        ? Math.min(count - 1, at + 1)
        : e.key === 'ArrowUp'
          ? Math.max(0, at - 1)
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? count - 1
              : undefined;
    if (next !== undefined) {
      e.preventDefault();
      this.pick(next);
      this.list.reveal(next);
    } else if (e.key === 'Enter') {
      const source = this.content?.rows[at]?.source;
      if (source?.in_store) this.o.openTrace(source.trace_id, source.span_id);
    }
  }

  private pick(index: number): void {
    this.picked = index;
    this.viewport.setAttribute('aria-activedescendant', `dataset-row-${index}`);
    this.list.repaint();
    this.showDetail();
  }

  /** The picked row whole, pretty-printed, so long values can be read. */
  private showDetail(): void {
    const entry = this.content?.rows[this.picked];
    this.detail.hidden = !entry;
    if (!entry) return this.detail.replaceChildren();
    const section = (label: string, value: unknown) =>
      h(
        'div',
        { class: 'dataset-detail-section' },
        h('div', { class: 'dataset-detail-label', text: label }),
        h('pre', { class: 'dataset-detail-value', text: pretty(value) }),
      );
    this.detail.replaceChildren(
      h('div', { class: 'dataset-detail-title', text: `Line ${entry.line}` }),
      section('Input', entry.input),
      section('Expected', entry.expected),
      section('Metadata', entry.metadata),
    );
  }
}

/** The file's name from its URI, until the host's reply names it. */
function fileName(uri: string): string {
  const last = uri.split(/[\\/]/).pop() || uri;
  let name = last;
  try {
    name = decodeURIComponent(last);
  } catch {
    // A stray `%`: the name as written.
  }
  return name.replace(/\.jsonl$/i, '');
}

function pretty(value: unknown): string {
  if (value === undefined) return '—';
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}
