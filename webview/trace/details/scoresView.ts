// Scoring the selected span or the trace, in place: thumbs up/down in one click, a form to add
// or change a named score (names from the configured definitions, or free text; a number in
// the definition's range, or one of its categories; an optional reason), delete. Every score
// shows who gave it (sdk, ui, online_scoring), and a parent shows the average of each score
// name over itself and everything under it. The list is redrawn on live changes; the form is
// not, so what someone is typing survives a span that updates meanwhile.

import type { FeedbackScore, ScoreAverages, ScorePatch } from '../../../src/core/model/model';
import { THUMBS_SCORE, type ScoreDefinition } from '../../../src/shared/protocol';
import { iconButton, setPressed, textButton } from '../../components/button';
import { badge } from '../../components/badge';
import { dropdown } from '../../components/dropdown';
import { textField } from '../../components/textField';
import { formatScore } from '../../../src/core/display/format';
import { h } from '../../components/dom';

export interface ScoreTarget {
  target: 'trace' | 'span';
  id: string;
  traceId: string;
}

export interface ScoresContext {
  definitions: () => ScoreDefinition[];
  /** The thumbs score's name: THUMBS_SCORE.name unless the user renamed it in the settings. */
  thumbsName: () => string;
  setScore(patch: ScorePatch): Promise<void>;
}

const CUSTOM = '\u0000custom';

export class ScoresView {
  readonly element: HTMLElement;
  private readonly quick: HTMLElement;
  private readonly list: HTMLElement;
  private readonly formHolder: HTMLElement;
  private readonly up: HTMLElement;
  private readonly down: HTMLElement;
  private target: ScoreTarget | undefined;
  private own: FeedbackScore[] = [];

  constructor(private readonly ctx: ScoresContext) {
    this.up = iconButton({
      icon: 'thumbsup',
      label: 'Thumbs up',
      className: 'thumb-up',
      onClick: () => this.thumb(THUMBS_SCORE.up),
    });
    this.down = iconButton({
      icon: 'thumbsdown',
      label: 'Thumbs down',
      className: 'thumb-down',
      onClick: () => this.thumb(THUMBS_SCORE.down),
    });
    const add = textButton({
      label: 'Add score',
      appearance: 'secondary',
      icon: 'add',
      className: 'add-score',
      onClick: () => this.openForm(),
    });
    this.quick = h('div', { class: 'score-quick' }, this.up, this.down, add);
    this.list = h('div', { class: 'score-list' });
    this.formHolder = h('div', { class: 'score-form-holder' });
    this.element = h('div', { class: 'scores' }, this.quick, this.formHolder, this.list);
  }

  /** Shows the scores of a target; a different target closes an open form. */
  render(target: ScoreTarget, own: FeedbackScore[], rollup: ScoreAverages, hasDescendants: boolean): void {
    if (!this.target || this.target.id !== target.id || this.target.target !== target.target)
      this.formHolder.replaceChildren();
    this.target = target;
    this.own = own;
    const thumbs = this.ctx.thumbsName();
    const mine = own.find((s) => s.name === thumbs && s.source === 'ui');
    setPressed(this.up, mine?.value === THUMBS_SCORE.up);
    setPressed(this.down, mine?.value === THUMBS_SCORE.down);

    const rows = own.map((s) => this.scoreRow(s));
    this.list.replaceChildren(...(rows.length ? rows : [h('div', { class: 'muted', text: 'No scores yet.' })]));

    const averages = Object.entries(rollup).filter(
      ([name, a]) => hasDescendants && a.count > own.filter((s) => s.name === name).length,
    );
    if (averages.length) {
      const table = h(
        'div',
        { class: 'score-averages' },
        h('div', {
          class: 'subheading',
          text: target.target === 'trace' ? 'Averages over the trace' : 'Averages over this span and its children',
        }),
      );
      for (const [name, a] of averages) {
        table.append(
          h(
            'div',
            { class: 'score-row average' },
            h('span', { class: 'score-name', text: name }),
            h('span', { class: 'score-value', text: formatScore(a.avg) }),
            h('span', { class: 'muted', text: `${a.count} ${a.count === 1 ? 'score' : 'scores'}` }),
          ),
        );
      }
      this.list.append(table);
    }
  }

  private scoreRow(s: FeedbackScore): HTMLElement {
    const row = h(
      'div',
      { class: 'score-row', attrs: { 'data-score': s.name } },
      h('span', { class: 'score-name', text: s.category_name ? `${s.name} (${s.category_name})` : s.name }),
      h('span', { class: 'score-value', text: formatScore(s.value) }),
      badge(s.source, `given by ${s.source}`, `score-source source-${s.source}`),
    );
    if (s.reason) row.append(h('span', { class: 'score-reason', text: s.reason, title: s.reason }));
    const actions = h('span', { class: 'row-actions' });
    if (s.source === 'ui')
      actions.append(iconButton({ icon: 'edit', label: `Change ${s.name}`, onClick: () => this.openForm(s) }));
    actions.append(
      iconButton({
        icon: 'trash',
        label: `Delete ${s.name}`,
        onClick: () => this.submit({ name: s.name, value: null, source: s.source }),
      }),
    );
    row.append(actions);
    return row;
  }

