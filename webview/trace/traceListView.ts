// The recent traces, newest first, kept live from the change feed: a new trace appears at the
// top, a running one shows a spinner and its growing duration, a failed one a red icon.
// Arrow keys move, Enter or a click opens; a trace is deleted with a second click on its
// trash icon (the first one asks).

import type { TraceSummary } from '../../src/core/model/model';
import { compareIso } from '../../src/core/model/spanTree';
import { codicon, setCodicon } from '../components/icons';
import {
  formatAgo,
  formatCost,
  formatCount,
  formatDuration,
  formatScore,
  totalTokens,
} from '../../src/core/display/format';
import { h, setText } from '../components/dom';
import { VirtualList } from '../components/virtualList';

export interface TraceListEvents {
  onOpen(traceId: string): void;
  onDelete(traceId: string): void;
}

const ROW_HEIGHT = 40;

export class TraceListView {
  readonly element: HTMLElement;
  private readonly viewport: HTMLElement;
  private readonly count: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly list: VirtualList;
  private readonly byId = new Map<string, TraceSummary>();
  private order: TraceSummary[] = [];
  private openId: string | undefined;
  private focusIndex = -1;
  private armedDelete: string | undefined;

  constructor(private readonly events: TraceListEvents) {
    this.count = h('span', { class: 'list-count' });
    this.viewport = h('div', {
      class: 'trace-list-viewport',
      attrs: { role: 'listbox', tabindex: '0', 'aria-label': 'Recent traces' },
    });
    this.empty = h('div', { class: 'list-empty muted', text: 'None yet' });
    this.element = h(
      'nav',
      { class: 'trace-list' },
      h('div', { class: 'pane-title' }, h('span', { text: 'Traces' }), this.count),
      this.empty,
      this.viewport,
    );
    this.list = new VirtualList({
      viewport: this.viewport,
      rowHeight: ROW_HEIGHT,
      createRow: () => this.createRow(),
      paint: (row, i) => this.paint(row, i),
    });
    this.viewport.addEventListener('click', (e) => this.onClick(e));
    this.viewport.addEventListener('keydown', (e) => this.onKey(e));
  }

  get traces(): readonly TraceSummary[] {
    return this.order;
  }

  get(traceId: string): TraceSummary | undefined {
    return this.byId.get(traceId);
  }

  setTraces(traces: TraceSummary[]): void {
    this.byId.clear();
    this.upsert(traces);
  }

  upsert(traces: TraceSummary[]): void {
    for (const t of traces) this.byId.set(t.id, t);
    this.resort();
  }

  remove(ids: string[]): void {
    for (const id of ids) this.byId.delete(id);
    this.resort();
  }

  setOpen(traceId: string | undefined): void {
    this.openId = traceId;
    const index = this.order.findIndex((t) => t.id === traceId);
    if (index >= 0) {
      this.focusIndex = index;
      this.list.reveal(index);
    }
    this.list.repaint();
  }

  /** Running durations and "2m ago" labels move on. */
  tick(): void {
    this.list.repaint();
  }

  private resort(): void {
    this.order = [...this.byId.values()].sort((a, b) => compareIso(b.start_time, a.start_time));
    this.count.textContent = this.order.length ? String(this.order.length) : '';
    this.empty.hidden = this.order.length > 0;
    this.list.setCount(this.order.length);
  }

  private createRow(): HTMLElement {
    const row = h('div', { class: 'trace-row', attrs: { role: 'option' } });
    const icon = codicon('pulse');
    const name = h('span', { class: 'trace-name' });
    const duration = h('span', { class: 'trace-duration' });
    const trash = codicon('trash', 'trace-delete');
    trash.setAttribute('role', 'button');
    trash.removeAttribute('aria-hidden');
    const facts = h('div', { class: 'trace-facts' });
    row.append(h('div', { class: 'trace-line' }, icon, name, duration, trash), facts);
    return row;
  }

  private paint(row: HTMLElement, index: number): void {
    const t = this.order[index];
    const [line, facts] = row.children as unknown as [HTMLElement, HTMLElement];
    const [icon, name, duration, trash] = line.children as unknown as HTMLElement[];
    row.dataset.index = String(index);
    row.dataset.traceId = t.id;
    row.id = `trace-row-${index}`;
    row.setAttribute('aria-selected', String(t.id === this.openId));
    row.classList.toggle('selected', t.id === this.openId);
    row.classList.toggle('focused', index === this.focusIndex);
    row.title = `${t.name}\n${t.project_name}\n${t.start_time}\n${t.id}`;
    const running = t.status === 'running';
    setCodicon(
      icon,
      running ? 'loading' : t.status === 'error' ? 'error' : 'pass',
      `trace-status status-${t.status}${running ? ' codicon-modifier-spin' : ''}`,
    );
    setText(name, t.name);
    const ms = t.duration_ms ?? (running ? Date.now() - Date.parse(t.start_time) : null);
    setText(duration, formatDuration(ms));
    const armed = this.armedDelete === t.id;
    setCodicon(trash, armed ? 'warning' : 'trash', `trace-delete${armed ? ' armed' : ''}`);
    trash.setAttribute('aria-label', armed ? `Click again to delete ${t.name}` : `Delete ${t.name}`);
    trash.title = armed ? 'Click again to delete this trace' : 'Delete trace';
    const parts = [formatAgo(t.start_time), `${formatCount(t.span_count)} ${t.span_count === 1 ? 'span' : 'spans'}`];
    if (t.error_count) parts.push(`${t.error_count} ${t.error_count === 1 ? 'error' : 'errors'}`);
    const tokens = totalTokens(t.usage);
    if (tokens) parts.push(`${formatCount(tokens)} tok`);
    if (t.total_estimated_cost) parts.push(formatCost(t.total_estimated_cost));
    for (const [k, a] of Object.entries(t.score_averages ?? {})) parts.push(`${k} ${formatScore(a.avg)}`);
    setText(facts, parts.join(' · '));
  }

  private onClick(e: MouseEvent): void {
    const row = (e.target as HTMLElement).closest<HTMLElement>('.trace-row');
    const id = row?.dataset.traceId;
    if (!row || !id) return;
    if ((e.target as HTMLElement).classList.contains('trace-delete')) {
      if (this.armedDelete === id) {
        this.armedDelete = undefined;
        this.events.onDelete(id);
      } else {
        this.armedDelete = id;
        setTimeout(() => {
          if (this.armedDelete === id) this.armedDelete = undefined;
          this.list.repaint();
        }, 3000);
      }
      this.list.repaint();
      return;
    }
    this.focusIndex = Number(row.dataset.index);
    this.events.onOpen(id);
  }

  private onKey(e: KeyboardEvent): void {
    const last = this.order.length - 1;
    let next = this.focusIndex;
    if (e.key === 'ArrowDown') next = Math.min(last, next + 1);
    else if (e.key === 'ArrowUp') next = Math.max(0, next - 1);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = last;
    else if (e.key === 'Enter' && this.order[next]) {
      this.events.onOpen(this.order[next].id);
      return e.preventDefault();
    } else return;
    e.preventDefault();
    this.focusIndex = next;
    this.viewport.setAttribute('aria-activedescendant', `trace-row-${next}`);
    this.list.reveal(next);
    this.list.repaint();
  }
}
