// Links that open a trace in the panel: `vscode://spanscope.spanscope/trace?id=…&span=…`
// (from the redirect page the collector serves for the Opik SDK's printed link, or anything
// else that knows a trace id). Pure parsing, so a malformed link is refused predictably.

import { EXTENSION_ID } from './constants';

const ID_RE = /^[^\u0000-\u001f]{1,128}$/;

export function parseTraceLink(path: string, query: string): { traceId: string; spanId?: string } | undefined {
  if (path.replace(/\/+$/, '') !== '/trace') return undefined;
  const params = new URLSearchParams(query);
  const traceId = params.get('id') ?? params.get('trace_id') ?? '';
  if (!ID_RE.test(traceId)) return undefined;
  const spanId = params.get('span') ?? params.get('span_id') ?? undefined;
  return spanId && ID_RE.test(spanId) ? { traceId, spanId } : { traceId };
}

/** The link for a trace; `scheme` is `vscode.env.uriScheme` (`vscode`, `vscode-insiders`, `code-oss`…). */
export function traceLink(scheme: string, traceId: string, spanId?: string): string {
  const q = new URLSearchParams({ id: traceId });
  if (spanId) q.set('span', spanId);
  return `${scheme}://${EXTENSION_ID}/trace?${q}`;
}

export interface TerminalTraceLink {
  startIndex: number;
  length: number;
  traceId: string;
}

/**
 * Links to a trace on this window's collector in a line of terminal output: the one the Opik
 * SDK prints (`…/api/v1/session/redirect/projects/?trace_id=ID&path=…`) and the web page's
 * (`…/?trace=ID`). Links to other ports belong to another window and are left to the browser.
 */
export function findTerminalTraceLinks(line: string, port: number): TerminalTraceLink[] {
  const out: TerminalTraceLink[] = [];
  const re = /https?:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):(\d+)(\/[^\s'"<>]*)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    if (Number(m[1]) !== port) continue;
    // A sentence's closing punctuation is not part of the address.
    const text = m[0].replace(/[.,;:!?)\]]+$/, '');
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      continue;
    }
    const redirect = /^(?:\/api)?\/v1\/session\/redirect\/projects\/?$/.test(url.pathname);
    const traceId = redirect
      ? url.searchParams.get('trace_id')
      : url.pathname === '/'
        ? url.searchParams.get('trace')
        : null;
    if (traceId && ID_RE.test(traceId)) out.push({ startIndex: m.index, length: text.length, traceId });
  }
  return out;
}
