// A span's error: the exception type and message, then the traceback with every frame that
// names an absolute file turned into a link to that file and line.

import type { ErrorInfo } from '../../../src/core/model/model';
import { splitTraceback } from '../../../src/core/display/tracebacks';
import type { HostConnection } from '../../transport/connection';
import { h } from '../../components/dom';
import { sourceLink } from './sourceLink';

export function errorView(error: ErrorInfo, conn: HostConnection, onError: (message: string) => void): HTMLElement {
  const root = h('div', { class: 'error-info' });
  root.append(
    h(
      'div',
      { class: 'error-head' },
      h('span', { class: 'error-type', text: error.exception_type || 'Error' }),
      error.message ? h('span', { class: 'error-message', text: `: ${error.message}` }) : null,
    ),
  );
  if (error.traceback) {
    const pre = h('pre', { class: 'traceback' });
    for (const part of splitTraceback(error.traceback)) {
      pre.append(part.frame ? sourceLink(conn, part.frame, part.text, onError) : document.createTextNode(part.text));
    }
    root.append(pre);
  }
  return root;
}
