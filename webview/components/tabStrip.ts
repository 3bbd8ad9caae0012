// A row of tabs with VS Code's panel-tab look (plain buttons with ARIA tab roles: the toolkit's
// panels component would take over the layout of what it holds).

export interface TabStripOptions<T extends string> {
  tabs: { id: T; label: string; icon: string }[];
  selected: T;
  ariaLabel: string;
  onSelect(id: T): void;
}

export interface TabStrip<T extends string> {
  readonly element: HTMLElement;
  select(id: T): void;
}

export function tabStrip<T extends string>(o: TabStripOptions<T>): TabStrip<T> {
  const strip = document.createElement('div');
  strip.className = 'tab-strip';
  strip.setAttribute('role', 'tablist');
  strip.setAttribute('aria-label', o.ariaLabel);
  const buttons = new Map<T, HTMLButtonElement>();
  for (const tab of o.tabs) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'tab';
    button.id = `tab-${tab.id}`;
    button.dataset.tab = tab.id;
    button.setAttribute('role', 'tab');
    button.setAttribute('aria-controls', `tab-panel-${tab.id}`);
    const icon = document.createElement('span');
    icon.className = `codicon codicon-${tab.icon}`;
    icon.setAttribute('aria-hidden', 'true');
    button.append(icon, document.createTextNode(tab.label));
    button.addEventListener('click', () => o.onSelect(tab.id));
    buttons.set(tab.id, button);
    strip.append(button);
  }
  strip.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    const ids = o.tabs.map((t) => t.id);
    const current = ids.findIndex((id) => buttons.get(id) === document.activeElement);
    if (current < 0) return;
    const next = ids[(current + (e.key === 'ArrowRight' ? 1 : ids.length - 1)) % ids.length];
    buttons.get(next)!.focus();
    o.onSelect(next);
    e.preventDefault();
  });
  const select = (id: T) => {
    for (const [tabId, button] of buttons) {
      const on = tabId === id;
      button.setAttribute('aria-selected', String(on));
      button.tabIndex = on ? 0 : -1;
      button.classList.toggle('selected', on);
    }
  };
  select(o.selected);
  return { element: strip, select };
}
