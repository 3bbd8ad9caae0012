// Builds the span tree of one trace from spans in any order, in time linear in their number:
// one pass to index by id (merging duplicates), one pass to link each span under its parent,
// one walk from the roots. Nothing here recurses, so a 100k-deep chain is as safe as a flat
// trace. A span whose parent never arrived (or whose parent chain loops) becomes a root
// marked `orphan`, so nothing a client sent is ever hidden.

import { mergeRecord } from './merge';
import type { SpanRecord } from './model';
import { compareTimes } from './time';

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
 * Spans caught in a parent loop (A under B under A) are unreachable from any root, and so is
 * everything hanging below a loop. For each loop, cut the member that started first from its
 * parent and make it an orphan root: the loop's other members and their subtrees then hang
 * below it as the data says. Linear: each node is walked up at most once before it is reached.
 */
function breakCycles<S extends SpanRecord>(byId: Map<string, SpanNode<S>>, roots: SpanNode<S>[]): void {
  const reached = new Set<SpanNode<S>>();
  const mark = (from: SpanNode<S>) => {
    const stack = [from];
    while (stack.length) {
      const n = stack.pop()!;
      if (reached.has(n)) continue;
      reached.add(n);
      for (const c of n.children) stack.push(c);
    }
  };
  for (const r of roots) mark(r);
  for (const start of byId.values()) {
    if (reached.has(start)) continue;
    // Every unreached node leads up into a loop: walk up until a node repeats.
    const onPath = new Set<SpanNode<S>>();
    let node = start;
    while (!onPath.has(node)) {
      onPath.add(node);
      node = node.parent!;
    }
    let cut = node;
    for (let m = node.parent!; m !== node; m = m.parent!) {
      if (compareTimes(m.span.start_time, cut.span.start_time) < 0) cut = m;
    }
    const parent = cut.parent!;
    parent.children.splice(parent.children.indexOf(cut), 1);
    cut.parent = undefined;
    cut.orphan = true;
    roots.push(cut);
    mark(cut);
  }
  walkFromRoots(roots);
}

function sortByStart<S extends SpanRecord>(nodes: SpanNode<S>[]): void {
  nodes.sort((a, b) => compareTimes(a.span.start_time, b.span.start_time));
}

/** @deprecated use `compareTimes` from `./time`; kept for existing callers. */
export const compareIso = compareTimes;

/** Depth-first order of the tree, as rows for a list view; iterative. */
export function flattenTree<S extends SpanRecord>(
  roots: SpanNode<S>[],
  isExpanded: (node: SpanNode<S>) => boolean = () => true,
): SpanNode<S>[] {
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
