// Failed calls in Problems (which ones and where: problemsModel.ts), each with its traceback
// frames as related information and a code action that opens the span in the panel.
// Recomputed at most twice a second while spans arrive, and each minute for the "2 min ago".

import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands, DIAGNOSTIC_SOURCE, Settings } from '../constants';
import { Disposable, toDisposable } from '../lifecycle';
import type { SettingsWatcher } from '../settingsWatcher';
import { Throttle } from '../throttle';
import { LENS_INTERVAL_MS, type FunctionSource } from './functionSource';
import { problemsOf } from './problemsModel';

export class SpanProblems extends Disposable implements vscode.CodeActionProvider {
  private readonly collection = this._register(vscode.languages.createDiagnosticCollection('spanscope'));
  /**
   * The span behind each diagnostic shown, for the code action, by file, line and message: the
   * diagnostics a code action request carries are copies, not the objects set here.
   */
  private spans = new Map<string, { traceId: string; spanId: string }>();
  private readonly throttle = this._register(new Throttle(() => this.update(), LENS_INTERVAL_MS));

  constructor(
    private readonly source: FunctionSource,
    private readonly settings: SettingsWatcher,
  ) {
    super();
    this._register(
      source.onDidChange((keys) => {
        if (keys === 'all' || keys.some((k) => k.ended)) this.throttle.schedule();
      }),
    );
    this._register(settings.onDidChangeAny([Settings.problemsEnabled], () => this.update()));
    this._register(
      vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, this, {
        providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
      }),
    );
    const minute = setInterval(() => this.update(), 60_000);
    this._register(toDisposable(() => clearInterval(minute)));
  }

  update(): void {
    if (!this.settings.current.editor.problems || !this.source.ready) {
      this.collection.clear();
      return;
    }
    const folders = (vscode.workspace.workspaceFolders ?? [])
      .filter((f) => f.uri.scheme === 'file')
      .map((f) => f.uri.fsPath + path.sep);
    const inWorkspace = (file: string) => folders.some((f) => file.startsWith(f));
    const byFile = new Map<string, vscode.Diagnostic[]>();
    this.spans = new Map();
    for (const p of problemsOf(this.source.list('day', 20), inWorkspace, Date.now())) {
      const line = Math.max(0, p.line - 1);
      const d = new vscode.Diagnostic(
        new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER),
        p.message,
        p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
      );
      d.source = DIAGNOSTIC_SOURCE;
      d.relatedInformation = p.frames.map(
        (f) =>
          new vscode.DiagnosticRelatedInformation(
            new vscode.Location(
              vscode.Uri.file(f.file),
              new vscode.Position(Math.max(0, f.line - 1), Math.max(0, (f.column ?? 1) - 1)),
            ),
            f.function ? `in ${f.function}` : 'frame',
          ),
      );
      this.spans.set(spanKey(vscode.Uri.file(p.file), line, p.message), { traceId: p.traceId, spanId: p.spanId });
      const list = byFile.get(p.file);
      if (list) list.push(d);
      else byFile.set(p.file, [d]);
    }
    this.collection.clear();
    this.collection.set([...byFile].map(([file, list]) => [vscode.Uri.file(file), list]));
  }

  provideCodeActions(
    doc: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const out: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      const span =
        d.source === DIAGNOSTIC_SOURCE ? this.spans.get(spanKey(doc.uri, d.range.start.line, d.message)) : undefined;
      if (!span) continue;
      const action = new vscode.CodeAction('Open span in Spanscope', vscode.CodeActionKind.QuickFix);
      action.diagnostics = [d];
      action.command = {
        title: 'Open span in Spanscope',
        command: Commands.openSpan,
        arguments: [span.traceId, span.spanId],
      };
      out.push(action);
    }
    return out;
  }
}

function spanKey(uri: vscode.Uri, line: number, message: string): string {
  return `${uri.toString()}\u0000${line}\u0000${message}`;
}
