// Buttons: a codicon-only toolbar button (VS Code's action-bar look) and a labelled one.

import { codicon } from './icons';

export interface IconButtonOptions {
  icon: string;
  /** Read by screen readers and shown as the tooltip. */
  label: string;
  onClick(event: MouseEvent): void;
  className?: string;
}

export function iconButton(o: IconButtonOptions): HTMLElement {
  const button = document.createElement('vscode-button');
  button.setAttribute('appearance', 'icon');
  button.setAttribute('aria-label', o.label);
  button.title = o.label;
  if (o.className) button.className = o.className;
  button.append(codicon(o.icon));
  button.addEventListener('click', (e) => {
    e.stopPropagation();
    o.onClick(e);
  });
  return button;
}

export interface TextButtonOptions {
  label: string;
  appearance?: 'primary' | 'secondary';
  icon?: string;
  title?: string;
  onClick(event: MouseEvent): void;
  className?: string;
}

export function textButton(o: TextButtonOptions): HTMLElement {
  const button = document.createElement('vscode-button');
  button.setAttribute('appearance', o.appearance ?? 'primary');
  if (o.className) button.className = o.className;
  if (o.title) button.title = o.title;
  if (o.icon) {
    const icon = codicon(o.icon);
    icon.slot = 'start';
    button.append(icon);
  }
  button.append(document.createTextNode(o.label));
  button.addEventListener('click', (e) => {
    e.stopPropagation();
    o.onClick(e);
  });
  return button;
}

/** Marks a toggle button pressed or not (a filled background, as VS Code's toggles look). */
export function setPressed(button: HTMLElement, pressed: boolean): void {
  button.setAttribute('aria-pressed', String(pressed));
  button.classList.toggle('is-pressed', pressed);
}

export function setDisabled(button: HTMLElement, disabled: boolean): void {
  if (disabled) button.setAttribute('disabled', '');
  else button.removeAttribute('disabled');
}
