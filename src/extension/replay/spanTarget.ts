// The span a replay command acts on, however it was invoked: a Traces view item (a trace
// means its root span), the panel or a CodeLens quick pick (trace id and span id), the logs
// table's selection (`{traceIds}`), or from the palette the view's selection.

import type { Span, TraceDetail } from '../../core/model/model';
import { rootSpan } from '../../core/replay/datasetRow';
import type { TraceStoreApi } from '../../store/types';
import { targetsOf } from '../commands/targets';
import type { TargetRef } from './datasetsModel';
import type { TreeNode } from '../tree/tracesTreeModel';
import type { TracesView } from '../tree/tracesView';

export interface SpanPick {
  detail: TraceDetail;
  span: Span;
}

export function refsOf(view: TracesView, args: unknown[]): TargetRef[] {
  const [a, b] = args;
  if (typeof a === 'string') return [{ traceId: a, spanId: typeof b === 'string' ? b : undefined }];
  if (a && typeof a === 'object' && Array.isArray((a as { traceIds?: unknown }).traceIds)) {
    return (a as { traceIds: unknown[] }).traceIds
      .filter((id): id is string => typeof id === 'string' && id !== '')
      .map((traceId) => ({ traceId }));
  }
  if (a && typeof a === 'object' && typeof (a as { traceId?: unknown }).traceId === 'string' && !('kind' in a))
    return [a as TargetRef];
  return targetsOf(view, a as TreeNode | undefined, b as TreeNode[] | undefined).map((t) => ({
    traceId: t.traceId,
    spanId: t.kind === 'span' ? t.spanId : undefined,
  }));
}

export async function spansOf(store: TraceStoreApi, view: TracesView, args: unknown[]): Promise<SpanPick[]> {
  const out: SpanPick[] = [];
  for (const ref of refsOf(view, args)) {
    const detail = await store.getTrace(ref.traceId);
    if (!detail) continue;
    const span = ref.spanId ? detail.spans.find((s) => s.id === ref.spanId) : rootSpan(detail);
    if (span) out.push({ detail, span });
  }
  return out;
}
