// One open trace as the panel holds it: the trace's own record, every span by id, and the span
// tree under a synthetic node for the trace itself (so the trace is the tree's top row, can be
// selected, scored and collapsed like a span). Live changes are applied in place: a span that
// keeps its parent and start time only swaps its record, a new span whose parent is known is
// inserted in order, and only anything else (a re-parented span, the parent an orphan waited
// for) rebuilds the tree. Either way the nodes' identities follow span ids, so selection and
// expanded state, which are kept by id, survive.

import type { Span, TraceDetail, TraceSummary } from '../../src/core/model/model';
import { buildSpanTree, compareIso, type SpanNode, type SpanTree } from '../../src/core/model/spanTree';
import { subtreeScoreAverages } from '../../src/core/model/aggregates';
import type { ScoreAverages } from '../../src/core/model/model';

export type TraceHeader = TraceDetail['trace'];
export type TreeNode = SpanNode<Span>;

/** The key of the trace's own row: ids are 1–128 characters, so '' never names a span. */
export const TRACE_KEY = '';

export interface ApplyResult {
  /** Rows were added, removed or moved: the flattened rows must be rebuilt. */
  structural: boolean;
  /** Keys whose record changed (for the details pane and row repaint). */
  changed: Set<string>;
}

export class TraceModel {
  readonly traceId: string;
  trace: TraceHeader;
  readonly root: TreeNode;
  private readonly spans = new Map<string, Span>();
  private tree!: SpanTree<Span>;
  /** Parent ids that orphan roots are waiting for: their arrival re-links, so it rebuilds. */
  private awaitedParents = new Set<string>();
  /** Averages per node, computed when asked for (the selected row) and kept until a change. */
  private readonly rollup = new Map<TreeNode, ScoreAverages>();
  private bounds: { start: string; end: string | undefined; running: boolean } | undefined;

  constructor(detail: TraceDetail) {
    this.traceId = detail.trace.id;
    this.trace = detail.trace;
    this.root = { span: traceAsSpan(detail.trace), children: [], depth: -1, orphan: false };
    for (const s of detail.spans) this.spans.set(s.id, s);
    this.rebuild();
  }

  get spanCount(): number {
    return this.spans.size;
  }

  keyOf(node: TreeNode): string {
    return node === this.root ? TRACE_KEY : node.span.id;
  }

  nodeByKey(key: string): TreeNode | undefined {
    return key === TRACE_KEY ? this.root : this.tree.byId.get(key);
  }

  /** 0 for the trace row, 1 for top-level spans, and so on. */
  levelOf(node: TreeNode): number {
    return node === this.root ? 0 : node.depth + 1;
  }

  parentOf(node: TreeNode): TreeNode | undefined {
    if (node === this.root) return undefined;
    return node.parent ?? this.root;
  }

  /** Per key, the average of each score name over the record and everything under it. */
  scoreRollup(key: string): ScoreAverages {
    if (key === TRACE_KEY) return this.trace.score_averages ?? {};
    const node = this.tree.byId.get(key);
    if (!node) return {};
    let averages = this.rollup.get(node);
    if (!averages) this.rollup.set(node, (averages = subtreeScoreAverages(node)));
    return averages;
  }

  applySpans(incoming: Span[]): ApplyResult {
    const changed = new Set<string>();
    let structural = false;
    let rebuild = false;
    for (const incomingSpan of incoming) {
      const before = this.spans.get(incomingSpan.id);
      // Spans never lose their end: one without it is older than what we hold (it was
      // queued while the trace loaded), so its end is kept.
      const span =
        before?.end_time && !incomingSpan.end_time
          ? {
              ...incomingSpan,
              end_time: before.end_time,
              duration_ms: before.duration_ms,
              status: before.status,
              output: incomingSpan.output ?? before.output,
            }
          : incomingSpan;
      this.spans.set(span.id, span);
      changed.add(span.id);
      if (rebuild) continue;
      const node = this.tree.byId.get(span.id);
      if (node && before && before.parent_span_id === span.parent_span_id && before.start_time === span.start_time) {
        node.span = span;
      } else if (!node && this.insert(span)) {
        structural = true;
      } else {
        rebuild = true;
      }
    }
    if (rebuild) {
      this.rebuild();
      structural = true;
    }
    if (changed.size) {
      this.rollup.clear();
      this.bounds = undefined;
    }
    return { structural, changed };
  }

  /** A newer summary of this trace (from the live feed); the full input/output stay as fetched. */
  applySummary(summary: TraceSummary): void {
    const { input_preview: _i, output_preview: _o, ...fields } = summary;
    this.trace = { ...this.trace, ...fields };
    this.root.span = traceAsSpan(this.trace);
    this.bounds = undefined;
  }

  /** Local edits to the trace's own record (a score given in the panel, before the feed confirms it). */
  updateTrace(fields: Partial<TraceHeader>): void {
    this.trace = { ...this.trace, ...fields };
    this.root.span = traceAsSpan(this.trace);
  }

  /** A fresh `GetTrace` of the same trace: the header (with its input/output) and every span. */
  applyDetail(detail: TraceDetail): ApplyResult {
    this.trace = detail.trace;
    this.root.span = traceAsSpan(detail.trace);
    this.bounds = undefined;
    const result = this.applySpans(detail.spans);
    result.changed.add(TRACE_KEY);
    return result;
  }

  /** Earliest start and latest end over the trace and its spans, as ISO strings (they sort as text). */
  timeBounds(): { start: string; end: string | undefined; running: boolean } {
    return (this.bounds ??= this.computeBounds());
  }

  private computeBounds(): { start: string; end: string | undefined; running: boolean } {
    let start = this.trace.start_time;
    let end = this.trace.end_time;
    let running = this.trace.status === 'running';
    for (const s of this.spans.values()) {
      if (s.start_time && (!start || compareIso(s.start_time, start) < 0)) start = s.start_time;
      if (s.end_time) {
        if (!end || compareIso(s.end_time, end) > 0) end = s.end_time;
      } else if (!s.error_info && !this.trace.end_time) {
        // Only while the trace runs: once it has ended, a span with no end never will (not ended).
        running = true;
      }
    }
    return { start, end, running };
  }

  private insert(span: Span): boolean {
    if (this.awaitedParents.has(span.id)) return false;
    const parentId = span.parent_span_id;
    const parent = parentId ? this.tree.byId.get(parentId) : undefined;
    if (parentId && !parent) return false;
    const node: TreeNode = { span, parent, children: [], depth: parent ? parent.depth + 1 : 0, orphan: false };
    const siblings = parent ? parent.children : this.tree.roots;
    siblings.splice(insertionIndex(siblings, span.start_time), 0, node);
    this.tree.byId.set(span.id, node);
    return true;
  }

  private rebuild(): void {
    this.tree = buildSpanTree(this.spans.values());
    this.root.children = this.tree.roots;
    this.awaitedParents = new Set();
    for (const r of this.tree.roots)
      if (r.orphan && r.span.parent_span_id) this.awaitedParents.add(r.span.parent_span_id);
    this.rollup.clear();
  }
}

/** After the last sibling that starts no later, so equal starts keep arrival order. */
function insertionIndex(nodes: TreeNode[], start: string): number {
  let lo = 0;
  let hi = nodes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareIso(nodes[mid].span.start_time, start) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The trace's record in a span's shape, so the tree and the details treat both alike. */
function traceAsSpan(trace: TraceHeader): Span {
  return { ...trace, trace_id: trace.id, type: 'general' } as Span;
}

export function isTraceNode(model: TraceModel, node: TreeNode): boolean {
  return node === model.root;
}
