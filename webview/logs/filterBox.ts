// The logs filter: one line of the filter language. It is checked here as it is typed (the
// parser is the collector's own, from src/core), so a mistake is shown at once, under the
// field, with the offending text marked; a valid filter is applied after a pause or on Enter.

import { checkFilter } from '../../src/core/queries/traceFilter';
import { textField } from '../components/textField';
import { h, setText } from '../components/dom';

export interface FilterBoxEvents {
  onApply(filter: string): void;
}

const EXAMPLES =
  'status:error · tag:beta · project:"My Project" · user_feedback < 0.5 · duration > 2s · tokens > 1000 · last:1h · -name:test · a OR b';

export class FilterBox {
  readonly element: HTMLElement;
  private readonly field;
  private readonly error: HTMLElement;
  private readonly errorText: HTMLElement;
  private readonly errorMark: HTMLElement;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private applied = '';

  constructor(private readonly events: FilterBoxEvents) {
    this.field = textField({
      placeholder: `Filter traces: ${EXAMPLES}`,
      ariaLabel: 'Filter traces',
      icon: 'filter',
      className: 'logs-filter-field',
      onInput: () => this.onInput(),
      onKeyDown: (e) => {
        if (e.key === 'Enter') {
          clearTimeout(this.timer);
          this.apply();
          return true;
        }
        if (e.key === 'Escape' && this.field.value) {
          this.set('');
          this.apply();
          return true;
        }
        return false;
      },
    });
    this.field.element.title = `Free text searches trace and span names, models, inputs and outputs (their first 3,000 characters), tags and errors. Also: ${EXAMPLES}`;
    this.errorText = h('span', { class: 'logs-filter-error-text' });
    this.errorMark = h('code', { class: 'logs-filter-error-mark' });
    this.error = h(
      'div',
      { class: 'logs-filter-error', attrs: { role: 'alert' } },
      h('span', { class: 'codicon codicon-error', attrs: { 'aria-hidden': 'true' } }),
      this.errorText,
      this.errorMark,
    );
    this.error.hidden = true;
    this.element = h('div', { class: 'logs-filter' }, this.field.element, this.error);
  }

  get value(): string {
    return this.field.value;
  }

  /** Sets the text without applying it (the caller applies). */
  set(text: string): void {
    this.field.value = text;
    this.showError(undefined);
  }

  focus(): void {
    this.field.focus();
  }

  /** An error the host reported for the applied filter (the local check passed). */
  showHostError(message: string | undefined): void {
    if (message === undefined) return this.showError(undefined);
    this.showError(message);
  }

  private onInput(): void {
    clearTimeout(this.timer);
    const err = checkFilter(this.field.value);
    if (err) {
      this.showError(err.message, this.field.value.slice(err.start, err.end));
      return;
    }
    this.showError(undefined);
    this.timer = setTimeout(() => this.apply(), 400);
  }

  private apply(): void {
    const text = this.field.value;
    const err = checkFilter(text);
    if (err) return this.showError(err.message, text.slice(err.start, err.end));
    if (text === this.applied) return;
    this.applied = text;
    this.events.onApply(text);
  }

  /** Keeps the applied text in step when the filter is set from outside (a click on a cell). */
  markApplied(text: string): void {
    this.applied = text;
  }

  private showError(message: string | undefined, offending?: string): void {
    this.error.hidden = message === undefined;
    this.field.element.classList.toggle('invalid', message !== undefined);
    setText(this.errorText, message ?? '');
    setText(this.errorMark, offending ?? '');
    this.errorMark.hidden = !offending;
  }
}
