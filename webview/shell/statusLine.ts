// A short message at the bottom right of the page ("Copied", a failed save): one at a time,
// gone after a few seconds, errors longer. Announced to screen readers as a status, or as an
// alert for errors. The trace view and the tabs around it each have one (the trace view's is
// hidden with its tab), so it is a part of its own.

import { codicon } from '../components/icons';
import { h } from '../components/dom';

export type StatusKind = 'error' | 'info';

export class StatusLine {
  readonly element: HTMLElement;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    this.element = h('div', { class: 'status-line', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.element.hidden = true;
  }

  show(message: string, kind: StatusKind = 'info'): void {
    clearTimeout(this.timer);
    const el = this.element;
    el.hidden = false;
    el.className = `status-line ${kind}`;
    el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    el.replaceChildren(codicon(kind === 'error' ? 'error' : 'info'), h('span', { text: message }));
    this.timer = setTimeout(() => (el.hidden = true), kind === 'error' ? 8000 : 3000);
  }
}
