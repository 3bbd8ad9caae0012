// The `vscode://file/…` links the browser page makes of traceback frames (parsing: core/display/tracebacks.ts).

import { isSafeAbsolutePath, type StackFrame } from '../../src/core/display/tracebacks';

/**
 * The `vscode://file/…:LINE[:COL]` link that opens a file in the editor from a browser.
 * Each path segment is percent-encoded, so spaces, `#` or `?` in a name cannot change the URL.
 */
export function editorFileLink(frame: StackFrame, scheme: 'vscode' | 'vscode-insiders' = 'vscode'): string | undefined {
  if (!isSafeAbsolutePath(frame.file) || !Number.isInteger(frame.line) || frame.line < 1) return undefined;
  const posix = frame.file.replace(/\\/g, '/');
  const segments = posix
    .split('/')
    .map((seg, i) => (i <= 1 && /^[A-Za-z]:$/.test(seg) ? seg : encodeURIComponent(seg)));
  const path = segments.join('/');
  const column = frame.column && Number.isInteger(frame.column) && frame.column > 0 ? `:${frame.column}` : '';
  return `${scheme}://file${path.startsWith('/') ? '' : '/'}${path}:${frame.line}${column}`;
}
