// Small count / value markers, tags, the progress ring and the divider.
//
// Badges, tags and the progress ring are drawn here rather than with <vscode-badge>,
// <vscode-tag> (a badge underneath) and <vscode-progress-ring>: their toolkit templates
// carry inline `style="…"` attributes,
// which the panel's CSP (no 'unsafe-inline') refuses with a console error on every load.
// They look the same: the toolkit's badge is these colours and this radius.

export function badge(text: string, title?: string, className?: string): HTMLElement {
  const el = document.createElement('span');
  el.className = `badge${className ? ` ${className}` : ''}`;
  el.textContent = text;
  if (title) el.title = title;
  return el;
}

export function tag(text: string): HTMLElement {
  const el = document.createElement('span');
  el.className = 'tag';
  el.textContent = text;
  return el;
}

export function progressRing(label: string): HTMLElement {
  const el = document.createElement('span');
  el.className = 'codicon codicon-loading codicon-modifier-spin progress-ring';
  el.setAttribute('role', 'progressbar');
  el.setAttribute('aria-label', label);
  return el;
}

export function divider(): HTMLElement {
  return document.createElement('vscode-divider');
}
