// The trace panel: one webview panel per window, shown from the sidebar, a command or a link,
// and restored after a reload by its serializer.
//
// retainContextWhenHidden is off. A hidden panel with a 100k-span trace would keep its whole
// DOM and heap alive; instead the page keeps its own state (`getState`/`setState`: selected
// trace and span, expanded rows, scroll) and asks for a fresh snapshot with Ready whenever it
// comes back, which the PanelSession answers like a first load. Changes that happen while it
// is hidden are simply in that snapshot.

import * as vscode from 'vscode';
import type { CollectorService } from '../collector/collectorService';
import { Commands, PANEL_VIEW_TYPE } from '../constants';
import { Disposable, toDisposable } from '../lifecycle';
import { errorMessage, type Logger } from '../log';
import type { SettingsWatcher } from '../settingsWatcher';
import type { SourceNavigator } from '../source/sourceNavigator';
import { createNonce, webviewHtml } from '../../shared/webviewHtml';
import { PanelSession } from './panelSession';
import { saveExportWithDialog } from '../logsExport';
import { openDiff } from '../editor/spanDiff';
import { readDatasetFile } from '../replay/datasets';

export class TracePanelHost extends Disposable {
  private panel?: vscode.WebviewPanel;
  private session?: PanelSession;
  /** Disposables of the current panel only. */
  private panelDisposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly service: CollectorService,
    private readonly settings: SettingsWatcher,
    private readonly navigator: SourceNavigator,
    private readonly log: Logger,
  ) {
    super();
    this._register(
      vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel) => {
          try {
            await this.adopt(panel);
          } catch (err) {
            this.log.error(`restoring the trace panel failed: ${errorMessage(err)}`);
            panel.dispose();
          }
        },
      }),
    );
    this._register(toDisposable(() => this.closePanel()));
  }

  get viewColumn(): vscode.ViewColumn | undefined {
    return this.panel?.viewColumn;
  }

  /** Opens (or reveals) the panel; with a trace, brings it into view. */
  async show(target?: { traceId: string; spanId?: string }, options: { preserveFocus?: boolean } = {}): Promise<void> {
    // Opening the traces is a request to see live ones: make sure something is listening.
    void this.service.start();
    if (this.panel) {
      this.panel.reveal(undefined, options.preserveFocus);
    } else {
      const panel = vscode.window.createWebviewPanel(
        PANEL_VIEW_TYPE,
        'Spanscope Traces',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: options.preserveFocus },
        this.webviewOptions(),
      );
      await this.adopt(panel, target);
      return;
    }
    if (target) this.session?.showTrace(target.traceId, target.spanId);
  }

  /** Opens (or reveals) the panel on its Compare tab with two traces. */
  async showCompare(leftTraceId: string, rightTraceId: string): Promise<void> {
    await this.show();
    this.session?.showCompare(leftTraceId, rightTraceId);
  }

  /** Opens (or reveals) the panel on its Logs tab with the rows of a dataset file. */
  async showDataset(uri: vscode.Uri): Promise<void> {
    await this.show();
    this.session?.showDataset(uri.toString());
  }

  private webviewOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: false,
      enableFindWidget: true,
      localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'media', 'dist')],
    };
  }

  private async adopt(panel: vscode.WebviewPanel, target?: { traceId: string; spanId?: string }): Promise<void> {
    this.closePanel();
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'media', 'spanscope.svg');
    panel.webview.options = this.webviewOptions();
    const d = this.panelDisposables;
    // Messages may arrive before the store is open; they wait for the session in order.
    const early: unknown[] = [];
    d.push(panel.webview.onDidReceiveMessage((m) => (this.session ? void this.session.receive(m) : early.push(m))));
    d.push(
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.session?.pageGone();
      }),
    );
    d.push(
      panel.onDidDispose(() => {
        if (this.panel === panel) this.closePanel(false);
      }),
    );
    panel.webview.html = this.html(panel.webview);

    const store = await this.service.getStore();
    if (this.panel !== panel) return; // closed while the store opened
    this.session = new PanelSession({
      store,
      post: (m) => void panel.webview.postMessage(m),
      actions: {
        openSource: (loc) => this.navigator.openLocation(loc),
        findSymbol: (name) => this.navigator.findSymbol(name),
        copyText: async (text) => {
          await vscode.env.clipboard.writeText(text);
        },
        saveExport: (job) => saveExportWithDialog(job, this.log),
        openDiff: (p) => openDiff(p.left, p.right, p.title),
        runSpanCommand: async (p) =>
          void (await vscode.commands.executeCommand(Commands[p.command], p.traceId, p.spanId)),
        // The same command as the Traces view's menu; a target shaped like its tree items.
        compareWith: async (p) =>
          void (await vscode.commands.executeCommand(
            Commands.compareWith,
            p.spanId ? { kind: 'span', traceId: p.traceId, spanId: p.spanId } : { kind: 'trace', traceId: p.traceId },
          )),
        // The same command as the span menus, so its quick pick, messages and errors are one.
        addTracesToDataset: async (traceIds) =>
          void (await vscode.commands.executeCommand(Commands.addToDataset, { traceIds })),
        readDataset: (uri) => readDatasetFile(uri),
      },
      info: () => ({
        host: 'vscode',
        version: String(this.context.extension.packageJSON.version ?? ''),
        scoreDefinitions: this.settings.current.scores,
        thumbsScoreName: this.settings.current.thumbsName,
      }),
    });
    // Before the queued Ready is answered, so the trace goes out in the Ready reply.
    if (target) this.session.showTrace(target.traceId, target.spanId);
    for (const m of early.splice(0)) void this.session.receive(m);
  }

  private html(webview: vscode.Webview): string {
    const dist = vscode.Uri.joinPath(this.context.extensionUri, 'media', 'dist');
    return webviewHtml({
      host: 'vscode',
      cspSource: webview.cspSource,
      nonce: createNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
      title: 'Spanscope Traces',
    });
  }

  private closePanel(dispose = true): void {
    const panel = this.panel;
    this.panel = undefined;
    this.session?.dispose();
    this.session = undefined;
    for (const d of this.panelDisposables.splice(0)) d.dispose();
    if (dispose) panel?.dispose();
  }
}
