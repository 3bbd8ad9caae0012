// compare_traces: the panel's Compare tab for an agent. Both traces are read through the host's
// TraceReader and paired by core/compare/alignTraces.ts (the one alignment the panel uses too);
// each pair reads as a short row of both sides' figures and the change.

import { type AlignedRow, alignTraces } from '../core/compare/alignTraces';
import { codeVersionText } from '../core/model/codeVersion';
import type { Span } from '../core/model/model';
import { fitJson } from './clip';
import { type Args, int, str } from './toolArgs';
import type { TraceReader } from './traceReader';
import { NOTICE, readTrace } from './traceTools';
import { compact } from './traceViews';

export async function compareTraces(args: Args, reader: TraceReader): Promise<string> {
  const [left, right] = await Promise.all([
    readTrace(reader, str(args.left_trace_id)!),
    readTrace(reader, str(args.right_trace_id)!),
  ]);
  const alignment = alignTraces(left, right);
  const rows = args.only_changes === true ? alignment.rows.filter((r) => r.change !== 'same') : alignment.rows;
  const maxRows = int(args.max_rows, 200);
  const head: Args = {
    notice: NOTICE,
    left: compact({ ...alignment.left, code_version: codeVersionText(left.trace.code_version) || undefined }),
    right: compact({ ...alignment.right, code_version: codeVersionText(right.trace.code_version) || undefined }),
    delta: alignment.delta,
    pairs: alignment.rows.length,
  };
  if (rows.length > maxRows) head.note = `${rows.length - maxRows} more pairs after these; raise max_rows to see them`;
  return fitJson(head, 'rows', rows.slice(0, maxRows).map(rowView)).text;
}

function rowView(row: AlignedRow): Record<string, unknown> {
  return compact({
    path: row.path.join(' > '),
    depth: row.depth,
    change: row.change,
    left: side(row.left),
    right: side(row.right),
    delta: compact({ ...row.delta }),
  });
}

function side(span: Span | undefined): Record<string, unknown> | undefined {
  if (!span) return undefined;
  return compact({
    span_id: span.id,
    status: span.status,
    duration_ms: span.duration_ms,
    tokens: span.usage?.total_tokens ?? sumTokens(span),
    cost: span.total_estimated_cost,
    error: span.error_info
      ? `${span.error_info.exception_type}${span.error_info.message ? `: ${span.error_info.message.slice(0, 200)}` : ''}`
      : undefined,
  });
}

function sumTokens(span: Span): number | undefined {
  const sum = (span.usage?.prompt_tokens ?? 0) + (span.usage?.completion_tokens ?? 0);
  return sum > 0 ? sum : undefined;
}
