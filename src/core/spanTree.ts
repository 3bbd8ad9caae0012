// Builds the span tree of one trace from spans in any order, in time linear in their number:
// one pass to index by id (merging duplicates), one pass to link each span under its parent,
// one walk from the roots. Nothing here recurses, so a 100k-deep chain is as safe as a flat
// trace. A span whose parent never arrived (or whose parent chain loops) becomes a root
// marked `orphan`, so nothing a client sent is ever hidden.

import { mergeRecord } from './merge';
import type { SpanRecord } from './model';

export interface SpanNode<S extends SpanRecord = SpanRecord> {
  span: S;
  parent?: SpanNode<S>;
  children: SpanNode<S>[];
  depth: number;
  /** True when the span names a parent that is not in this trace. */
  orphan: boolean;
}

export interface SpanTree<S extends SpanRecord = SpanRecord> {
  roots: SpanNode<S>[];
  byId: Map<string, SpanNode<S>>;
}

export function buildSpanTree<S extends SpanRecord>(spans: Iterable<S>): SpanTree<S> {
  const byId = new Map<string, SpanNode<S>>();
  for (const span of spans) {
    const seen = byId.get(span.id);
    if (seen) seen.span = mergeRecord(seen.span, span, {});
    else byId.set(span.id, { span, children: [], depth: 0, orphan: false });
  }

  const roots: SpanNode<S>[] = [];
  for (const node of byId.values()) {
    const parentId = node.span.parent_span_id;
    const parent = parentId && parentId !== node.span.id ? byId.get(parentId) : undefined;
    if (parent) {
      node.parent = parent;
      parent.children.push(node);
    } else {
      node.orphan = Boolean(parentId);
      roots.push(node);
    }
  }

  const reached = walkFromRoots(roots);
  if (reached < byId.size) breakCycles(byId, roots);

  sortByStart(roots);
  for (const node of byId.values()) if (node.children.length > 1) sortByStart(node.children);
  return { roots, byId };
}

/** Sets depths breadth-first; returns how many nodes were reached. */
function walkFromRoots<S extends SpanRecord>(roots: SpanNode<S>[]): number {
  const queue: SpanNode<S>[] = [];
  for (const r of roots) {
    r.depth = 0;
    queue.push(r);
  }
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i];
    for (const child of node.children) {
      child.depth = node.depth + 1;
      queue.push(child);
    }
  }
  return queue.length;
}

/**
 * Spans caught in a parent loop (A under B under A) are unreachable from any root. Detach
 * one span per loop and make it an orphan root, then walk again from it.
 */
function breakCycles<S extends SpanRecord>(byId: Map<string, SpanNode<S>>, roots: SpanNode<S>[]): void {
  const reached = new Set<SpanNode<S>>();
  const mark = (from: SpanNode<S>[]) => {
    const stack = [...from];
    while (stack.length) {
      const n = stack.pop()!;
      if (reached.has(n)) continue;
      reached.add(n);
      stack.push(...n.children);
    }
  };
  mark(roots);
  for (const node of byId.values()) {
    if (reached.has(node)) continue;
    const parent = node.parent!;
    parent.children.splice(parent.children.indexOf(node), 1);
    node.parent = undefined;
    node.orphan = true;
    roots.push(node);
    mark([node]);
  }
  walkFromRoots(roots);
}

function sortByStart<S extends SpanRecord>(nodes: SpanNode<S>[]): void {
  nodes.sort((a, b) => compareIso(a.span.start_time, b.span.start_time));
}

/** ISO 8601 UTC strings of the same shape sort as text; fall back to parsing when shapes differ. */
export function compareIso(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  if (a.length === b.length) return a < b ? -1 : 1;
  return Date.parse(a) - Date.parse(b);
}

/** Depth-first order of the tree, as rows for a list view; iterative. */
export function flattenTree<S extends SpanRecord>(roots: SpanNode<S>[], isExpanded: (node: SpanNode<S>) => boolean = () => true): SpanNode<S>[] {
  const out: SpanNode<S>[] = [];
  const stack: SpanNode<S>[] = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push(roots[i]);
  while (stack.length) {
    const node = stack.pop()!;
    out.push(node);
    if (node.children.length && isExpanded(node)) {
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
    }
  }
  return out;
}
