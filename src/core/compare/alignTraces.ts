// Two traces side by side: their spans paired by name path (the same function called at the
// same place in both), so a compare view can show each pair's duration, tokens, cost and
// status with their deltas, and open a diff of any pair. Spans repeated under one parent (a
// loop) pair by their order among siblings of that name. Pure; the panel's compare view and
// the MCP `compare_traces` tool both call it.

import type { Span, TraceDetail } from '../model/model';
import { buildSpanTree, type SpanNode } from '../model/spanTree';

export interface AlignedRow {
  /** Span names from the root down to this span. */
  path: string[];
  /** 0 for roots. */
  depth: number;
  left?: Span;
  right?: Span;
  /** right − left, when both sides have the value. */
  delta: { duration_ms: number | null; tokens: number | null; cost: number | null };
  /** `changed`: both sides, different status (or one errored and the other not). */
  change: 'same' | 'changed' | 'left_only' | 'right_only';
}

export interface TraceTotals {
  id: string;
  name: string;
  status: string;
  duration_ms: number | null;
  tokens: number;
  cost: number;
  span_count: number;
}

export interface TraceAlignment {
  left: TraceTotals;
  right: TraceTotals;
  delta: { duration_ms: number | null; tokens: number; cost: number };
  rows: AlignedRow[];
}

export function alignTraces(left: TraceDetail, right: TraceDetail): TraceAlignment {
  const rows: AlignedRow[] = [];
  walk(buildSpanTree(left.spans).roots, buildSpanTree(right.spans).roots, [], rows);
  const l = totals(left);
  const r = totals(right);
  return {
    left: l,
    right: r,
    delta: {
      duration_ms: diff(l.duration_ms, r.duration_ms),
      tokens: r.tokens - l.tokens,
      cost: round(r.cost - l.cost),
    },
    rows,
  };
}

/** Pairs two lists of siblings by name and occurrence, in the left's order, right-only ones after. */
function walk(lefts: SpanNode<Span>[], rights: SpanNode<Span>[], path: string[], rows: AlignedRow[]): void {
  const rightByKey = new Map<string, SpanNode<Span>>();
  for (const [key, node] of occurrences(rights)) rightByKey.set(key, node);
  const used = new Set<string>();
  for (const [key, node] of occurrences(lefts)) {
    const other = rightByKey.get(key);
    if (other) used.add(key);
    emit(node, other, path, rows);
  }
  for (const [key, node] of occurrences(rights)) if (!used.has(key)) emit(undefined, node, path, rows);
}

function emit(l: SpanNode<Span> | undefined, r: SpanNode<Span> | undefined, path: string[], rows: AlignedRow[]): void {
  const name = (l ?? r)!.span.name;
  const here = [...path, name];
  rows.push(row(here, l?.span, r?.span));
  walk(l?.children ?? [], r?.children ?? [], here, rows);
}

/** `name#n` for the n-th sibling of that name, siblings in start order. */
function occurrences(nodes: SpanNode<Span>[]): [string, SpanNode<Span>][] {
  const seen = new Map<string, number>();
  const sorted = [...nodes].sort((a, b) =>
    a.span.start_time < b.span.start_time ? -1 : a.span.start_time > b.span.start_time ? 1 : 0,
  );
  return sorted.map((n) => {
    const i = seen.get(n.span.name) ?? 0;
    seen.set(n.span.name, i + 1);
    return [`${n.span.name}\u0000${i}`, n];
  });
}

function row(path: string[], left: Span | undefined, right: Span | undefined): AlignedRow {
  const change = !left ? 'right_only' : !right ? 'left_only' : left.status !== right.status ? 'changed' : 'same';
  return {
    path,
    depth: path.length - 1,
    ...(left ? { left } : {}),
    ...(right ? { right } : {}),
    delta: {
      duration_ms: left && right ? diff(left.duration_ms, right.duration_ms) : null,
      tokens: left && right ? diff(tokensOf(left), tokensOf(right)) : null,
      cost: left && right ? diff(left.total_estimated_cost ?? null, right.total_estimated_cost ?? null) : null,
    },
    change,
  };
}

function totals(d: TraceDetail): TraceTotals {
  return {
    id: d.trace.id,
    name: d.trace.name,
    status: d.trace.status,
    duration_ms: d.trace.duration_ms,
    tokens: tokensOf({ usage: d.trace.usage }) ?? 0,
    cost: d.trace.total_estimated_cost ?? 0,
    span_count: d.spans.length,
  };
}

/** total_tokens, else prompt + completion; null when the span has no usage. */
export function tokensOf(s: Pick<Span, 'usage'>): number | null {
  const u = s.usage;
  if (!u) return null;
  if (typeof u.total_tokens === 'number') return u.total_tokens;
  if (typeof u.prompt_tokens === 'number' || typeof u.completion_tokens === 'number')
    return (u.prompt_tokens ?? 0) + (u.completion_tokens ?? 0);
  return null;
}

function diff(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : round(b - a);
}

function round(n: number): number {
  return Math.round(n * 1e9) / 1e9;
}
