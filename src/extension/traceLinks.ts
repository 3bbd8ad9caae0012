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
