// A collapsible section of the details pane, like a pane header in VS Code's side bar. Its
// body is rebuilt only when its data changed (`update` with a new signature), so live
// updates to the selected span leave the other sections, and whatever the user opened in
// them, as they were.

import { codicon } from '../../components/icons';
import { h } from '../../components/dom';

export interface SectionState {
  /** Ids of sections the user collapsed; shared by all spans, like VS Code's panes. */
  collapsed: Set<string>;
  onToggle(): void;
}

export class Section {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private readonly actions: HTMLElement;
  private readonly chevron: HTMLElement;
  private signature: string | undefined;

  constructor(
    readonly id: string,
    title: string,
    private readonly state: SectionState,
  ) {
    this.chevron = codicon('chevron-down', 'section-chevron');
    this.actions = h('span', { class: 'section-actions' });
    const header = h(
      'div',
      { class: 'section-header', attrs: { role: 'button', tabindex: '0', 'aria-expanded': 'true' } },
      this.chevron,
      h('span', { class: 'section-title', text: title }),
      this.actions,
    );
    this.body = h('div', { class: 'section-body' });
    this.element = h('section', { class: `details-section section-${id}` }, header, this.body);
    const toggle = () => {
      if (this.state.collapsed.has(id)) this.state.collapsed.delete(id);
      else this.state.collapsed.add(id);
      this.applyCollapsed();
      this.state.onToggle();
    };
    header.addEventListener('click', toggle);
    header.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        toggle();
      }
    });
    this.applyCollapsed();
  }

  /**
   * Rebuilds the body when `signature` differs from the last one; `build` fills it.
   * Returns whether it rebuilt.
   */
  update(signature: string, build: (body: HTMLElement, actions: HTMLElement) => void): boolean {
    if (signature === this.signature) return false;
    this.signature = signature;
    this.body.replaceChildren();
    this.actions.replaceChildren();
    build(this.body, this.actions);
    return true;
  }

  private applyCollapsed(): void {
    const collapsed = this.state.collapsed.has(this.id);
    this.element.classList.toggle('collapsed', collapsed);
    this.element.firstElementChild!.setAttribute('aria-expanded', String(!collapsed));
    this.chevron.className = `codicon codicon-${collapsed ? 'chevron-right' : 'chevron-down'} section-chevron`;
  }
}
