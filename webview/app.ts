// The trace panel: wires the trace list, the span tree and the details to the host connection.
// It says Ready once its handlers listen, opens the trace the host asks for (or the one it had
// open before a reload), applies live changes in place, and remembers its state.

import type { ScorePatch, Span, TraceDetail, TraceSummary } from '../src/core/model/model';
import { applyScore } from '../src/core/model/merge';
import { nowIso } from '../src/core/model/time';
import type { Changes, HostInfo } from '../src/shared/protocol';
import {
  ChangesNotification,
  DeleteTraces,
  GetTrace,
  OpenSource,
  FindSymbol,
  Ready,
  SetScore,
  ShowTrace,
  WatchTraces,
} from '../src/shared/protocol';
import { noTracesHint } from './shell/emptyHint';
import { formatCount, formatDuration } from '../src/core/display/format';
import { ReadyGate } from './shell/readyGate';
import { TraceModel, TRACE_KEY, type TreeNode } from './trace/traceModel';
import { recallExpansion, rememberExpansion, type StateStorage, type UiState } from './state/uiState';
import type { HostConnection } from './transport/connection';
import { DetailsPane } from './trace/details/detailsPane';
import { errorText } from './trace/details/sourceLink';
import { h } from './components/dom';
import { Layout } from './shell/layout';
import { TraceListView } from './trace/traceListView';
import { TreePane } from './trace/treePane';

const TICK_MS = 250;
/** State saves wait this long for more changes (scrolling, key repeat). */
const SAVE_DELAY_MS = 150;

export interface AppOptions {
  /**
   * Fetch the trace the page already knows (from its address) while Ready is in flight. For
   * the browser, whose transport keeps the watch across Ready; the VS Code host starts over
   * on Ready, so there the page watches and fetches after it.
   */
  prefetch?: boolean;
}

/** Timeline marks for the benchmark and the browser's performance panel (`spanscope:…`). */
function mark(name: string): void {
  performance.mark(`spanscope:${name}`);
}

export class App {
  private readonly layout: Layout;
  private readonly list: TraceListView;
  private readonly tree: TreePane;
  private readonly details: DetailsPane;
  private readonly gate = new ReadyGate();
  private readonly state: UiState;
  private readonly collapsedSections: Set<string>;
  private info: HostInfo | undefined;
  private model: TraceModel | undefined;
  /** The trace being fetched, and the span changes for it that arrived meanwhile. */
  private loading: { traceId: string; pending: Span[][] } | undefined;
  /** A trace fetched while Ready is in flight, when the page already knows which one it shows. */
  private prefetch: { traceId: string; detail: Promise<TraceDetail | null> } | undefined;
  private detailsFrame = 0;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private ticks = 0;

