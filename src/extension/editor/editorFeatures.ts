// Where the trace reaches the code: CodeLens, inline results, hovers and Problems on tracked
// functions, and compare in the diff editor. Activation only registers providers and commands
// (no store, no index, no document scan); all of it wakes when the store opens.

import * as vscode from 'vscode';
import type { FunctionIndex } from '../../core/functions/functionIndex';
import type { TraceStoreApi } from '../../store/types';
import type { CollectorService } from '../collector/collectorService';
import { pickTrace, targetsOf } from '../commands/targets';
import { Commands } from '../constants';
import { errorMessage, type Logger } from '../log';
import type { TracePanelHost } from '../panel/tracePanel';
import type { SettingsWatcher } from '../settingsWatcher';
import type { TreeNode } from '../tree/tracesTreeModel';
import type { TracesView } from '../tree/tracesView';
import { DocumentFunctions } from './documentFunctions';
import { registerFunctionHover } from './functionHover';
import { chooseStatsWindow, FunctionLenses, showFunctionCalls } from './functionLenses';
import { FunctionSource } from './functionSource';
import { InlineResults } from './inlineResults';
import { compareTargets, compareWithPrevious, registerSpanDocuments } from './spanDiff';
import { SpanProblems } from './spanProblems';

interface Deps {
  service: CollectorService;
  settings: SettingsWatcher;
  panel: TracePanelHost;
  view: TracesView;
  log: Logger;
  /** The backend bundle's functionIndexOf: the index the collector's routes use too. */
  functionIndexOf(store: TraceStoreApi): FunctionIndex;
}

export function registerEditorFeatures(d: Deps): vscode.Disposable[] {
  const source = new FunctionSource(d.service, d.functionIndexOf);
  const docs = new DocumentFunctions(source);
  const store = () => d.service.getStore();
  const inline = new InlineResults(source, docs, d.settings);
  const problems = new SpanProblems(source, d.settings);
  const openSpan = (traceId: string, spanId: string) => d.panel.show({ traceId, spanId });
  // biome-ignore lint/suspicious/noExplicitAny: VS Code passes command arguments untyped; each command states its own
  const command = (id: string, run: (...args: any[]) => unknown) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        await run(...args);
      } catch (err) {
        d.log.error(`${id}: ${errorMessage(err)}`);
        void vscode.window.showErrorMessage(errorMessage(err));
      }
    });

  return [
    source,
    new FunctionLenses(source, docs, d.settings),
    inline,
    problems,
    registerFunctionHover(docs, d.settings, store),
    registerSpanDocuments(store),
    command(Commands.showFunctionCalls, (file: string | null, fn: string) =>
      showFunctionCalls(source, d.settings.current.editor.window, { file, function: fn }, openSpan),
    ),
    command(Commands.chooseStatsWindow, () => chooseStatsWindow(d.settings.current.editor.window)),
    command(Commands.clearInlineResults, () => inline.clear()),
    command(Commands.openSpan, (traceId: string, spanId: string) => openSpan(String(traceId), String(spanId))),
    command(Commands.compareWithPrevious, async (file?: string | null, fn?: string) => {
      const key = typeof fn === 'string' ? { file: file ?? null, function: fn } : functionAtCursor(docs, d.settings);
      if (!key)
        return vscode.window.showInformationMessage(
          'Put the cursor in a function Spanscope has calls of, then run Compare with Previous Call.',
        );
      await compareWithPrevious(source, key);
    }),
    command(Commands.compareWith, async (node?: TreeNode, nodes?: TreeNode[]) => {
      const s = await store();
      const [first, second] = targetsOf(d.view, node, nodes);
      const showTraces = (left: string, right: string) => d.panel.showCompare(left, right);
      if (first) return compareTargets(s, source, showTraces, first, second);
      // From the palette with nothing selected: both traces picked from lists.
      const picked = await pickTrace(s, 'Compare which trace?');
      if (picked) await compareTargets(s, source, showTraces, { kind: 'trace', traceId: picked.id, summary: picked });
    }),
  ];
}

/** The tracked function whose definition is nearest above the cursor in the active editor. */
function functionAtCursor(docs: DocumentFunctions, settings: SettingsWatcher) {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const line = editor.selection.active.line;
  const above = docs
    .placed(editor.document, settings.current.editor.window, 0)
    .filter((p) => p.line <= line)
    .pop();
  return above && { file: above.summary.file, function: above.summary.function };
}
