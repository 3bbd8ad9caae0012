// The Logs and Monitor requests as the standalone page makes them: calls to the collector's
// /api/query, /api/monitor, /api/projects, /api/scores/bulk and /api/export (the token rides
// in the page's HttpOnly cookie). An export downloads as a file.

import type { ParamsOf, QueryTracesParams } from '../../src/shared/protocol';
import { ExportTraces, ListProjects, QueryMonitor, QueryTraces, ScoreTraces } from '../../src/shared/protocol';

export type Call = <R>(method: string, path: string, body?: unknown) => Promise<R>;

export function logsBrowserHandlers(call: Call, win: Window): Record<string, (params: any) => Promise<unknown>> {
  return {
    [QueryTraces.method]: (p: QueryTracesParams) => call('GET', `/api/query?${queryString(p)}`),
    [QueryMonitor.method]: (p: ParamsOf<typeof QueryMonitor>) => {
      const q = new URLSearchParams({ from: String(Math.round(p.from)), to: String(Math.round(p.to)) });
      if (p.project) q.set('project', p.project);
      if (p.bucketMs) q.set('bucket', String(p.bucketMs));
      return call('GET', `/api/monitor?${q}`);
    },
    [ListProjects.method]: () => call('GET', '/api/projects'),
    [ScoreTraces.method]: async (p: ParamsOf<typeof ScoreTraces>) => {
      const r = await call<{ scored: number; missing: string[] }>('POST', '/api/scores/bulk', {
        trace_ids: p.traceIds,
        name: p.name,
        value: p.value,
        reason: p.reason,
      });
      return { scored: r.scored, missing: r.missing };
    },
    [ExportTraces.method]: (p: ParamsOf<typeof ExportTraces>) => download(win, p),
  };
}

function queryString(p: QueryTracesParams): URLSearchParams {
  const q = new URLSearchParams();
  if (p.filter) q.set('filter', p.filter);
  if (p.sort) q.set('sort', p.sort);
  if (p.order) q.set('order', p.order);
  if (p.project) q.set('project', p.project);
  if (p.offset !== undefined) q.set('offset', String(p.offset));
  if (p.limit !== undefined) q.set('limit', String(p.limit));
  if (p.anchor) {
    q.set('anchor', p.anchor.id);
    q.set('anchor_before', String(p.anchor.before));
  }
  return q;
}

/** POSTs the export (ids may be many), and saves the reply under the name the collector gave. */
async function download(win: Window, p: ParamsOf<typeof ExportTraces>): Promise<void> {
  const res = await win.fetch('/api/export', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      format: p.format,
      trace_ids: p.traceIds,
      filter: p.filter,
      project: p.project,
      sort: p.sort,
      order: p.order,
      columns: p.columns,
    }),
  });
  if (!res.ok) {
    const body = await res.json().catch(() => undefined);
    throw new Error(body?.error ?? `export failed: HTTP ${res.status}`);
  }
  const name =
    /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `spanscope-traces.${p.format}`;
  const url = URL.createObjectURL(await res.blob());
  const a = win.document.createElement('a');
  a.href = url;
  a.download = name;
  win.document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
