// Codicons, the icon font VS Code itself uses (copied into media/dist by the build).

export function codicon(name: string, className = ''): HTMLElement {
  const span = document.createElement('span');
  span.className = `codicon codicon-${name}${className ? ` ${className}` : ''}`;
  span.setAttribute('aria-hidden', 'true');
  return span;
}

/** Re-points an existing codicon element at another icon (rows are reused while scrolling). */
export function setCodicon(el: HTMLElement, name: string, className = ''): void {
  const cls = `codicon codicon-${name}${className ? ` ${className}` : ''}`;
  if (el.className !== cls) el.className = cls;
}
