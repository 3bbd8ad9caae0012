// What a reader sees besides the raw records: status and duration of each record, and for a
// trace the totals over its spans. All of it is derived, never stored as truth, so it can
// not drift from the spans it sums.

import type {
  Derived,
  FeedbackScore,
  ScoreAverages,
  Span,
  SpanRecord,
  Status,
  TraceRecord,
  TraceSummary,
  Usage,
} from './model';
import { flattenTree, type SpanNode, type SpanTree } from './spanTree';
import { compareTimes, durationMs, parseTimeMicros } from './time';

export function statusOf(rec: { end_time?: string; error_info?: unknown }): Status {
  if (rec.error_info) return 'error';
  return rec.end_time ? 'ok' : 'running';
}

type Derivable = { start_time: string; end_time?: string; error_info?: unknown };

/** A copy of `rec` with its status and duration. */
export function derive<R extends Derivable>(rec: R): R & Derived {
  // Copied key by key: object spread is several times slower here, and this runs for every
  // span a listener is told about.
  const out: Record<string, unknown> = {};
  for (const key in rec) out[key] = rec[key];
  return addDerived(out as R);
}

/** `rec` itself with its status and duration: for a record nobody else holds (a fresh parse). */
export function addDerived<R extends Derivable>(rec: R): R & Derived {
  const out = rec as R & Derived;
  out.status = statusOf(rec);
  out.duration_ms = durationMs(rec.start_time, rec.end_time);
  presentCost(out as Partial<Span>);
  return out;
}

/**
 * A span's cost as readers see it: the client's when it gave one (`given`), else the
 * collector's estimate (`estimated`), in `total_estimated_cost` either way.
 */
function presentCost(span: Partial<Span>): void {
  if (span.cost_source !== undefined) return; // already presented
  if (typeof span.total_estimated_cost === 'number') span.cost_source = 'given';
  else if (typeof span.estimated_cost === 'number') {
    span.total_estimated_cost = span.estimated_cost;
    span.cost_source = 'estimated';
  }
  if (span.estimated_cost !== undefined) delete span.estimated_cost;
}

/** What a span adds to the totals: its given cost, else its estimate. */
export function spanCost(span: SpanRecord): number | undefined {
  const given = span.total_estimated_cost;
  if (typeof given === 'number' && Number.isFinite(given)) return given;
  const estimated = span.estimated_cost;
  return typeof estimated === 'number' && Number.isFinite(estimated) ? estimated : undefined;
}

export function withDerived(span: SpanRecord): Span {
  return derive(span);
}

/** Running totals over a trace's spans; kept incrementally by the store, rebuilt by `summariseSpans`. */
export interface SpanTotals {
  span_count: number;
  error_count: number;
  running_count: number;
  usage: Usage;
  cost: number;
  has_cost: boolean;
  /** Earliest span start and latest span end: a trace with no record of its own spans these. */
  first_start?: string;
  last_end?: string;
  /** Epoch µs of the earliest first token of any streamed span (its start + its TTFT). */
  first_token_us?: number;
  scores: Record<string, { sum: number; count: number }>;
}

export function emptyTotals(): SpanTotals {
  return { span_count: 0, error_count: 0, running_count: 0, usage: {}, cost: 0, has_cost: false, scores: byName() };
}

/**
 * An empty table keyed by a name a client chose (a score's): null-prototype, so a name such as
 * `__proto__` or `constructor` is a key like any other. In a plain object, `acc[name] ??= …`
 * with `__proto__` found Object.prototype and `.sum +=` wrote onto it: every object in the
 * process then had `sum` and `count`, stored bodies stopped normalising again, and reads
 * judged healthy packs damaged (issue 13).
 */
export function byName<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

export function addSpanToTotals(t: SpanTotals, span: SpanRecord, sign: 1 | -1 = 1): void {
  t.span_count += sign;
  if (span.error_info) t.error_count += sign;
  if (!span.end_time) t.running_count += sign;
  if (span.usage) {
    for (const k in span.usage) {
      const v = span.usage[k];
      if (typeof v === 'number' && Number.isFinite(v)) t.usage[k] = (t.usage[k] ?? 0) + sign * v;
    }
  }
  const cost = spanCost(span);
  if (cost !== undefined) {
    t.cost += sign * cost;
    t.has_cost = true;
  }
  // Earliest start and latest end only ever widen: a span's start can only move earlier
  // (see merge.ts) and a trace is rarely re-ended, so there is nothing to take back.
  if (sign === 1) {
    if (span.start_time && (!t.first_start || compareTimes(span.start_time, t.first_start) < 0))
      t.first_start = span.start_time;
    if (span.end_time && (!t.last_end || compareTimes(span.end_time, t.last_end) > 0)) t.last_end = span.end_time;
    // Only ever earlier, like first_start: a span's time to first token is sent once.
    const ttft = span.time_to_first_token_ms;
    if (typeof ttft === 'number' && Number.isFinite(ttft) && ttft >= 0 && span.start_time) {
      const at = parseTimeMicros(span.start_time) + ttft * 1000;
      if (Number.isFinite(at) && (t.first_token_us === undefined || at < t.first_token_us)) t.first_token_us = at;
    }
  }
  addScores(t.scores, span.feedback_scores, sign);
}

