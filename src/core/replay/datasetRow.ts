// A span (or a whole trace) as a dataset row: `{input, expected, metadata, source_span}`, one
// JSON object per line of `.spanscope/datasets/<name>.jsonl`. `input`/`expected`/`metadata` are the record
// fields of a Braintrust dataset (its JSON upload and `dataset.insert()`), and Opik's JSONL
// import keeps every key of a line as the item's data, so a file imports into either;
// `source_span` says where the row came from.

import type { Span, TraceDetail } from '../model/model';
import { CALL_METADATA_KEY } from './callPlan';

export interface DatasetRow {
  input: unknown;
  expected: unknown;
  metadata: Record<string, unknown>;
  /** `span_id` is the span's, or for a whole trace its root span's (absent for a trace without spans). */
  source_span: { trace_id: string; span_id?: string; project_name?: string; name: string; start_time: string };
}

/** The reviewer's `expected` when set, else what the span gave. */
export function datasetRow(span: Span): DatasetRow {
  const metadata = withoutCallShape(span.metadata);
  if (span.model) metadata.model = span.model;
  if (span.code_location?.function) metadata.function = span.code_location.function;
  return {
    input: span.input ?? null,
    expected: span.expected ?? span.output ?? null,
    metadata,
    source_span: {
      trace_id: span.trace_id,
      span_id: span.id,
      project_name: span.project_name,
      name: span.name,
      start_time: span.start_time,
    },
  };
}

/**
 * A whole trace as a row, as Opik's and Braintrust's "add trace to dataset" make it: the
 * trace's own input and output (what the app was asked and answered). A trace that carries
 * none (OTLP traces often do not) takes its root span's; a reviewer's `expected` on either
 * wins over the output. `source_span` points at the root span, so the row opens the trace.
 */
export function traceDatasetRow(detail: TraceDetail): DatasetRow {
  const { trace } = detail;
  const root = rootSpan(detail);
  const fromRoot = root ? datasetRow(root) : undefined;
  return {
    input: trace.input ?? fromRoot?.input ?? null,
    expected: trace.expected ?? root?.expected ?? trace.output ?? root?.output ?? null,
    metadata: { ...fromRoot?.metadata, ...withoutCallShape(trace.metadata) },
    source_span: {
      trace_id: trace.id,
      span_id: root?.id,
      project_name: trace.project_name,
      name: trace.name,
      start_time: trace.start_time,
    },
  };
}

/** The earliest span without a parent: what a trace-level command acts on. */
export function rootSpan(detail: TraceDetail): Span | undefined {
  return detail.spans.filter((s) => !s.parent_span_id).sort((x, y) => x.start_time.localeCompare(y.start_time))[0];
}

export function datasetLines(rows: DatasetRow[]): string {
  return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
}

/** The SDK's record of the call's shape is for replay, not data: it stays out of rows. */
function withoutCallShape(metadata: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(metadata ?? {})) if (k !== CALL_METADATA_KEY) out[k] = v;
  return out;
}

/** A dataset name usable as a file name. */
export function datasetFileName(name: string): string | undefined {
  const clean = name.trim().replace(/\.jsonl$/i, '');
  return /^[\w][\w .-]{0,99}$/.test(clean) ? `${clean}.jsonl` : undefined;
}
