// Any JSON value as a collapsible tree, built lazily: a node's children are created when it is
// first opened, so a megabyte of output costs nothing until someone looks. Long strings are
// cut with a "show more", long arrays show their first items. What is open is kept by path
// in a state object the details pane holds per span, so a live re-render keeps it.

import { codicon } from '../../components/icons';
import { h } from '../../components/dom';

export interface JsonViewState {
  /** Paths whose open/closed state differs from the default. */
  toggled: Set<string>;
  /** Paths of strings and arrays shown in full. */
  more: Set<string>;
}

export function newJsonState(): JsonViewState {
  return { toggled: new Set(), more: new Set() };
}

export const STRING_LIMIT = 1000;
const ITEM_LIMIT = 100;

/** A value's tree; `path` names it in the state (make it unique per section). */
export function jsonView(value: unknown, state: JsonViewState, path: string): HTMLElement {
  const root = h('div', { class: 'json-tree', attrs: { role: 'tree' } });
  root.append(entry(undefined, value, state, path, 0));
  return root;
}

function entry(
  key: string | undefined,
  value: unknown,
  state: JsonViewState,
  path: string,
  depth: number,
): HTMLElement {
  const line = h('div', { class: 'json-line' });
  const keyEl = key === undefined ? undefined : h('span', { class: 'json-key', text: key });
  if (value === null || typeof value !== 'object') {
    line.append(h('span', { class: 'twistie-space' }));
    if (keyEl) line.append(keyEl, h('span', { class: 'json-colon', text: ': ' }));
    line.append(primitive(value, state, path));
    return h('div', { class: 'json-node', attrs: { role: 'treeitem' } }, line);
  }
  const isArray = Array.isArray(value);
  const keys = isArray ? undefined : Object.keys(value as object);
  const size = isArray ? (value as unknown[]).length : keys!.length;
  const node = h('div', { class: 'json-node', attrs: { role: 'treeitem' } });
  const twistie = codicon('chevron-right', 'twistie');
  const summary = h('span', {
    class: 'json-summary',
    text: isArray ? `[${size} ${size === 1 ? 'item' : 'items'}]` : `{${size} ${size === 1 ? 'key' : 'keys'}}`,
  });
  line.append(twistie);
  if (keyEl) line.append(keyEl, h('span', { class: 'json-colon', text: ': ' }));
  line.append(summary);
  line.classList.add('json-branch');
  node.append(line);
  if (size === 0) {
    twistie.classList.add('hidden');
    return node;
  }
  const children = h('div', { class: 'json-children', attrs: { role: 'group' } });
  const defaultOpen = depth < 2 && size <= 50;
  let built = false;
  const render = () => {
    const open = state.toggled.has(path) !== defaultOpen;
    node.setAttribute('aria-expanded', String(open));
    twistie.className = `codicon codicon-${open ? 'chevron-down' : 'chevron-right'} twistie`;
    children.hidden = !open;
    if (open && !built) {
      built = true;
      fill(children, value as object, isArray, keys, state, path, depth);
    }
  };
  line.addEventListener('click', () => {
    if (state.toggled.has(path)) state.toggled.delete(path);
    else state.toggled.add(path);
    render();
  });
  node.append(children);
  render();
  return node;
}

function fill(
  children: HTMLElement,
  value: object,
  isArray: boolean,
  keys: string[] | undefined,
  state: JsonViewState,
  path: string,
  depth: number,
): void {
  const all = isArray ? (value as unknown[]).map((_, i) => String(i)) : keys!;
  const shown = state.more.has(path) ? all.length : Math.min(all.length, ITEM_LIMIT);
  for (let i = 0; i < shown; i++) {
    const k = all[i];
    children.append(entry(k, (value as Record<string, unknown>)[k], state, `${path}/${escapeKey(k)}`, depth + 1));
  }
  if (shown < all.length) {
    const more = moreButton(`show ${all.length - shown} more`, () => {
      state.more.add(path);
      children.replaceChildren();
      fill(children, value, isArray, keys, state, path, depth);
    });
    children.append(h('div', { class: 'json-line' }, h('span', { class: 'twistie-space' }), more));
  }
}

function primitive(value: unknown, state: JsonViewState, path: string): HTMLElement {
  if (typeof value === 'string') return longText(JSON.stringify(value), state, path, 'json-string');
  if (value === null) return h('span', { class: 'json-null', text: 'null' });
  return h('span', { class: `json-${typeof value}`, text: String(value) });
}

/** Text cut at `STRING_LIMIT` characters with a "show more" that keeps its state by path. */
export function longText(text: string, state: JsonViewState, path: string, className: string): HTMLElement {
  const el = h('span', { class: className });
  const paint = () => {
    if (text.length <= STRING_LIMIT || state.more.has(path)) {
      el.replaceChildren(document.createTextNode(text));
      if (text.length > STRING_LIMIT) {
        el.append(
          ' ',
          moreButton('show less', () => {
            state.more.delete(path);
            paint();
          }),
        );
      }
      return;
    }
    el.replaceChildren(
      document.createTextNode(`${text.slice(0, STRING_LIMIT)}…`),
      ' ',
      moreButton(`show more (${(text.length - STRING_LIMIT).toLocaleString()} more characters)`, () => {
        state.more.add(path);
        paint();
      }),
    );
  };
  paint();
  return el;
}

function moreButton(label: string, onClick: () => void): HTMLElement {
  const button = h('button', { class: 'link-button', text: label, attrs: { type: 'button' } });
  button.addEventListener('click', (e) => {
    e.stopPropagation();
    onClick();
  });
  return button;
}

function escapeKey(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
