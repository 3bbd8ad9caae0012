// Search in the open trace: which spans match a query, in tree order (so "next" walks down
// the tree as a reader would), and which rows to keep when the tree is filtered to the
// matches (the matches plus their ancestors, so each match keeps its context). Matching is
// a case-insensitive substring over what a row and its tooltip show, not over inputs and
// outputs: those can be megabytes per span, and a 100k-span trace must answer per keystroke.

import type { Span } from '../../src/core/model/model';
import type { TreeNode, TraceModel } from './traceModel';

export interface SearchResult {
  query: string;
  /** Matching nodes in depth-first tree order, expanded or not. */
  matches: TreeNode[];
  matched: Set<TreeNode>;
  /** Matches and all their ancestors: the rows a filtered tree shows. */
  include: Set<TreeNode>;
  /** Every node's position in depth-first order, to step from a row that is not a match. */
  order: Map<TreeNode, number>;
}

export function searchTrace(model: TraceModel, query: string): SearchResult | undefined {
  const needle = query.trim().toLowerCase();
  if (!needle) return undefined;
  const matches: TreeNode[] = [];
  const order = new Map<TreeNode, number>();
  const stack: TreeNode[] = [model.root];
  while (stack.length) {
    const node = stack.pop()!;
    order.set(node, order.size);
    if (spanMatches(node.span, needle)) matches.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
  }
  const matched = new Set(matches);
  const include = new Set<TreeNode>();
  for (const m of matches) {
    for (let n: TreeNode | undefined = m; n && !include.has(n); n = model.parentOf(n)) include.add(n);
  }
  return { query: needle, matches, matched, include, order };
}

/** `needle` is already lower-case. */
export function spanMatches(span: Span, needle: string): boolean {
  if (contains(span.name, needle) || contains(span.id, needle) || contains(span.type, needle)) return true;
  if (contains(span.model, needle) || contains(span.provider, needle)) return true;
  if (span.tags?.some((t) => contains(t, needle))) return true;
  const err = span.error_info;
  if (err && (contains(err.exception_type, needle) || contains(err.message, needle))) return true;
  const loc = span.code_location;
  return Boolean(loc && (contains(loc.function, needle) || contains(loc.file, needle)));
}

function contains(text: unknown, needle: string): boolean {
  return typeof text === 'string' && text.toLowerCase().includes(needle);
}

/** Where `needle` (lower-case) occurs in `text`, as [start, end) pairs, for highlighting. */
export function matchRanges(text: string, needle: string): Array<[number, number]> {
  if (!needle) return [];
  const lower = text.toLowerCase();
  const out: Array<[number, number]> = [];
  for (let i = lower.indexOf(needle); i >= 0; i = lower.indexOf(needle, i + needle.length))
    out.push([i, i + needle.length]);
  return out;
}

/** The match after (or before) the given row in tree order, wrapping around. */
export function stepMatch(
  result: SearchResult,
  current: TreeNode | undefined,
  direction: 1 | -1,
): TreeNode | undefined {
  const { matches } = result;
  if (!matches.length) return undefined;
  if (!current) return direction === 1 ? matches[0] : matches[matches.length - 1];
  const at = matches.indexOf(current);
  if (at >= 0) return matches[(at + direction + matches.length) % matches.length];
  // Not itself a match: find the first match after (or before) it in tree order.
  const pos = result.order.get(current) ?? -1;
  const orderOf = (m: TreeNode) => result.order.get(m)!;
  if (direction === 1) return matches.find((m) => orderOf(m) > pos) ?? matches[0];
  for (let i = matches.length - 1; i >= 0; i--) if (orderOf(matches[i]) < pos) return matches[i];
  return matches[matches.length - 1];
}
