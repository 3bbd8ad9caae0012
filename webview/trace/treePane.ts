// The span tree of the open trace with its timeline: search toolbar, header, and the
// virtualised rows. Keyboard and mouse behave like a VS Code tree (the container keeps focus
// and points at the selected row with aria-activedescendant). Live changes are applied
// without losing the selection (kept by span id), the expanded state (by id) or the scroll
// position (the first visible row stays where it was, even when rows are inserted above it).

import { iconButton } from '../components/button';
import { progressRing } from '../components/badge';
import { searchTrace, stepMatch, type SearchResult } from './search';
import { rangeOf, type TimeRange } from './timelineScale';
import type { ApplyResult, TraceModel, TreeNode } from './traceModel';
import { NAV_KEYS, TreeView, type ExpansionState, type NavKey } from './treeView';
import { h } from '../components/dom';
import { SearchBox } from './searchBox';
import { TimelineHeader } from './timelineHeader';
import { createRow, paintRow, ROW_HEIGHT, type RowContext } from './treeRow';
import { VirtualList } from '../components/virtualList';

export interface TreePaneEvents {
  /** The selected row changed (by the user or by a reveal). */
  onSelect(node: TreeNode): void;
  /** Enter or double-click: open the span's source. */
  onOpen(node: TreeNode): void;
  /** Expanded state, scroll, search or column width changed: worth persisting. */
  onStateChange(): void;
}

export interface ShowOptions {
  expansion?: ExpansionState;
  selectedKey?: string;
  scrollTop?: number;
  search?: string;
  filter?: boolean;
}

export class TreePane {
  readonly element: HTMLElement;
  private readonly viewport: HTMLElement;
  private readonly list: VirtualList;
  private readonly header: TimelineHeader;
  private readonly search: SearchBox;
  private readonly message: HTMLElement;
  private model: TraceModel | undefined;
  private view: TreeView | undefined;
  private selected: TreeNode | undefined;
  private selectedKey: string | undefined;
  /** Where the selected row was last seen, so a click or a key press need not index every row. */
  private selectedIndex = -1;
  private result: SearchResult | undefined;
  private range: TimeRange = { start: 0, end: 1 };
  private nameWidth = 320;

