// The search field above the tree: typing highlights matching spans and jumps to the first,
// Enter / Shift+Enter (or the arrows) step through them, the filter toggle hides the rest.

import { iconButton, setDisabled, setPressed } from '../components/button';
import { textField } from '../components/textField';
import { h } from '../components/dom';

export interface SearchBoxEvents {
  onQuery(query: string): void;
  onStep(direction: 1 | -1): void;
  onFilter(on: boolean): void;
  /** Escape: give focus back to the tree. */
  onLeave(): void;
}

export class SearchBox {
  readonly element: HTMLElement;
  private readonly field;
  private readonly count: HTMLElement;
  private readonly prev: HTMLElement;
  private readonly next: HTMLElement;
  private readonly filterButton: HTMLElement;
  private filterOn = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly events: SearchBoxEvents) {
    this.field = textField({
      placeholder: 'Search spans',
      ariaLabel: 'Search spans by name, type, model, tag or error',
      icon: 'search',
      className: 'search-field',
      onInput: (value) => {
        // Debounced: a 100k-span trace is searched per settled keystroke, not per key.
        clearTimeout(this.timer);
        this.timer = setTimeout(() => events.onQuery(value), 120);
      },
      onKeyDown: (e) => {
        if (e.key === 'Enter') {
          clearTimeout(this.timer);
          events.onQuery(this.field.value);
          events.onStep(e.shiftKey ? -1 : 1);
          return true;
        }
        if (e.key === 'Escape') {
          events.onLeave();
          return true;
        }
        return false;
      },
    });
    this.count = h('span', { class: 'search-count', attrs: { 'aria-live': 'polite' } });
    this.prev = iconButton({
      icon: 'arrow-up',
      label: 'Previous match (Shift+Enter)',
      onClick: () => events.onStep(-1),
    });
    this.next = iconButton({ icon: 'arrow-down', label: 'Next match (Enter)', onClick: () => events.onStep(1) });
    this.filterButton = iconButton({
      icon: 'filter',
      label: 'Show only matching spans',
      onClick: () => this.setFilter(!this.filterOn, true),
    });
    this.element = h(
      'div',
      { class: 'search-box' },
      this.field.element,
      this.count,
      this.prev,
      this.next,
      this.filterButton,
    );
    this.showCount(undefined, 0);
  }

  get query(): string {
    return this.field.value;
  }

  set query(value: string) {
    this.field.value = value;
  }

  get filter(): boolean {
    return this.filterOn;
  }

  setFilter(on: boolean, notify = false): void {
    this.filterOn = on;
    setPressed(this.filterButton, on);
    if (notify) this.events.onFilter(on);
  }

  focus(): void {
    this.field.focus();
  }

  /** `current` is 1-based, undefined when no match is the selected row. */
  showCount(current: number | undefined, total: number): void {
    const active = this.field.value.trim().length > 0;
    this.count.textContent = !active
      ? ''
      : total === 0
        ? 'No results'
        : current
          ? `${current} of ${total}`
          : `${total} found`;
    this.count.classList.toggle('no-results', active && total === 0);
    setDisabled(this.prev, total === 0);
    setDisabled(this.next, total === 0);
  }
}
