// Building DOM without HTML: every piece of span data reaches the page as a text node or an
// attribute set through the DOM API, never through innerHTML, so `<img onerror=…>` in a
// model's output is shown as the characters it is.

export type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  text?: string;
  title?: string;
  attrs?: Record<string, string>;
  onClick?(event: MouseEvent): void;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Props | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    if (props.class) el.className = props.class;
    if (props.text !== undefined) el.textContent = props.text;
    if (props.title) el.title = props.title;
    if (props.attrs) for (const [k, v] of Object.entries(props.attrs)) el.setAttribute(k, v);
    if (props.onClick) el.addEventListener('click', props.onClick as EventListener);
  }
  append(el, ...children);
  return el;
}

export function append(parent: Element | DocumentFragment, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function clear(el: Element): void {
  el.replaceChildren();
}

/** Sets an element's text, touching the DOM only when it changed (rows repaint often). */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
