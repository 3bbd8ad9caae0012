// A link to a place in the source: in the browser a real `vscode://file/…` link (built only
// from a checked absolute path), in VS Code an element that asks the host to open the file.

import type { SourceLocation } from '../../../src/shared/protocol';
import { OpenSource } from '../../../src/shared/protocol';
import type { HostConnection } from '../../transport/connection';
import { h } from '../../components/dom';

export function sourceLink(
  conn: HostConnection,
  location: SourceLocation,
  text: string,
  onError: (message: string) => void,
): HTMLElement {
  const href = conn.sourceHref(location);
  const title = `Open ${location.file}:${location.line}${location.column ? `:${location.column}` : ''}`;
  const a = h('a', { class: 'source-link', text, title });
  if (href) {
    a.href = href;
    return a;
  }
  a.setAttribute('role', 'link');
  a.tabIndex = 0;
  const open = (e: Event) => {
    e.preventDefault();
    e.stopPropagation();
    conn
      .request(OpenSource, location)
      .catch((err: unknown) => onError(`Could not open ${location.file}: ${errorText(err)}`));
  };
  a.addEventListener('click', open);
  a.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') open(e);
  });
  return a;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
