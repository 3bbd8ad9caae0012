// Points the integrated terminal at this window's collector, so a script started there
// reports with no set-up. The collection persists across reloads (VS Code's default), so a
// terminal restored at start-up has the variables before the collector is back; when the
// port moves, VS Code marks old terminals as needing a relaunch.

import * as path from 'node:path';
import * as fs from 'node:fs';
import type * as vscode from 'vscode';
import type { CollectorService } from './collector/collectorService';
import { Settings } from './constants';
import type { Logger } from './log';
import type { SettingsWatcher } from './settingsWatcher';
import { describePlan, terminalEnvironment } from './terminalEnvModel';

export function registerTerminalEnvironment(
  context: vscode.ExtensionContext,
  service: CollectorService,
  settings: SettingsWatcher,
  log: Logger,
): vscode.Disposable[] {
  const collection = context.environmentVariableCollection;
  const sdkDir = path.join(context.extensionPath, 'sdk', 'python');
  let lastUrl: string | undefined;
  let sdkChecked: boolean | undefined;

  const apply = () => {
    const state = service.state;
    // While starting or failed, keep what the terminal had: a restored terminal is most
    // likely right, and an emptied one would silently lose its traces.
    if (state.phase === 'starting' || state.phase === 'error') return;
    const url = state.phase === 'listening' ? state.url : undefined;
    const t = settings.current.terminal;
    if (t.pythonPath && sdkChecked === undefined) {
      sdkChecked = fs.existsSync(path.join(sdkDir, 'spanscope'));
      if (!sdkChecked) log.warn(`the bundled Python SDK is missing at ${sdkDir}; PYTHONPATH is left alone`);
    }
    const plan = terminalEnvironment({
      enabled: t.enabled,
      url,
      pythonSdkDir: t.pythonPath && sdkChecked ? sdkDir : undefined,
      opik: t.opik,
      otel: t.otel,
      openai: t.openai,
      braintrust: t.braintrust,
      hasBraintrustKey: Boolean(process.env.BRAINTRUST_API_KEY),
      grpcPort: state.phase === 'listening' ? state.grpcPort : undefined,
      delimiter: path.delimiter,
    });
    collection.clear();
    for (const [name, value] of Object.entries(plan.replace)) collection.replace(name, value);
    for (const [name, value] of Object.entries(plan.prepend)) collection.prepend(name, value);
    collection.description = describePlan(plan);
    if (url !== lastUrl) {
      lastUrl = url;
      log.info(
        url
          ? `terminal environment: ${Object.keys({ ...plan.replace, ...plan.prepend }).join(', ')} → ${url}`
          : 'terminal environment cleared (collector stopped)',
      );
    }
  };

  // Without auto-start nothing listens yet: drop what the last session left in the collection.
  if (!settings.current.autoStart) apply();
  return [
    service.onDidChangeState(apply),
    settings.onDidChangeAny(
      [
        Settings.terminalEnabled,
        Settings.terminalPythonPath,
        Settings.terminalOpikEnv,
        Settings.terminalOtelEnv,
        Settings.terminalOpenaiEnv,
        Settings.terminalBraintrustEnv,
      ],
      apply,
    ),
  ];
}
