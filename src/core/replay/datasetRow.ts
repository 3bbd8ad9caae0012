// A span as a dataset row: `{input, expected, metadata, source_span}`, one JSON object per
// line of `.spanscope/datasets/<name>.jsonl`. `input`/`expected`/`metadata` are the record
// fields of a Braintrust dataset (its JSON upload and `dataset.insert()`), and Opik's JSONL
// import keeps every key of a line as the item's data, so a file imports into either;
// `source_span` says where the row came from.

import type { Span } from '../model/model';
import { CALL_METADATA_KEY } from './callPlan';

export interface DatasetRow {
  input: unknown;
  expected: unknown;
  metadata: Record<string, unknown>;
  source_span: { trace_id: string; span_id: string; project_name?: string; name: string; start_time: string };
}

/** The reviewer's `expected` when set, else what the span gave. */
export function datasetRow(span: Span): DatasetRow {
  const metadata: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(span.metadata ?? {})) if (k !== CALL_METADATA_KEY) metadata[k] = v;
  if (span.model) metadata.model = span.model;
  if (span.code_location?.function) metadata.function = span.code_location.function;
  return {
    input: span.input ?? null,
    expected: span.expected ?? span.output ?? null,
    metadata,
    source_span: { trace_id: span.trace_id, span_id: span.id, project_name: span.project_name, name: span.name, start_time: span.start_time },
  };
}

export function datasetLines(spans: Span[]): string {
  return spans.map((s) => `${JSON.stringify(datasetRow(s))}\n`).join('');
}

/** A dataset name usable as a file name. */
export function datasetFileName(name: string): string | undefined {
  const clean = name.trim().replace(/\.jsonl$/i, '');
  return /^[\w][\w .-]{0,99}$/.test(clean) ? `${clean}.jsonl` : undefined;
}
