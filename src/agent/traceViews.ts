// How a trace summary and a span read to an agent: the fields that answer "what happened"
// (status, timing, error, model, usage, cost, scores, code location), in short keys, with
// empty ones left out and user data cut to the caller's size. Shared by get_trace,
// list_traces and search_spans so a span reads the same in each.

import type { FeedbackScore, ScoreAverages, Span, TraceSummary } from '../core/model/model';
import { durationMs } from '../core/model/time';
import { clipValue } from './clip';

/** Counts the fields cut while building one result, for its note. */
export class CutCounter {
  count = 0;
  clip(value: unknown, max: number): unknown {
    const c = clipValue(value, max);
    if (c.cut) this.count++;
    return c.value;
  }
}

type View = Record<string, unknown>;

/** Leaves out fields that say nothing (undefined, null, empty objects and lists). */
export function compact(view: View): View {
  for (const key of Object.keys(view)) {
    const v = view[key];
    if (
      v === undefined ||
      v === null ||
      (Array.isArray(v) && v.length === 0) ||
      (isPlainObject(v) && Object.keys(v).length === 0)
    )
      delete view[key];
  }
  return view;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function averages(scores: ScoreAverages | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, { avg }] of Object.entries(scores ?? {})) out[name] = round(avg);
  return out;
}

export function scoreList(scores: FeedbackScore[] | undefined, cut: CutCounter, max: number): View[] {
  return (scores ?? []).map((s) =>
    compact({
      name: s.name,
      value: s.value,
      category: s.category_name,
      reason: s.reason === undefined ? undefined : cut.clip(s.reason, max),
      source: s.source,
    }),
  );
}

export function summaryView(t: TraceSummary, previewChars: number, cut: CutCounter): View {
  return compact({
    id: t.id,
    name: t.name,
    project: t.project_name,
    status: t.status,
    start_time: t.start_time,
    duration_ms: t.duration_ms,
    span_count: t.span_count,
    error_count: t.error_count,
    usage: t.usage,
    cost: t.total_estimated_cost,
    scores: averages(t.score_averages),
    error: t.error_info
      ? compact({ type: t.error_info.exception_type, message: cut.clip(t.error_info.message, previewChars) })
      : undefined,
    tags: t.tags,
    thread_id: t.thread_id,
    input_preview: cut.clip(t.input_preview, previewChars),
    output_preview: cut.clip(t.output_preview, previewChars),
  });
}

/** `file:line (function)`: what an agent needs to open the code that made the span. */
export function codeText(span: Span): string | undefined {
  const loc = span.code_location;
  if (!loc) return undefined;
  return `${loc.file}:${loc.line}${loc.function ? ` (${loc.function})` : ''}`;
}

export interface SpanViewOptions {
  /** The trace's start, for each span's start offset. */
  traceStart: string;
  depth?: number;
  maxFieldChars: number;
}

export function spanView(span: Span, o: SpanViewOptions, cut: CutCounter): View {
  const offset = durationMs(o.traceStart, span.start_time);
  return compact({
    id: span.id,
    parent_id: span.parent_span_id,
    depth: o.depth,
    name: span.name,
    type: span.type,
    status: span.status,
    start_ms: offset === null ? undefined : round(offset),
    duration_ms: span.duration_ms === null ? undefined : round(span.duration_ms),
    error: span.error_info
      ? compact({
          type: span.error_info.exception_type,
          message: cut.clip(span.error_info.message, Math.max(o.maxFieldChars, 200)),
          traceback: cut.clip(span.error_info.traceback, o.maxFieldChars),
        })
      : undefined,
    model: span.model,
    provider: span.provider,
    usage: span.usage,
    cost: span.total_estimated_cost,
    ttft_ms: span.time_to_first_token_ms,
    scores: scoreList(span.feedback_scores, cut, o.maxFieldChars),
    code: codeText(span),
    input: cut.clip(span.input, o.maxFieldChars),
    output: cut.clip(span.output, o.maxFieldChars),
    metadata: o.maxFieldChars > 0 ? cut.clip(span.metadata, o.maxFieldChars) : undefined,
  });
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
