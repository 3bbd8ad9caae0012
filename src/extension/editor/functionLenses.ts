// CodeLens above every function that has spans, with its statistics over the window the
// user picked; a click lists the recent calls and opens the one picked in the panel. Lenses
// are recomputed from the index on each request (cheap: see bench/lenses.ts), and VS Code is
// told to ask again at most twice a second while spans arrive.

import * as vscode from 'vscode';
import { STATS_WINDOWS, type StatsWindow } from '../../core/functions/callStats';
import type { FunctionKey } from '../../core/functions/functionCall';
import { Commands, Settings } from '../constants';
import { Disposable } from '../lifecycle';
import type { SettingsWatcher } from '../settingsWatcher';
import { Throttle } from '../throttle';
import type { DocumentFunctions } from './documentFunctions';
import { TRACKED_SELECTOR } from './documentFunctions';
import { LENS_INTERVAL_MS, type FunctionSource } from './functionSource';
import { callPickItem, lensTitle, WINDOW_LABELS } from './functionText';

export class FunctionLenses extends Disposable implements vscode.CodeLensProvider {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly throttle = this._register(new Throttle(() => this.changed.fire(), LENS_INTERVAL_MS));

  constructor(
    source: FunctionSource,
    private readonly docs: DocumentFunctions,
    private readonly settings: SettingsWatcher,
  ) {
    super();
    this._register(vscode.languages.registerCodeLensProvider(TRACKED_SELECTOR, this));
    this._register(
      source.onDidChange((keys) => {
        // A call that only started changes no lens (they count ended calls): its end will.
        const settled = keys === 'all' ? keys : keys.filter((k) => k.ended);
        if (
          settled === 'all' ||
          (settled.length && vscode.window.visibleTextEditors.some((e) => this.docs.concerns(e.document, settled)))
        )
          this.throttle.schedule();
      }),
    );
    this._register(
      settings.onDidChangeAny([Settings.codeLensEnabled, Settings.statsWindow], () => this.changed.fire()),
    );
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const { codeLens, window } = this.settings.current.editor;
    if (!codeLens) return [];
    return this.docs.placed(doc, window, 0).map((p) => {
      const range = new vscode.Range(p.line, 0, p.line, 0);
      return new vscode.CodeLens(range, {
        title: lensTitle(p.summary, window),
        tooltip: `Spanscope: calls of ${p.summary.function} in ${WINDOW_LABELS[window]}. Click for the recent calls.`,
        command: Commands.showFunctionCalls,
        arguments: [p.summary.file, p.summary.function],
      });
    });
  }
}

/** The lens's click: the function's recent calls in a quick pick; the one picked opens in the panel. */
export async function showFunctionCalls(
  source: FunctionSource,
  window: StatsWindow,
  key: FunctionKey,
  open: (traceId: string, spanId: string) => Promise<void>,
): Promise<void> {
  // The window's calls first; when it has none (an older run), every call kept.
  let f = source.get(key, window, 50);
  if (!f?.recent.length) f = source.get(key, 'all', 50);
  if (!f?.recent.length) {
    void vscode.window.showInformationMessage(`Spanscope has no calls of ${key.function} any more.`);
    return;
  }
  const now = Date.now();
  // Each call also offers the replay commands as buttons (Debug This Call, Save as Test).
  const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { call: (typeof f.recent)[number] }>();
  pick.items = f.recent.map((call) => ({ ...callPickItem(call, now), call, buttons: CALL_BUTTONS }));
  pick.title = `Recent calls of ${key.function}`;
  pick.placeholder = 'Pick a call to open it in Spanscope (newest first)';
  pick.matchOnDescription = pick.matchOnDetail = true;
  const picked = await new Promise<(typeof pick.items)[number] | undefined>((resolve) => {
    pick.onDidAccept(() => resolve(pick.selectedItems[0]));
    pick.onDidHide(() => resolve(undefined));
    pick.onDidTriggerItemButton((e) => {
      pick.hide();
      void vscode.commands.executeCommand(
        (e.button as (typeof CALL_BUTTONS)[number]).command,
        e.item.call.trace_id,
        e.item.call.span_id,
      );
    });
    pick.show();
  });
  pick.dispose();
  if (picked) await open(picked.call.trace_id, picked.call.span_id);
}

const CALL_BUTTONS = [
  { iconPath: new vscode.ThemeIcon('debug-alt'), tooltip: 'Debug This Call', command: Commands.debugCall },
  { iconPath: new vscode.ThemeIcon('beaker'), tooltip: 'Save as Test', command: Commands.saveAsTest },
];

/** Lets the user pick the statistics' window; saved in the user settings. */
export async function chooseStatsWindow(current: StatsWindow): Promise<void> {
  const picked = await vscode.window.showQuickPick(
    STATS_WINDOWS.map((w) => ({
      label: WINDOW_LABELS[w],
      description: w === current ? 'current' : undefined,
      window: w,
    })),
    { title: 'Function statistics over…', placeHolder: 'The calls CodeLens statistics cover' },
  );
  if (picked)
    await vscode.workspace
      .getConfiguration()
      .update(Settings.statsWindow, picked.window, vscode.ConfigurationTarget.Global);
}
