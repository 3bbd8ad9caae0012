// The pure half of Add to Dataset (datasets.ts): which rows a selection gives, read from the
// store. A trace (the Logs tab's checked rows, a trace item) gives the trace's own row, a span
// its span's; rows keep the selection's order, and a trace deleted since it was selected gives
// none rather than failing the others.

import { datasetRow, traceDatasetRow, type DatasetRow } from '../../core/replay/datasetRow';
import type { TraceStoreApi } from '../../store/types';

/** A trace (no `spanId`: the trace as a whole) or one of its spans. */
export interface TargetRef {
  traceId: string;
  spanId?: string;
}

export async function datasetRowsOf(
  store: Pick<TraceStoreApi, 'getTrace'>,
  refs: readonly TargetRef[],
): Promise<DatasetRow[]> {
  const rows: DatasetRow[] = [];
  for (const ref of refs) {
    const detail = await store.getTrace(ref.traceId);
    if (!detail) continue;
    if (!ref.spanId) rows.push(traceDatasetRow(detail));
    else {
      const span = detail.spans.find((s) => s.id === ref.spanId);
      if (span) rows.push(datasetRow(span));
    }
  }
  return rows;
}
