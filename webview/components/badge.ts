// Small count / value markers, and tags.

export function badge(text: string, title?: string, className?: string): HTMLElement {
  const el = document.createElement('vscode-badge');
  el.textContent = text;
  if (title) el.title = title;
  if (className) el.className = className;
  return el;
}

export function tag(text: string): HTMLElement {
  const el = document.createElement('vscode-tag');
  el.textContent = text;
  return el;
}

export function progressRing(label: string): HTMLElement {
  const el = document.createElement('vscode-progress-ring');
  el.setAttribute('aria-label', label);
  return el;
}

export function divider(): HTMLElement {
  return document.createElement('vscode-divider');
}
