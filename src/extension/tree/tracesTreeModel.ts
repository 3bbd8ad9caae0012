// The Traces view's data: projects → traces (newest first) → spans, read from the store, with
// stable node objects (VS Code refreshes an element by identity) and a plan of which nodes a
// store change makes stale, so a live trace redraws its own row rather than the whole view.
// Spans of an expanded trace are loaded once with `getTrace` and then kept current from the
// change events, so a running trace never re-reads its file. Pure: no `vscode`.

import { rollupScores } from '../../core/model/aggregates';
import type { ScoreAverages, Span, TraceSummary } from '../../core/model/model';
import { buildSpanTree, type SpanTree } from '../../core/model/spanTree';
import type { StoreChange, TraceStoreApi } from '../../store/types';
import { matchesFilter, moreView, projectView, spanView, traceView, type ItemView } from './traceItems';

export interface ProjectNode {
  readonly kind: 'project';
  readonly name: string;
}
export interface TraceNode {
  readonly kind: 'trace';
  readonly traceId: string;
  project: string;
}
export interface SpanNode {
  readonly kind: 'span';
  readonly traceId: string;
  readonly spanId: string;
}
export interface MoreNode {
  readonly kind: 'more';
  readonly project: string;
  shown: number;
  total: number;
}
export type TreeNode = ProjectNode | TraceNode | SpanNode | MoreNode;

/** `all`: redraw from the root; otherwise redraw just these nodes (and their subtrees). */
export interface RefreshPlan {
  all: boolean;
  nodes: TreeNode[];
}

interface LoadedTrace {
  spans: Map<string, Span>;
  tree?: SpanTree<Span>;
  rollup?: Map<string, ScoreAverages>;
}

/** Beyond this many changed nodes one full redraw is cheaper than many small ones. */
const MAX_NODE_REFRESHES = 50;

export class TracesTreeModel {
  filter: string | undefined;
  private readonly projectNodes = new Map<string, ProjectNode>();
  private readonly traceNodes = new Map<string, TraceNode>();
  private readonly spanNodes = new Map<string, Map<string, SpanNode>>();
  private readonly moreNodes = new Map<string, MoreNode>();
  private readonly loaded = new Map<string, LoadedTrace>();
  /** What the view last listed: projects at the root, traces under each project. */
  private shownProjects = new Set<string>();
  private readonly shownTraces = new Map<string, string>();

  constructor(
    private readonly store: TraceStoreApi,
    private readonly options: { tracesPerProject: number; thumbsName(): string },
  ) {}

  roots(): ProjectNode[] {
    let projects = this.store.listProjects().filter((p) => p.trace_count > 0);
    if (this.filter) projects = projects.filter((p) => this.listTraces(p.name).length > 0);
    projects.sort(
      (a, b) => (b.last_trace_at ?? '').localeCompare(a.last_trace_at ?? '') || a.name.localeCompare(b.name),
    );
    this.shownProjects = new Set(projects.map((p) => p.name));
    return projects.map((p) => this.projectNode(p.name));
  }

  traces(project: string): (TraceNode | MoreNode)[] {
    const summaries = this.listTraces(project);
    for (const [id, p] of this.shownTraces) if (p === project) this.shownTraces.delete(id);
    const limit = this.options.tracesPerProject;
    const shown = summaries.slice(0, limit);
    const nodes: (TraceNode | MoreNode)[] = shown.map((t) => {
      this.shownTraces.set(t.id, project);
      return this.traceNode(t.id, project);
    });
    const total = this.filter
      ? summaries.length
      : (this.store.listProjects().find((p) => p.name === project)?.trace_count ?? summaries.length);
    if (total > shown.length) nodes.push(this.moreNode(project, shown.length, total));
    return nodes;
  }

  /** Root spans of a trace; loads the trace's spans the first time. */
  async spans(traceId: string): Promise<SpanNode[]> {
    const tree = await this.treeOf(traceId);
    return tree ? tree.roots.map((n) => this.spanNode(traceId, n.span.id)) : [];
  }

  spanChildren(node: SpanNode): SpanNode[] {
    const tree = this.loadedTree(node.traceId);
    return tree?.byId.get(node.spanId)?.children.map((c) => this.spanNode(node.traceId, c.span.id)) ?? [];
  }

  parentOf(node: TreeNode): TreeNode | undefined {
    switch (node.kind) {
      case 'project':
        return undefined;
      case 'trace':
      case 'more':
        return this.projectNodes.get(node.project) ?? this.projectNode(node.project);
      case 'span': {
        const parent = this.loadedTree(node.traceId)?.byId.get(node.spanId)?.parent;
        if (parent) return this.spanNode(node.traceId, parent.span.id);
        const summary = this.store.getSummary(node.traceId);
        return summary ? this.traceNode(node.traceId, summary.project_name) : undefined;
      }
    }
  }

  /** The span as last loaded, for commands on a span item. */
  span(node: SpanNode): Span | undefined {
    return this.loaded.get(node.traceId)?.spans.get(node.spanId);
  }