  private thumb(value: number): void {
    const name = this.ctx.thumbsName();
    const mine = this.own.find((s) => s.name === name && s.source === 'ui');
    void this.submit({ name, value: mine?.value === value ? null : value, source: 'ui' });
  }

  private async submit(score: {
    name: string;
    value: number | null;
    reason?: string;
    category_name?: string;
    source?: FeedbackScore['source'];
  }): Promise<boolean> {
    const t = this.target;
    if (!t) return false;
    await this.ctx.setScore({ target: t.target, id: t.id, trace_id: t.traceId, source: 'ui', ...score });
    return true;
  }

  private openForm(existing?: FeedbackScore): void {
    const defs = this.ctx.definitions();
    const error = h('div', { class: 'form-error', attrs: { role: 'alert' } });
    const nameField = textField({
      ariaLabel: 'Score name',
      placeholder: 'name, e.g. relevance',
      className: 'score-name-field',
      value: existing?.name,
    });
    const valueField = textField({
      ariaLabel: 'Score value',
      placeholder: 'value',
      className: 'score-value-field',
      value: existing ? String(existing.value) : '',
    });
    const reasonField = textField({
      ariaLabel: 'Reason (optional)',
      placeholder: 'reason (optional)',
      className: 'score-reason-field',
      value: existing?.reason,
    });
    const valueSlot = h('span', { class: 'value-slot' }, valueField.element);
    let category: ReturnType<typeof dropdown> | undefined;

    const definition = () => defs.find((d) => d.name === currentName());
    const nameChoice = defs.length
      ? dropdown({
          ariaLabel: 'Score name',
          className: 'score-name-choice',
          value:
            existing && defs.some((d) => d.name === existing.name) ? existing.name : existing ? CUSTOM : defs[0].name,
          options: [...defs.map((d) => ({ value: d.name, label: d.name })), { value: CUSTOM, label: 'Other…' }],
          onChange: () => layout(),
        })
      : undefined;
    const currentName = () => (nameChoice && nameChoice.value !== CUSTOM ? nameChoice.value : nameField.value.trim());
    const layout = () => {
      nameField.element.hidden = Boolean(nameChoice && nameChoice.value !== CUSTOM);
      const def = definition();
      category = undefined;
      if (def?.categories && Object.keys(def.categories).length) {
        category = dropdown({
          ariaLabel: 'Score value',
          options: Object.entries(def.categories).map(([label, v]) => ({ value: label, label: `${label} (${v})` })),
        });
        valueSlot.replaceChildren(category.element);
      } else {
        valueField.element.setAttribute(
          'placeholder',
          def && (def.min !== undefined || def.max !== undefined) ? `${def.min ?? '−∞'} – ${def.max ?? '∞'}` : 'value',
        );
        valueSlot.replaceChildren(valueField.element);
      }
    };

    const save = async () => {
      const name = currentName();
      const def = definition();
      if (!name) return void (error.textContent = 'Give the score a name.');
      let value: number;
      let categoryName: string | undefined;
      if (category && def?.categories) {
        categoryName = category.value;
        value = def.categories[categoryName];
      } else {
        value = Number(valueField.value.trim());
        if (valueField.value.trim() === '' || !Number.isFinite(value))
          return void (error.textContent = 'The value must be a number.');
        if (def && ((def.min !== undefined && value < def.min) || (def.max !== undefined && value > def.max))) {
          return void (error.textContent = `${def.name} goes from ${def.min ?? '−∞'} to ${def.max ?? '∞'}.`);
        }
      }
      error.textContent = '';
      const reason = reasonField.value.trim() || undefined;
      try {
        if (existing && existing.name !== name) await this.submit({ name: existing.name, value: null, source: 'ui' });
        await this.submit({ name, value, reason, category_name: categoryName });
        this.formHolder.replaceChildren();
      } catch (err) {
        error.textContent = `Could not save the score: ${err instanceof Error ? err.message : String(err)}`;
      }
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Enter') void save();
      else if (e.key === 'Escape') this.formHolder.replaceChildren();
      else return false;
      return true;
    };
    for (const f of [nameField, valueField, reasonField])
      f.element.addEventListener('keydown', (e) => onKey(e) && e.preventDefault());

    const form = h(
      'div',
      {
        class: 'score-form',
        attrs: { role: 'group', 'aria-label': existing ? `Change ${existing.name}` : 'Add a score' },
      },
      h('div', { class: 'form-row' }, nameChoice?.element, nameField.element, valueSlot),
      h('div', { class: 'form-row' }, reasonField.element),
      h(
        'div',
        { class: 'form-row form-buttons' },
        textButton({ label: 'Save', className: 'save-score', onClick: () => void save() }),
        textButton({ label: 'Cancel', appearance: 'secondary', onClick: () => this.formHolder.replaceChildren() }),
      ),
      error,
    );
    layout();
    this.formHolder.replaceChildren(form);
    (nameChoice && nameChoice.value !== CUSTOM ? valueField : nameField).focus();
  }
}
