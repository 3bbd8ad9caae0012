// The result of a function's last call at the end of its `def`/declaration line, muted (or in
// the error colour for a failure): `→ 1.2 s · 340 tok · "Bonjour! Comment…"`. An edit of the
// file clears its results, as does Clear Inline Results; a call that ends afterwards shows
// again. Decorations are redrawn at most twice a second while spans arrive.

import * as vscode from 'vscode';
import type { RecentCall } from '../../core/functions/functionIndex';
import { Settings } from '../constants';
import { Disposable } from '../lifecycle';
import type { SettingsWatcher } from '../settingsWatcher';
import { Throttle } from '../throttle';
import { TRACKED_LANGUAGES, type DocumentFunctions } from './documentFunctions';
import { LENS_INTERVAL_MS, type FunctionSource } from './functionSource';
import { inlineText } from './functionText';

export class InlineResults extends Disposable {
  private readonly okType = this._register(
    vscode.window.createTextEditorDecorationType({
      after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), fontStyle: 'italic', margin: '0 0 0 2em' },
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    }),
  );
  private readonly errorType = this._register(
    vscode.window.createTextEditorDecorationType({
      after: { color: new vscode.ThemeColor('editorError.foreground'), fontStyle: 'italic', margin: '0 0 0 2em' },
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    }),
  );
  /** Per file: results of calls that ended before this time (ms) are not shown (cleared). */
  private readonly clearedAt = new Map<string, number>();
  private readonly throttle = this._register(new Throttle(() => this.redrawAll(), LENS_INTERVAL_MS));

  constructor(
    source: FunctionSource,
    private readonly docs: DocumentFunctions,
    private readonly settings: SettingsWatcher,
  ) {
    super();
    this._register(
      source.onDidChange((keys) => {
        if (keys === 'all' || keys.some((k) => k.ended)) this.throttle.schedule();
      }),
    );
    this._register(vscode.window.onDidChangeVisibleTextEditors(() => this.throttle.schedule()));
    this._register(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length === 0 || !TRACKED_LANGUAGES.includes(e.document.languageId)) return;
        this.clear(e.document);
      }),
    );
    this._register(settings.onDidChangeAny([Settings.inlineResultsEnabled], () => this.redrawAll()));
  }

  /** Clears the results shown in `doc` (every visible document when none is given). */
  clear(doc?: vscode.TextDocument): void {
    const now = Date.now();
    const docs = doc ? [doc] : vscode.window.visibleTextEditors.map((e) => e.document);
    for (const d of docs) this.clearedAt.set(d.uri.toString(), now);
    this.redrawAll();
  }

  private redrawAll(): void {
    for (const editor of vscode.window.visibleTextEditors) this.redraw(editor);
  }

  private redraw(editor: vscode.TextEditor): void {
    const doc = editor.document;
    if (!this.settings.current.editor.inlineResults || !TRACKED_LANGUAGES.includes(doc.languageId)) {
      editor.setDecorations(this.okType, []);
      editor.setDecorations(this.errorType, []);
      return;
    }
    const cleared = this.clearedAt.get(doc.uri.toString()) ?? -Infinity;
    const ok: vscode.DecorationOptions[] = [];
    const failed: vscode.DecorationOptions[] = [];
    for (const p of this.docs.placed(doc, 'all', 3)) {
      const call = lastEnded(p.summary.recent);
      if (!call || endMs(call) < cleared) continue;
      const end = doc.lineAt(p.line).range.end;
      const option: vscode.DecorationOptions = {
        range: new vscode.Range(end, end),
        renderOptions: { after: { contentText: inlineText(call) } },
      };
      (call.status === 'error' ? failed : ok).push(option);
    }
    editor.setDecorations(this.okType, ok);
    editor.setDecorations(this.errorType, failed);
  }
}

function lastEnded(recent: readonly RecentCall[]): RecentCall | undefined {
  return recent.find((c) => c.status !== 'running');
}

function endMs(call: RecentCall): number {
  return Date.parse(call.start_time) + (call.duration_ms ?? 0);
}
