// What a real collector stored, read back through its read API the way a user's tools would:
// for tests that send traces from an SDK, a script or another process and check the result.

import type { Span, TraceDetail, TraceSummary } from '../../src/core/model/model';
import type { TestCollector } from './collector';

/** The trace summaries of one project, newest first. */
export async function tracesOf(c: TestCollector, project: string): Promise<TraceSummary[]> {
  const reply = await c.get(`/api/traces?project=${encodeURIComponent(project)}&limit=1000`);
  if (reply.status !== 200) throw new Error(`GET /api/traces: ${reply.status} ${reply.text}`);
  return reply.json.traces;
}

export async function traceDetail(c: TestCollector, id: string): Promise<TraceDetail> {
  const reply = await c.get(`/api/traces/${encodeURIComponent(id)}`);
  if (reply.status !== 200) throw new Error(`GET /api/traces/${id}: ${reply.status} ${reply.text}`);
  return reply.json;
}

/** The only trace of a project, whole. Fails when there is not exactly one. */
export async function onlyTrace(c: TestCollector, project: string): Promise<TraceDetail> {
  const traces = await tracesOf(c, project);
  if (traces.length !== 1)
    throw new Error(`expected 1 trace in ${project}, found ${traces.length}: ${traces.map((t) => t.name).join(', ')}`);
  return traceDetail(c, traces[0].id);
}

/** Polls until `check` passes (for what another process sends), or throws its last error. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export function spanNamed(detail: TraceDetail, name: string): Span {
  const found = detail.spans.filter((s) => s.name === name);
  if (found.length !== 1)
    throw new Error(
      `expected one span "${name}", found ${found.length} among ${detail.spans.map((s) => s.name).join(', ')}`,
    );
  return found[0];
}

export function childrenOf(detail: TraceDetail, parent: Span | undefined): Span[] {
  return detail.spans
    .filter((s) => s.parent_span_id === parent?.id)
    .sort((a, b) => (a.start_time < b.start_time ? -1 : 1));
}