  constructor(
    root: HTMLElement,
    private readonly conn: HostConnection,
    private readonly storage: StateStorage,
    private readonly options: AppOptions = {},
  ) {
    this.state = storage.load();
    this.collapsedSections = new Set(this.state.collapsedSections ?? []);
    this.list = new TraceListView({
      onOpen: (id) => void this.openTrace(id),
      onDelete: (id) => void this.deleteTrace(id),
    });
    this.tree = new TreePane({
      onSelect: (node) => this.showDetails(node),
      onOpen: (node) => void this.openSource(node),
      onStateChange: () => this.saveSoon(),
    });
    this.details = new DetailsPane({
      conn,
      info: () => this.info,
      setScore: (p) => this.setScore(p),
      notify: (m, kind) => this.layout.notify(m, kind),
      collapsedSections: this.collapsedSections,
      onStateChange: () => this.saveSoon(),
    });
    this.layout = new Layout(
      root,
      { list: this.list.element, tree: this.tree.element, details: this.details.element },
      { onToggleList: () => this.saveSoon(), onResize: () => this.saveSoon() },
    );
    this.layout.setWidths(
      this.state.traceListWidth ?? this.layout.listWidth,
      this.state.detailsWidth ?? this.layout.detailsWidth,
    );
    this.layout.setListHidden(Boolean(this.state.traceListHidden));
    if (this.state.nameColumnWidth) this.tree.setNameWidth(this.state.nameColumnWidth);
    conn.onStatus((s) => this.layout.setConnection(s));
    conn.onNotification(
      ChangesNotification,
      this.gate.wrap((c: Changes) => this.applyChanges(c)),
    );
    conn.onNotification(
      ShowTrace,
      this.gate.wrap(
        (p: { traceId: string; spanId?: string }) => void this.openTrace(p.traceId, p.spanId ?? TRACE_KEY),
      ),
    );
    setInterval(() => this.tick(), TICK_MS);
    // A reload or a hidden webview right after a change must not lose it to the debounce.
    const flush = () => {
      if (this.saveTimer === undefined) return;
      clearTimeout(this.saveTimer);
      this.save();
    };
    window.addEventListener('pagehide', flush);
    document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && flush());
  }

  /** What the host said about itself in its Ready reply (the Logs tab reads the thumbs score name). */
  get hostInfo(): HostInfo | undefined {
    return this.info;
  }

  async start(): Promise<void> {
    mark('app-built');
    const known = this.state.traceId;
    if (known && this.options.prefetch) {
      // Watch, then fetch, without waiting for Ready: opening a big trace is mostly this fetch.
      const detail = this.conn
        .request(WatchTraces, { traceIds: [known] })
        .catch(() => undefined)
        .then(() => this.conn.request(GetTrace, { traceId: known }));
      detail.catch(() => undefined);
      this.prefetch = { traceId: known, detail };
    }
    try {
      const ready = await this.conn.request(Ready, { restoredTraceId: this.state.traceId });
      mark('ready');
      this.info = ready.info;
      this.list.setTraces(ready.traces);
      const restored = ready.showTraceId === undefined || ready.showTraceId === this.state.traceId;
      const traceId = ready.showTraceId ?? this.state.traceId ?? this.list.traces[0]?.id;
      this.gate.open();
      if (traceId)
        await this.openTrace(traceId, ready.showSpanId ?? (restored ? this.state.selectedKey : undefined), restored);
      else this.showNoTraces();
    } catch (err) {
      this.gate.open();
      this.tree.clear(`Could not reach the collector: ${errorText(err)}`);
    }
  }

  async openTrace(traceId: string, selectKey?: string, restoring = false): Promise<void> {
    if (this.model?.traceId === traceId && !restoring) {
      if (selectKey !== undefined) this.tree.selectByKey(selectKey);
      return;
    }
    this.rememberCurrent();
    this.loading = { traceId, pending: [] };
    this.list.setOpen(traceId);
    this.tree.loading();
    this.details.clear();
    try {
      const detail = await this.fetchTrace(traceId);
      mark('trace-fetched');
      if (this.loading?.traceId !== traceId) return;
      const pending = this.loading.pending;
      this.loading = undefined;
      if (!detail) {
        this.traceGone(`Trace ${traceId} was not found. It may have been deleted.`);
        return this.saveSoon();
      }
      this.model = new TraceModel(detail);
      for (const spans of pending) this.model.applySpans(spans);
      mark('model-built');
      this.state.traceId = traceId;
      this.tree.show(this.model, {
        expansion: recallExpansion(this.state, traceId),
        selectedKey: selectKey,
        scrollTop: restoring ? this.state.scrollTop : undefined,
        search: restoring ? this.state.search : undefined,
        filter: restoring ? this.state.filter : undefined,
      });
      this.paintTitle();
      mark('rows-painted');
      this.saveSoon();
    } catch (err) {
      if (this.loading?.traceId === traceId) this.loading = undefined;
      this.tree.clear(`Could not load the trace: ${errorText(err)}`);
    }
  }

  private async fetchTrace(traceId: string): Promise<TraceDetail | null> {
    const early = this.prefetch;
    this.prefetch = undefined;
    if (early?.traceId === traceId) {
      try {
        return await early.detail;
      } catch {
        // A host that was not listening yet: fetch again below, now that it said Ready.
      }
    }
    // Watch before fetching, so no change between the two is missed.
    await this.conn.request(WatchTraces, { traceIds: [traceId] });
    return this.conn.request(GetTrace, { traceId });
  }

  private applyChanges(changes: Changes): void {
    if (changes.traces.length) this.list.upsert(changes.traces);
    if (changes.removed.length) this.list.remove(changes.removed);
    const model = this.model;
    for (const group of changes.spans) {
      if (this.loading?.traceId === group.trace_id) this.loading.pending.push(group.spans);
      if (!model || group.trace_id !== model.traceId) continue;
      const result = model.applySpans(group.spans);
      this.tree.applyChanges(result);
      const selected = this.tree.selectedNode;
      if (selected && result.changed.has(model.keyOf(selected))) this.details.show(model, selected);
    }
    const summary = model && changes.traces.find((t) => t.id === model.traceId);
    if (model && summary) this.applySummary(model, summary);
    if (model && changes.removed.includes(model.traceId)) this.traceGone('This trace was deleted.');
    if (!this.model && !this.loading && changes.traces.length && this.list.traces[0])
      void this.openTrace(this.list.traces[0].id);
  }

  private applySummary(model: TraceModel, summary: TraceSummary): void {
    const before = model.trace;
    model.applySummary(summary);
    // The summary carries only previews: when the trace's input or output changed, fetch it whole.
    if (summary.end_time !== before.end_time || (summary.output_preview && before.output === undefined))
      void this.refetchHeader(model);
    this.tree.applyChanges({ structural: false, changed: new Set([TRACE_KEY]) });
    if (this.tree.selectedNode === model.root) this.details.show(model, model.root);
    this.paintTitle();
  }

  private async refetchHeader(model: TraceModel): Promise<void> {
    const detail = await this.conn.request(GetTrace, { traceId: model.traceId }).catch(() => null);
    if (!detail || this.model !== model) return;
    const result = model.applyDetail(detail);
    this.tree.applyChanges(result);
    const selected = this.tree.selectedNode;
    if (selected) this.details.show(model, selected);
    this.paintTitle();
  }

  /** On the next frame, for the latest selection only: rows paint first, key repeat stays fast. */
  private showDetails(node: TreeNode): void {
    cancelAnimationFrame(this.detailsFrame);
    this.detailsFrame = requestAnimationFrame(() => {
      const model = this.model;
      if (model && this.tree.selectedNode === node) this.details.show(model, node);
    });
    // Saved at once, even during key repeat: VS Code keeps a webview's state as last set when a
    // window reload begins, before the page could flush anything on pagehide (the standalone
    // page's storage throttles its own address rewrites).
    this.save();
  }

  private async setScore(patch: ScorePatch): Promise<void> {
    const model = this.model;
    try {
      await this.conn.request(SetScore, patch);
    } catch (err) {
      this.layout.notify(`Could not save the score: ${errorText(err)}`, 'error');
      throw err;
    }
    // Shown at once; the change feed brings the stored truth right after.
    if (!model || model !== this.model) return;
    const node = patch.target === 'trace' ? model.root : model.nodeByKey(patch.id);
    if (!node) return;
    const scores = applyScore(node.span.feedback_scores, patch, nowIso());
    if (patch.target === 'trace') {
      model.updateTrace({ feedback_scores: scores });
      this.tree.repaint();
    } else {
      this.tree.applyChanges(model.applySpans([{ ...node.span, feedback_scores: scores }]));
    }
    const selected = this.tree.selectedNode;
    if (selected) this.details.show(model, selected);
  }

  private async openSource(node: TreeNode): Promise<void> {
    const span = node.span;
    try {
      if (span.code_location) await this.conn.request(OpenSource, span.code_location);
      else if (this.model && node !== this.model.root) {
        const { found } = await this.conn.request(FindSymbol, { name: span.name });
        if (!found)
          this.layout.notify(
            this.info?.host === 'browser'
              ? 'This span has no source location; finding functions needs the editor.'
              : `No function named “${span.name}” in the workspace.`,
          );
      }
    } catch (err) {
      this.layout.notify(`Could not open the source: ${errorText(err)}`, 'error');
    }
  }

  private async deleteTrace(traceId: string): Promise<void> {
    try {
      await this.conn.request(DeleteTraces, { traceIds: [traceId] });
      this.list.remove([traceId]);
      if (this.model?.traceId === traceId) this.traceGone('This trace was deleted.');
    } catch (err) {
      this.layout.notify(`Could not delete the trace: ${errorText(err)}`, 'error');
    }
  }

  /** The open trace is no longer there: nothing of it stays on screen, and an empty store says how to fill it. */
  private traceGone(message: string): void {
    this.model = undefined;
    this.details.clear();
    this.paintTitle();
    if (this.list.traces.length === 0) this.showNoTraces();
    else this.tree.clear(message);
  }

  private showNoTraces(): void {
    this.tree.clear(noTracesHint(this.info, location.origin));
  }

  private paintTitle(): void {
    const t = this.model?.trace;
    if (!t) {
      this.layout.title.textContent = '';
      this.layout.facts.textContent = '';
      return;
    }
    this.layout.title.replaceChildren(
      h('span', { class: `status-dot status-${t.status}`, attrs: { 'aria-hidden': 'true' } }),
      h('span', { text: t.name, title: `${t.name}\n${t.id}` }),
    );
    const duration = t.duration_ms ?? (t.status === 'running' ? Date.now() - Date.parse(t.start_time) : null);
    const facts = [t.project_name, formatDuration(duration), `${formatCount(this.model!.spanCount)} spans`];
    if (t.error_count) facts.push(`${t.error_count} ${t.error_count === 1 ? 'error' : 'errors'}`);
    this.layout.facts.textContent = facts.filter(Boolean).join(' · ');
  }

  private tick(): void {
    this.ticks++;
    const model = this.model;
    if (model?.timeBounds().running || model?.trace.status === 'running') {
      this.tree.tick(Date.now() * 1000);
      const selected = this.tree.selectedNode;
      if (selected?.span.status === 'running' && !model.trace.end_time) this.details.show(model, selected);
      if (this.ticks % 4 === 0) this.paintTitle();
    }
    if (this.ticks % 4 === 0) this.list.tick();
  }

  private rememberCurrent(): void {
    const expansion = this.tree.expansion;
    if (this.model && expansion) rememberExpansion(this.state, this.model.traceId, expansion);
  }

  private saveSoon(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.save(), SAVE_DELAY_MS);
  }

  private save(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    const s = this.state;
    this.rememberCurrent();
    s.traceId = this.model?.traceId ?? this.loading?.traceId ?? s.traceId;
    // Until a trace is shown (at start-up the page waits for Ready, then for the trace), the
    // tree's selection, scroll, search and filter are an empty tree's: keep the ones restored
    // for s.traceId. A save in that wait (the name column's width is set from the state at once)
    // lost the selected span after a window reload whenever the host was slow to answer.
    const model = this.model;
    if (model) {
      const selected = this.tree.selectedNode;
      s.selectedKey = selected ? model.keyOf(selected) : undefined;
      s.scrollTop = this.tree.scrollTop;
      s.search = this.tree.searchQuery || undefined;
      s.filter = this.tree.filterOn || undefined;
    }
    s.traceListHidden = this.layout.isListHidden || undefined;
    s.traceListWidth = this.layout.listWidth;
    s.detailsWidth = this.layout.detailsWidth;
    s.nameColumnWidth = this.tree.columnWidth;
    s.collapsedSections = [...this.collapsedSections];
    this.storage.save(s);
  }
}
