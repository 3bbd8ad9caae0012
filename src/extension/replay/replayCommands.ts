// The commands that take a span back to running code: Save as Test, Debug This Call, Add to
// Dataset, Replay LLM Call (and Run, on its document). Each works from a Traces view item, the panel, a CodeLens quick
// pick (trace id, span id), or the palette on the view's selection; Add to Dataset also from the
// Logs tab's selection of traces. Open Dataset shows a dataset file in the panel's Logs tab.

import * as vscode from 'vscode';
import type { CollectorService } from '../collector/collectorService';
import { Commands } from '../constants';
import { errorMessage, type Logger } from '../log';
import type { TracePanelHost } from '../panel/tracePanel';
import type { TracesView } from '../tree/tracesView';
import { addToDataset, chooseDataset } from './datasets';
import { datasetRowsOf } from './datasetsModel';
import { debugCall } from './debugCall';
import { openLlmReplay, registerReplayLens, runLlmReplay } from './llmReplayRunner';
import { saveAsTest } from './saveAsTest';
import { refsOf, spansOf } from './spanTarget';

const DEFAULT_COLLECTOR = 'http://127.0.0.1:7726';

export function registerReplayCommands(
  context: vscode.ExtensionContext,
  service: CollectorService,
  view: TracesView,
  panel: TracePanelHost,
  log: Logger,
): vscode.Disposable[] {
  const collectorUrl = () => (service.state.phase === 'listening' ? service.state.url : undefined);
  const command = (id: string, run: (...args: unknown[]) => Promise<unknown>) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        await run(...args);
      } catch (err) {
        log.error(`${id}: ${errorMessage(err)}`);
        void vscode.window.showErrorMessage(errorMessage(err));
      }
    });
  const one = async (args: unknown[], what: string) => {
    const [pick] = await spansOf(await service.getStore(), view, args);
    if (!pick)
      void vscode.window.showInformationMessage(
        `Select a span in the Spanscope Traces view (or a call in a CodeLens's list) to ${what}.`,
      );
    return pick;
  };

  return [
    command(Commands.saveAsTest, async (...args) => {
      const pick = await one(args, 'save as a test');
      if (pick) await saveAsTest(pick, collectorUrl() ?? DEFAULT_COLLECTOR);
    }),
    command(Commands.debugCall, async (...args) => {
      const pick = await one(args, 'debug');
      if (pick)
        await debugCall(pick, {
          store: () => service.getStore(),
          collectorUrl,
          harnessDir: vscode.Uri.joinPath(context.globalStorageUri, 'replay'),
        });
    }),
    command(Commands.addToDataset, async (...args) =>
      addToDataset(await datasetRowsOf(await service.getStore(), refsOf(view, args))),
    ),
    command(Commands.openDataset, async (uri) => {
      const file = await chooseDataset(uri);
      if (file) await panel.showDataset(file);
    }),
    command(Commands.replayLlmCall, async (...args) => {
      const pick = await one(args, 'replay');
      if (pick) await openLlmReplay(pick);
    }),
    command(Commands.runLlmReplay, async (uri) =>
      runLlmReplay(
        { secrets: context.secrets, store: () => service.getStore(), collectorUrl },
        uri instanceof vscode.Uri ? uri : undefined,
      ),
    ),
    registerReplayLens(),
  ];
}