function addScores(acc: SpanTotals['scores'], scores: FeedbackScore[] | undefined, sign: 1 | -1): void {
  if (!scores) return;
  for (const s of scores) {
    const a = (acc[s.name] ??= { sum: 0, count: 0 });
    a.sum += sign * s.value;
    a.count += sign;
    if (a.count <= 0) delete acc[s.name];
  }
}

export function summariseSpans(spans: Iterable<SpanRecord>): SpanTotals {
  const t = emptyTotals();
  for (const s of spans) addSpanToTotals(t, s);
  return t;
}

export function averagesOf(acc: SpanTotals['scores'], own?: FeedbackScore[]): ScoreAverages {
  const merged: SpanTotals['scores'] = byName();
  for (const [k, v] of Object.entries(acc)) merged[k] = { ...v };
  addScores(merged, own, 1);
  const out: ScoreAverages = byName();
  // Rounded: sums kept by adding and taking back differ in the last bits with the order of arrival.
  for (const [k, v] of Object.entries(merged))
    if (v.count > 0) out[k] = { avg: Math.round((v.sum / v.count) * 1e9) / 1e9, count: v.count };
  return out;
}

const PREVIEW_CHARS = 300;

export function preview(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  let text: string;
  if (typeof value === 'string') text = value;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 1)}…` : text;
}

/**
 * The trace as readers see it. A trace that only exists through its spans (OTLP sends no
 * trace object) takes its name, times and input/output from its first root span, and is
 * `running` while any of its spans is. A trace of its own is `running` until its end
 * arrives (a span left open by a crashed child does not keep an ended trace running), and
 * any trace is `error` when it or any span failed.
 */
export interface TraceFacts {
  /** No trace object was ever received: the trace exists only through its spans. */
  implicit: boolean;
  /** The earliest root span, whose fields stand in for an implicit trace's. */
  rootSpan?: SpanRecord;
  lastUpdatedAt: string;
}

export function summariseTrace(trace: TraceRecord, totals: SpanTotals, facts: TraceFacts): TraceSummary {
  const { rootSpan, lastUpdatedAt } = facts;
  const start = trace.start_time || totals.first_start || lastUpdatedAt;
  const end =
    trace.end_time ??
    (facts.implicit && totals.span_count > 0 && totals.running_count === 0 ? totals.last_end : undefined);
  let status: Status = statusOf({ end_time: end, error_info: trace.error_info });
  if (status !== 'error' && totals.error_count > 0) status = 'error';
  // The trace's own fields but its input and output, copied key by key: an object rest
  // (`{ input, output, ...rest }`) cost ~10 µs here, once per trace per apply.
  const summary = {} as TraceSummary & Record<string, unknown>;
  for (const key in trace) if (key !== 'input' && key !== 'output') summary[key] = trace[key as keyof TraceRecord];
  summary.name = trace.name || rootSpan?.name || '(unnamed trace)';
  summary.start_time = start;
  summary.status = status;
  summary.duration_ms = durationMs(start, end);
  summary.input_preview = preview(trace.input ?? rootSpan?.input);
  summary.output_preview = preview(trace.output ?? rootSpan?.output);
  summary.span_count = totals.span_count;
  summary.error_count = totals.error_count;
  summary.usage = cleanUsage(totals.usage);
  summary.score_averages = averagesOf(totals.scores, trace.feedback_scores);
  summary.last_updated_at = lastUpdatedAt;
  if (end) summary.end_time = end;
  if (totals.has_cost) summary.total_estimated_cost = roundCost(totals.cost);
  if (totals.first_token_us !== undefined) {
    const ms = Math.round(totals.first_token_us - parseTimeMicros(start)) / 1000;
    if (ms >= 0) summary.time_to_first_token_ms = ms;
  }
  return summary;
}

function cleanUsage(u: Usage): Usage {
  const out: Usage = {};
  for (const [k, v] of Object.entries(u)) if (v !== 0) out[k] = v;
  return out;
}

function roundCost(c: number): number {
  return Math.round(c * 1e9) / 1e9;
}

/** For each span, the average of each score name over it and all its descendants. */
export function rollupScores<S extends SpanRecord>(tree: SpanTree<S>): Map<string, ScoreAverages> {
  const acc = new Map<string, SpanTotals['scores']>();
  const out = new Map<string, ScoreAverages>();
  // Pre-order reversed visits every child before its parent, without recursion.
  const order = flattenTree(tree.roots);
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i];
    const mine: SpanTotals['scores'] = byName();
    addScores(mine, node.span.feedback_scores, 1);
    for (const child of node.children) {
      for (const [k, v] of Object.entries(acc.get(child.span.id)!)) {
        const a = (mine[k] ??= { sum: 0, count: 0 });
        a.sum += v.sum;
        a.count += v.count;
      }
    }
    acc.set(node.span.id, mine);
    out.set(node.span.id, averagesOf(mine));
  }
  return out;
}

/**
 * The same averages for one node only: its own scores and its descendants'. Linear in the
 * subtree, so a view that needs one node's averages (the selected span) does not pay for the
 * whole tree; iterative, like everything here.
 */
export function subtreeScoreAverages<S extends SpanRecord>(node: SpanNode<S>): ScoreAverages {
  const acc: SpanTotals['scores'] = {};
  const stack: SpanNode<S>[] = [node];
  while (stack.length) {
    const n = stack.pop()!;
    addScores(acc, n.span.feedback_scores, 1);
    for (const child of n.children) stack.push(child);
  }
  return averagesOf(acc);
}
