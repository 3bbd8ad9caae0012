// Commands about the collector itself (log, restart, the browser page) and the message that
// tells a person when it could not start, with the ways out: another port, retry, the log.

import * as vscode from 'vscode';
import type { CollectorService } from '../collector/collectorService';
import { Commands, Settings } from '../constants';
import type { Logger } from '../log';

const CHANGE_PORT = 'Choose Another Port…';
const RETRY = 'Retry';
const SHOW_LOG = 'Show Log';

export function registerCollectorCommands(
  service: CollectorService,
  output: vscode.OutputChannel,
  log: Logger,
): vscode.Disposable[] {
  const showProblem = async () => {
    const state = service.state;
    if (state.phase !== 'error') return vscode.commands.executeCommand(Commands.openTraces);
    const choice = await vscode.window.showErrorMessage(state.message, CHANGE_PORT, RETRY, SHOW_LOG);
    if (choice === CHANGE_PORT) await vscode.commands.executeCommand('workbench.action.openSettings', Settings.port);
    else if (choice === RETRY) await service.restart();
    else if (choice === SHOW_LOG) output.show(true);
  };

  return [
    vscode.commands.registerCommand(Commands.showLog, () => output.show(true)),
    vscode.commands.registerCommand(Commands.restartCollector, () => {
      log.info('restarting the collector');
      return service.restart();
    }),
    vscode.commands.registerCommand(Commands.showCollectorProblem, showProblem),
    vscode.commands.registerCommand(Commands.openInBrowser, async () => {
      await service.start();
      const state = service.state;
      if (state.phase !== 'listening') return showProblem();
      // The token in the query lets the page read; the collector turns it into a cookie.
      const url = `${state.url.replace(/\/+$/, '')}/?token=${encodeURIComponent(service.token)}`;
      if (vscode.env.uiKind === vscode.UIKind.Web || vscode.env.remoteName) {
        // Here VS Code would route the link through its port forwarding, which drops the query
        // (and with it the token) and serves the page under a path prefix it does not expect.
        log.info(`the trace viewer is at ${state.url}/ (with this window's token); offering to copy the address`);
        const copy = await vscode.window.showInformationMessage(
          `The trace viewer runs at ${state.url} on the machine of this window's extensions, which this browser can not open directly. Copy its address (with the token) to open it there.`,
          'Copy Address',
        );
        if (copy) await vscode.env.clipboard.writeText(url);
        return;
      }
      log.info(`opening the trace viewer at ${state.url}/ in the browser`);
      await vscode.env.openExternal(vscode.Uri.parse(url, true));
    }),
    // Say it once when it happens, not only in the status bar.
    service.onDidChangeState((state) => {
      if (state.phase === 'error') void showProblem();
    }),
  ];
}