  view(node: TreeNode): ItemView | undefined {
    const thumbs = this.options.thumbsName();
    switch (node.kind) {
      case 'project': {
        const p = this.store.listProjects().find((x) => x.name === node.name);
        return p ? projectView(p) : undefined;
      }
      case 'trace': {
        const t = this.store.getSummary(node.traceId);
        return t ? traceView(t, thumbs, this.filter) : undefined;
      }
      case 'span': {
        const tree = this.loadedTree(node.traceId);
        const n = tree?.byId.get(node.spanId);
        if (!n) return undefined;
        return spanView(
          n.span,
          n.children.length > 0,
          thumbs,
          this.loaded.get(node.traceId)?.rollup?.get(node.spanId),
          this.store.getSummary(node.traceId),
        );
      }
      case 'more':
        return moreView(node.shown, node.total);
    }
  }

  /** Traces whose spans are loaded: the only ones whose span changes matter. */
  readonly loadedTraces: { has(traceId: string): boolean } = { has: (id) => this.loaded.has(id) };

  /** Forget a trace's spans (its item was collapsed); they load again on expand. */
  unload(traceId: string): void {
    this.loaded.delete(traceId);
    this.spanNodes.delete(traceId);
  }

  /** Takes a batch of store changes; says which nodes to redraw. */
  applyChange(change: Pick<StoreChange, 'traces' | 'removed' | 'spans'>): RefreshPlan {
    const stale = new Set<TreeNode>();
    let all = false;
    // keys() then get(): a change's span lists are built on read, and only expanded traces matter.
    for (const traceId of change.spans.keys()) {
      const loaded = this.loaded.get(traceId);
      if (!loaded) continue;
      for (const s of change.spans.get(traceId) ?? []) loaded.spans.set(s.id, s);
      loaded.tree = undefined;
      loaded.rollup = undefined;
      const project = this.shownTraces.get(traceId);
      if (project !== undefined) stale.add(this.traceNode(traceId, project));
    }
    for (const id of change.removed) {
      this.unload(id);
      const project = this.shownTraces.get(id);
      if (project === undefined) continue;
      this.shownTraces.delete(id);
      this.traceNodes.delete(id);
      stale.add(this.projectNode(project));
    }
    for (const t of change.traces) {
      const shownIn = this.shownTraces.get(t.id);
      const visible = matchesFilter(t, this.filter);
      if (!this.shownProjects.has(t.project_name)) {
        if (visible) all = true; // a new project appears at the root
      } else if (shownIn === undefined || shownIn !== t.project_name || !visible) {
        stale.add(this.projectNode(t.project_name)); // the trace appears in, moves to or leaves a list
        if (shownIn !== undefined && shownIn !== t.project_name) stale.add(this.projectNode(shownIn));
      } else {
        stale.add(this.traceNode(t.id, t.project_name));
      }
    }
    if (!all && [...stale].some((n) => n.kind === 'project')) {
      // A project whose last trace went (deleted, cleared, aged out) leaves the root.
      const live = new Set(
        this.store
          .listProjects()
          .filter((p) => p.trace_count > 0)
          .map((p) => p.name),
      );
      all = [...stale].some((n) => n.kind === 'project' && !live.has(n.name));
    }
    if (all || stale.size > MAX_NODE_REFRESHES) return { all: true, nodes: [] };
    // A project redraw redraws its traces too.
    const nodes = [...stale].filter((n) => n.kind !== 'trace' || !stale.has(this.projectNode(n.project)));
    return { all: false, nodes };
  }

  private listTraces(project: string): TraceSummary[] {
    if (!this.filter) return this.store.listTraces({ project, limit: this.options.tracesPerProject + 1 });
    // Filtering looks further back than the sidebar shows, so an older match is still found.
    return this.store
      .listTraces({ project, limit: Math.max(5000, this.options.tracesPerProject) })
      .filter((t) => matchesFilter(t, this.filter));
  }

  private async treeOf(traceId: string): Promise<SpanTree<Span> | undefined> {
    if (!this.loaded.has(traceId)) {
      const detail = await this.store.getTrace(traceId);
      if (!detail) return undefined;
      // Changes that arrived while reading are already in `loaded` if another call won the race.
      if (!this.loaded.has(traceId)) this.loaded.set(traceId, { spans: new Map(detail.spans.map((s) => [s.id, s])) });
    }
    return this.loadedTree(traceId);
  }

  private loadedTree(traceId: string): SpanTree<Span> | undefined {
    const l = this.loaded.get(traceId);
    if (!l) return undefined;
    if (!l.tree) {
      l.tree = buildSpanTree(l.spans.values());
      l.rollup = rollupScores(l.tree);
    }
    return l.tree;
  }

  private projectNode(name: string): ProjectNode {
    let n = this.projectNodes.get(name);
    if (!n) this.projectNodes.set(name, (n = { kind: 'project', name }));
    return n;
  }

  private traceNode(traceId: string, project: string): TraceNode {
    let n = this.traceNodes.get(traceId);
    if (!n) this.traceNodes.set(traceId, (n = { kind: 'trace', traceId, project }));
    n.project = project;
    return n;
  }

  private spanNode(traceId: string, spanId: string): SpanNode {
    let byId = this.spanNodes.get(traceId);
    if (!byId) this.spanNodes.set(traceId, (byId = new Map()));
    let n = byId.get(spanId);
    if (!n) byId.set(spanId, (n = { kind: 'span', traceId, spanId }));
    return n;
  }

  private moreNode(project: string, shown: number, total: number): MoreNode {
    let n = this.moreNodes.get(project);
    if (!n) this.moreNodes.set(project, (n = { kind: 'more', project, shown, total }));
    n.shown = shown;
    n.total = total;
    return n;
  }
}
