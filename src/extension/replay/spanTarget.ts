// The span a replay command acts on, however it was invoked: a Traces view item (a trace
// means its root span), the panel or a CodeLens quick pick (trace id and span id), or from the
// palette the view's selection.

import type { Span, TraceDetail } from '../../core/model/model';
import type { TraceStoreApi } from '../../store/types';
import { targetsOf } from '../commands/targets';
import type { TreeNode } from '../tree/tracesTreeModel';
import type { TracesView } from '../tree/tracesView';

export interface SpanPick {
  detail: TraceDetail;
  span: Span;
}

export async function spansOf(store: TraceStoreApi, view: TracesView, args: unknown[]): Promise<SpanPick[]> {
  const [a, b] = args;
  const refs: { traceId: string; spanId?: string }[] = [];
  if (typeof a === 'string') refs.push({ traceId: a, spanId: typeof b === 'string' ? b : undefined });
  else if (a && typeof a === 'object' && typeof (a as { traceId?: unknown }).traceId === 'string' && !('kind' in a)) refs.push(a as { traceId: string; spanId?: string });
  else for (const t of targetsOf(view, a as TreeNode | undefined, b as TreeNode[] | undefined)) refs.push({ traceId: t.traceId, spanId: t.kind === 'span' ? t.spanId : undefined });
  const out: SpanPick[] = [];
  for (const ref of refs) {
    const detail = await store.getTrace(ref.traceId);
    if (!detail) continue;
    const span = ref.spanId ? detail.spans.find((s) => s.id === ref.spanId) : rootSpan(detail);
    if (span) out.push({ detail, span });
  }
  return out;
}

function rootSpan(detail: TraceDetail): Span | undefined {
  return detail.spans.filter((s) => !s.parent_span_id).sort((x, y) => x.start_time.localeCompare(y.start_time))[0];
}