  constructor(private readonly events: TreePaneEvents) {
    this.search = new SearchBox({
      onQuery: (q) => this.runSearch(q, true),
      onStep: (d) => this.stepSearch(d),
      onFilter: () => this.applyFilter(),
      onLeave: () => this.focus(),
    });
    const toolbar = h(
      'div',
      { class: 'tree-toolbar' },
      this.search.element,
      h('span', { class: 'toolbar-spacer' }),
      iconButton({ icon: 'expand-all', label: 'Expand all', onClick: () => this.expandAll(true) }),
      iconButton({ icon: 'collapse-all', label: 'Collapse all', onClick: () => this.expandAll(false) }),
    );
    this.header = new TimelineHeader(
      (w) => this.setNameWidth(w),
      () => this.nameWidth,
    );
    this.viewport = h('div', {
      class: 'tree-viewport',
      attrs: { role: 'tree', tabindex: '0', 'aria-label': 'Spans', 'aria-multiselectable': 'false' },
    });
    this.message = h('div', { class: 'empty-message', attrs: { role: 'status' } });
    this.element = h('section', { class: 'tree-pane' }, toolbar, this.header.element, this.viewport, this.message);
    this.list = new VirtualList({
      viewport: this.viewport,
      rowHeight: ROW_HEIGHT,
      createRow,
      paint: (row, i) => paintRow(row, i, this.rowContext()),
    });
    this.viewport.addEventListener('scroll', () => this.events.onStateChange(), { passive: true });
    this.viewport.addEventListener('click', (e) => this.onClick(e));
    this.viewport.addEventListener('dblclick', (e) => this.onDoubleClick(e));
    this.viewport.addEventListener('keydown', (e) => this.onKeyDown(e));
    this.viewport.addEventListener('focus', () => this.list.repaint());
    this.viewport.addEventListener('blur', () => this.list.repaint());
    this.element.addEventListener('keydown', (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key === 'f') {
        e.preventDefault();
        this.search.focus();
      }
    });
    this.setNameWidth(this.nameWidth);
    this.clear('No trace selected');
  }

  get traceModel(): TraceModel | undefined {
    return this.model;
  }

  get expansion(): ExpansionState | undefined {
    return this.view?.expansion;
  }

  get scrollTop(): number {
    return this.list.scrollTop;
  }

  get selectedNode(): TreeNode | undefined {
    return this.selected;
  }

  get searchQuery(): string {
    return this.search.query;
  }

  get filterOn(): boolean {
    return this.search.filter;
  }

  get columnWidth(): number {
    return this.nameWidth;
  }

  setNameWidth(width: number): void {
    this.nameWidth = width;
    this.element.style.setProperty('--name-width', `${width}px`);
    this.events.onStateChange();
  }

  clear(message: string): void {
    this.model = undefined;
    this.view = undefined;
    this.selected = undefined;
    this.selectedKey = undefined;
    this.result = undefined;
    this.list.setCount(0);
    this.header.paint(undefined);
    this.showMessage(message);
  }

  loading(): void {
    this.list.setCount(0);
    this.message.replaceChildren(progressRing('Loading trace'), h('span', { text: 'Loading trace…' }));
    this.message.hidden = false;
  }

  showMessage(text: string): void {
    this.message.replaceChildren(h('span', { text }));
    this.message.hidden = false;
  }

  show(model: TraceModel, o: ShowOptions = {}): void {
    this.model = model;
    this.view = new TreeView(model, o.expansion);
    this.message.hidden = true;
    this.search.query = o.search ?? '';
    this.search.setFilter(Boolean(o.filter));
    this.result = o.search ? searchTrace(model, o.search) : undefined;
    if (this.result && this.search.filter) this.view.setFilter(this.result.include);
    this.updateRange(Date.now() * 1000);
    this.list.setCount(this.view.rows.length);
    const key = o.selectedKey ?? model.keyOf(model.root);
    const node = model.nodeByKey(key) ?? model.root;
    this.list.scrollTop = o.scrollTop ?? 0;
    this.select(node, { reveal: o.scrollTop === undefined, notify: true });
    this.updateCount();
  }

  /** After the model took live changes: re-flatten if rows moved, keep what the user sees. */
  applyChanges(result: ApplyResult): void {
    const { model, view } = this;
    if (!model || !view) return;
    if (result.structural) {
      const anchorIndex = this.list.firstVisible;
      const anchorKey = anchorIndex >= 0 ? model.keyOf(view.rows[anchorIndex]) : undefined;
      const offset = this.list.scrollTop - anchorIndex * ROW_HEIGHT;
      if (this.result) this.runSearch(this.search.query, false);
      else view.refresh();
      this.selected = this.selectedKey === undefined ? undefined : model.nodeByKey(this.selectedKey);
      this.list.setCount(view.rows.length);
      const anchor = anchorKey === undefined ? undefined : model.nodeByKey(anchorKey);
      const moved = anchor ? view.indexOf(anchor) : -1;
      if (moved >= 0 && moved !== anchorIndex) this.list.scrollTop = moved * ROW_HEIGHT + offset;
    } else if (this.selectedKey !== undefined) {
      this.selected = model.nodeByKey(this.selectedKey);
    }
    this.updateRange(Date.now() * 1000);
    this.list.repaint();
  }

  /** Running spans: their durations and bars grow; called a few times a second while any runs. */
  tick(nowMicros: number): void {
    if (!this.model) return;
    this.updateRange(nowMicros);
    this.list.repaint();
  }

  selectByKey(key: string, center = true): boolean {
    const node = this.model?.nodeByKey(key);
    if (!node) return false;
    this.select(node, { reveal: true, center, notify: true });
    return true;
  }

  focus(): void {
    this.viewport.focus();
  }

  /** Repaints rows (a score was given, for instance) without any structural change. */
  repaint(): void {
    this.list.repaint();
  }

  private select(node: TreeNode, o: { reveal?: boolean; center?: boolean; notify?: boolean; index?: number }): void {
    const { model, view } = this;
    if (!model || !view) return;
    const changed = node !== this.selected;
    this.selected = node;
    this.selectedKey = model.keyOf(node);
    let index = o.index !== undefined && view.rows[o.index] === node ? o.index : view.indexOf(node);
    if (index < 0 && o.reveal) {
      index = view.reveal(node);
      this.list.setCount(view.rows.length);
    }
    this.selectedIndex = index;
    if (index >= 0) {
      this.viewport.setAttribute('aria-activedescendant', `row-${index}`);
      if (o.reveal) this.list.reveal(index, o.center ? 'center' : 'nearest');
    }
    this.list.repaint();
    this.updateCount();
    if (changed || o.notify) this.events.onSelect(node);
  }

  private rowContext(): RowContext {
    return {
      model: this.model!,
      view: this.view!,
      selected: this.selected,
      focused: document.activeElement === this.viewport,
      range: this.range,
      nowMicros: Date.now() * 1000,
      needle: this.result?.query,
      matched: this.result?.matched,
      current: this.result?.matched.has(this.selected!) ? this.selected : undefined,
    };
  }

  private updateRange(nowMicros: number): void {
    if (!this.model) return;
    this.range = rangeOf(this.model.timeBounds(), nowMicros);
    this.header.paint(this.range);
  }

  private rowIndexOf(event: Event): number {
    const row = (event.target as HTMLElement).closest<HTMLElement>('.tree-row');
    return row?.dataset.index ? Number(row.dataset.index) : -1;
  }

  private onClick(e: MouseEvent): void {
    const index = this.rowIndexOf(e);
    const node = this.view?.rows[index];
    if (!node || !this.view) return;
    if ((e.target as HTMLElement).classList.contains('twistie')) this.toggle(node);
    this.select(node, { index });
    this.focus();
  }

  private onDoubleClick(e: MouseEvent): void {
    const node = this.view?.rows[this.rowIndexOf(e)];
    if (node && !(e.target as HTMLElement).classList.contains('twistie')) this.events.onOpen(node);
  }

  private onKeyDown(e: KeyboardEvent): void {
    const view = this.view;
    if (!view) return;
    const at = view.rows[this.selectedIndex] === this.selected ? this.selectedIndex : view.indexOf(this.selected);
    if (NAV_KEYS.has(e.key)) {
      e.preventDefault();
      const before = view.rows.length;
      const next = view.navigate(at, e.key as NavKey, this.list.pageSize);
      if (view.rows.length !== before) {
        this.list.setCount(view.rows.length);
        this.events.onStateChange();
      }
      if (next >= 0) this.select(view.rows[next], { reveal: true, index: next });
    } else if (e.key === 'Enter' && this.selected) {
      e.preventDefault();
      this.events.onOpen(this.selected);
    } else if (e.key === ' ' && this.selected) {
      e.preventDefault();
      this.toggle(this.selected);
    }
  }

  private toggle(node: TreeNode): void {
    if (!this.view?.toggle(node)) return;
    this.list.setCount(this.view.rows.length);
    this.events.onStateChange();
  }

  private expandAll(open: boolean): void {
    if (!this.view) return;
    if (open) this.view.expandAll();
    else this.view.collapseAll();
    this.list.setCount(this.view.rows.length);
    if (this.selected) {
      const index = this.view.indexOf(this.selected);
      if (index >= 0) this.list.reveal(index);
      else this.select(this.model!.root, { reveal: true });
    }
    this.events.onStateChange();
  }

  private runSearch(query: string, jump: boolean): void {
    const { model, view } = this;
    if (!model || !view) return;
    this.result = searchTrace(model, query);
    if (this.search.filter) view.setFilter(this.result?.include);
    else view.refresh();
    this.list.setCount(view.rows.length);
    if (jump && this.result?.matches.length && !this.result.matched.has(this.selected!)) this.stepSearch(1);
    this.updateCount();
    this.list.repaint();
    this.events.onStateChange();
  }

  private stepSearch(direction: 1 | -1): void {
    if (!this.result) return;
    const next = stepMatch(this.result, this.selected, direction);
    if (next) this.select(next, { reveal: true, center: true });
  }

  private applyFilter(): void {
    if (!this.view) return;
    this.view.setFilter(this.search.filter ? this.result?.include : undefined);
    this.list.setCount(this.view.rows.length);
    if (this.selected) {
      const index = this.view.indexOf(this.selected);
      if (index >= 0) this.list.reveal(index, 'center');
    }
    this.events.onStateChange();
  }

  private updateCount(): void {
    const r = this.result;
    if (!r) return this.search.showCount(undefined, 0);
    const at = this.selected ? r.matches.indexOf(this.selected) : -1;
    this.search.showCount(at >= 0 ? at + 1 : undefined, r.matches.length);
  }
}
