// The Traces view in the Spanscope sidebar. The data and its looks come from the pure
// TracesTreeModel; this file wires them to a vscode TreeView, redraws only what a (throttled)
// batch of store changes touched, and owns the view's filter.

import * as vscode from 'vscode';
import type { CollectorService } from '../collector/collectorService';
import { Commands, ContextKeys, Settings, Views } from '../constants';
import { Disposable, toDisposable } from '../lifecycle';
import type { Logger } from '../log';
import { PendingChanges } from '../panel/pendingChanges';
import type { SettingsWatcher } from '../settingsWatcher';
import { Throttle } from '../throttle';
import { TracesTreeModel, type TreeNode } from './tracesTreeModel';

/** Traces listed per project; the panel lists all. */
const TRACES_PER_PROJECT = 500;
/** A few redraws a second at most, however fast spans arrive. */
const REDRAW_INTERVAL_MS = 300;

export class TracesView extends Disposable implements vscode.TreeDataProvider<TreeNode> {
  private readonly changeEmitter = this._register(new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>());
  readonly onDidChangeTreeData = this.changeEmitter.event;
  readonly treeView: vscode.TreeView<TreeNode>;
  model?: TracesTreeModel;
  private readonly pending = new PendingChanges();
  private readonly redraw = this._register(new Throttle(() => this.applyPending(), REDRAW_INTERVAL_MS));

  constructor(
    private readonly service: CollectorService,
    private readonly settings: SettingsWatcher,
    private readonly log: Logger,
  ) {
    super();
    this.treeView = this._register(
      vscode.window.createTreeView(Views.traces, {
        treeDataProvider: this,
        canSelectMany: true,
        showCollapseAll: true,
      }),
    );
    this._register(
      this.treeView.onDidCollapseElement((e) => {
        if (e.element.kind === 'trace') this.model?.unload(e.element.traceId);
      }),
    );
    this._register(
      service.whenStoreOpen((store) => {
        const model = (this.model = new TracesTreeModel(store, {
          tracesPerProject: TRACES_PER_PROJECT,
          thumbsName: () => this.settings.current.thumbsName,
        }));
        this._register(
          toDisposable(
            store.onChange((change) => {
              this.pending.add(change, model.loadedTraces);
              this.redraw.schedule();
            }),
          ),
        );
        this.changeEmitter.fire(undefined);
      }),
    );
    this._register(settings.onDidChangeAny([Settings.feedbackScoreName], () => this.refresh()));
    void vscode.commands.executeCommand('setContext', ContextKeys.tracesFiltered, false);
  }

  refresh(): void {
    this.pending.clear();
    this.changeEmitter.fire(undefined);
  }

  get filter(): string | undefined {
    return this.model?.filter;
  }

  setFilter(text: string | undefined): void {
    const filter = text?.trim() || undefined;
    if (!this.model) return;
    this.model.filter = filter;
    this.treeView.description = filter ? `filter: ${filter}` : undefined;
    this.treeView.message = filter ? `Traces matching “${filter}” (name, project, status, id or tag).` : undefined;
    void vscode.commands.executeCommand('setContext', ContextKeys.tracesFiltered, Boolean(filter));
    this.refresh();
  }

  /** The nodes a command applies to: the one it was invoked on (and the others selected with it), else the selection. */
  targets(node?: TreeNode, nodes?: readonly TreeNode[]): TreeNode[] {
    if (node && nodes?.includes(node)) return [...nodes];
    if (node) return [node];
    return [...this.treeView.selection];
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const v = this.model?.view(node);
    if (!v) return new vscode.TreeItem('(no longer stored)');
    const state = !v.collapsible
      ? vscode.TreeItemCollapsibleState.None
      : node.kind === 'project'
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem({ label: v.label, highlights: v.highlights }, state);
    item.id = nodeId(node);
    item.description = v.description;
    item.iconPath = new vscode.ThemeIcon(v.icon.id, v.icon.color ? new vscode.ThemeColor(v.icon.color) : undefined);
    item.contextValue = v.contextValue;
    item.accessibilityInformation = { label: [v.label, v.description].filter(Boolean).join(', ') };
    if (node.kind === 'trace' || node.kind === 'span') {
      item.command = {
        command: Commands.openInPanel,
        title: 'Open in Panel',
        arguments: [node, undefined, { preserveFocus: true }],
      };
    } else if (node.kind === 'more') {
      item.command = { command: Commands.openTraces, title: 'Open Traces' };
    }
    return item;
  }

  /** Tooltips are built on hover only: a list of 500 traces need not build 500 of them. */
  resolveTreeItem(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
    const v = this.model?.view(node);
    if (v) {
      const md = new vscode.MarkdownString(v.tooltip);
      md.isTrusted = false;
      md.supportHtml = false;
      item.tooltip = md;
    }
    return item;
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (!this.model) {
      // The view is open before the store: open it now (the collector starts separately).
      await this.service
        .getStore()
        .catch((err) =>
          this.log.error(`the Traces view could not open the store: ${err instanceof Error ? err.message : err}`),
        );
      if (!this.model) return [];
    }
    const model = this.model;
    if (!node) return model.roots();
    switch (node.kind) {
      case 'project':
        return model.traces(node.name);
      case 'trace':
        return model.spans(node.traceId);
      case 'span':
        return model.spanChildren(node);
      default:
        return [];
    }
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return this.model?.parentOf(node);
  }

  private applyPending(): void {
    const batch = this.pending.take();
    if (!batch || !this.model) return;
    const plan = this.model.applyChange({
      traces: batch.traces,
      removed: batch.removed,
      spans: new Map(batch.spans.map((s) => [s.trace_id, s.spans])),
    });
    if (plan.all) this.changeEmitter.fire(undefined);
    else if (plan.nodes.length) this.changeEmitter.fire(plan.nodes);
  }
}

function nodeId(node: TreeNode): string {
  switch (node.kind) {
    case 'project':
      return `project:${node.name}`;
    case 'trace':
      return `trace:${node.traceId}`;
    case 'span':
      return `span:${node.traceId}/${node.spanId}`;
    case 'more':
      return `more:${node.project}`;
  }
}
