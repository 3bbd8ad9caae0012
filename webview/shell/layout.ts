// The panel's frame: a top bar (trace title, facts, connection state), three columns (recent
// traces, span tree with timeline, details) with draggable sashes between them, and a status
// line for short messages ("Copied", errors). Widths live in CSS variables set through the
// CSSOM, which the CSP allows (no inline style attributes).

import { iconButton, setPressed } from '../components/button';
import { codicon } from '../components/icons';
import { h } from '../components/dom';
import { StatusLine, type StatusKind } from './statusLine';

export interface LayoutParts {
  list: HTMLElement;
  tree: HTMLElement;
  details: HTMLElement;
}

export interface LayoutEvents {
  onToggleList(hidden: boolean): void;
  onResize(): void;
}

export class Layout {
  readonly title: HTMLElement;
  readonly facts: HTMLElement;
  private readonly connection: HTMLElement;
  private readonly status = new StatusLine();
  private readonly listToggle: HTMLElement;
  private readonly main: HTMLElement;
  listWidth = 260;
  detailsWidth = 420;
  private listHidden = false;

  constructor(
    root: HTMLElement,
    parts: LayoutParts,
    private readonly events: LayoutEvents,
  ) {
    this.listToggle = iconButton({
      icon: 'layout-sidebar-left',
      label: 'Show or hide the trace list',
      onClick: () => this.setListHidden(!this.listHidden, true),
    });
    this.title = h('div', { class: 'topbar-title' });
    this.facts = h('div', { class: 'topbar-facts' });
    this.connection = h('div', { class: 'connection-status', attrs: { role: 'status' } });
    this.connection.hidden = true;
    const topbar = h(
      'header',
      { class: 'topbar' },
      this.listToggle,
      this.title,
      this.facts,
      h('span', { class: 'toolbar-spacer' }),
      this.connection,
    );
    const listSash = this.sash((dx) => this.setWidths(this.listWidth + dx, this.detailsWidth));
    const detailsSash = this.sash((dx) => this.setWidths(this.listWidth, this.detailsWidth - dx));
    listSash.classList.add('list-sash');
    this.main = h('div', { class: 'main' }, parts.list, listSash, parts.tree, detailsSash, parts.details);
    root.replaceChildren(topbar, this.main, this.status.element);
    root.removeAttribute('aria-busy');
    this.setWidths(this.listWidth, this.detailsWidth);
  }

  get isListHidden(): boolean {
    return this.listHidden;
  }

  setListHidden(hidden: boolean, notify = false): void {
    this.listHidden = hidden;
    this.main.classList.toggle('list-hidden', hidden);
    setPressed(this.listToggle, !hidden);
    if (notify) this.events.onToggleList(hidden);
  }

  setWidths(list: number, details: number): void {
    this.listWidth = Math.max(160, Math.min(600, list));
    this.detailsWidth = Math.max(240, Math.min(1200, details));
    this.main.style.setProperty('--list-width', `${this.listWidth}px`);
    this.main.style.setProperty('--details-width', `${this.detailsWidth}px`);
  }

  setConnection(state: 'connected' | 'reconnecting'): void {
    this.connection.hidden = state === 'connected';
    this.connection.replaceChildren(
      codicon('debug-disconnect'),
      h('span', { text: 'Collector unreachable, reconnecting…' }),
    );
  }

  notify(message: string, kind?: StatusKind): void {
    this.status.show(message, kind);
  }

  private sash(onDrag: (dx: number) => void): HTMLElement {
    const el = h('div', { class: 'sash', attrs: { role: 'separator', 'aria-orientation': 'vertical' } });
    el.addEventListener('pointerdown', (down) => {
      down.preventDefault();
      el.setPointerCapture(down.pointerId);
      let last = down.clientX;
      el.classList.add('active');
      const move = (e: PointerEvent) => {
        onDrag(e.clientX - last);
        last = e.clientX;
      };
      const up = () => {
        el.classList.remove('active');
        el.removeEventListener('pointermove', move);
        el.removeEventListener('pointerup', up);
        this.events.onResize();
      };
      el.addEventListener('pointermove', move);
      el.addEventListener('pointerup', up);
    });
    return el;
  }
}
