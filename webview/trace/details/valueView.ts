// An input, output or expected value, shown as what it is: a conversation when it looks like
// LLM chat messages, plain text for a string, and a JSON tree for anything else. A chat can
// be switched to its raw JSON.

import { iconButton, setPressed } from '../../components/button';
import { asChat } from './chat';
import { h } from '../../components/dom';
import { chatView } from './chatView';
import { jsonView, longText, type JsonViewState } from './jsonView';

export function valueView(value: unknown, state: JsonViewState, path: string, actions: HTMLElement): HTMLElement {
  if (value === undefined) return h('div', { class: 'muted', text: 'None' });
  if (typeof value === 'string') return h('div', { class: 'text-value' }, longText(value, state, path, 'text-block'));
  const chat = asChat(value);
  if (!chat) return jsonView(value, state, path);
  const holder = h('div', { class: 'value-holder' });
  const rawKey = `${path}#raw`;
  const toggle = iconButton({
    icon: 'json',
    label: 'Show as JSON',
    onClick: () => {
      if (state.toggled.has(rawKey)) state.toggled.delete(rawKey);
      else state.toggled.add(rawKey);
      paint();
    },
  });
  const paint = () => {
    const raw = state.toggled.has(rawKey);
    setPressed(toggle, raw);
    holder.replaceChildren(raw ? jsonView(value, state, `${path}/raw`) : chatView(chat, state, path));
  };
  actions.prepend(toggle);
  paint();
  return holder;
}

/** The text a copy button puts on the clipboard: strings as they are, the rest as indented JSON. */
export function copyText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}
