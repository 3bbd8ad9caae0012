// Spanscope's entry point. Activation only wires things up; nothing here touches the disk or
// the network, so it stays well under VS Code's budget. The collector (and with it the store)
// starts right after activation returns when `spanscope.autoStart` is on, so the terminal
// environment is in place before the user runs a script; otherwise when a view or command
// first needs it.

import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type * as Backend from './backend';
import { type DeclaredTool, registerAgentTools } from './agentTools';
import { CollectorService } from './collector/collectorService';
import { registerCollectorCommands } from './commands/collectorCommands';
import { registerTraceCommands } from './commands/traceCommands';
import { ContextKeys, OUTPUT_CHANNEL_NAME, Settings, VSCODE_TOOL_PREFIX } from './constants';
import { TracePanelHost } from './panel/tracePanel';
import { registerScoring } from './scoring/scoringCommands';
import { SettingsWatcher } from './settingsWatcher';
import { SourceNavigator } from './source/sourceNavigator';
import { registerStatusBar } from './statusBar';
import { registerTerminalEnvironment } from './terminalEnv';
import { TracesView } from './tree/tracesView';
import { registerTraceLinks } from './traceLinkHandlers';
import { registerEditorFeatures } from './editor/editorFeatures';
import { registerReplayCommands } from './replay/replayCommands';

let service: CollectorService | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const output = vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME, { log: true });
  const log = {
    info: (m: string) => output.info(m),
    warn: (m: string) => output.warn(m),
    error: (m: string) => output.error(m),
  };
  const settings = new SettingsWatcher();
  const version = String(context.extension.packageJSON.version ?? '0.0.0');

  service = new CollectorService({
    backend: { openStore: (o) => loadBackend().openStore(o), startCollector: (o) => loadBackend().startCollector(o) },
    storageDir: (context.storageUri ?? context.globalStorageUri).fsPath,
    windowKey: process.pid,
    // The extension host reads the store directly; the token is for this window's browser page.
    token: randomBytes(24).toString('base64url'),
    version,
    log,
    settings: () => ({
      port: settings.current.port,
      otlpGrpcPort: settings.current.otlpGrpcPort,
      maxTraces: settings.current.maxTraces,
      maxBytes: settings.current.maxBytes,
      proxy: settings.current.proxy,
    }),
  });
  // The navigator opens files beside the panel, and the panel opens files through it.
  let panel: TracePanelHost | undefined;
  const navigator = new SourceNavigator(() => panel?.viewColumn, log);
  panel = new TracePanelHost(context, service, settings, navigator, log);
  const view = new TracesView(service, settings, log);

  context.subscriptions.push(
    output,
    settings,
    service,
    navigator,
    panel,
    view,
    ...registerStatusBar(service),
    ...registerTerminalEnvironment(context, service, settings, log),
    ...registerTraceCommands({ service, view, panel, navigator, log }),
    ...registerScoring(service, view, settings),
    ...registerCollectorCommands(service, output, log),
    ...registerTraceLinks(panel, service, log),
    ...registerCollectorLifecycle(service, settings, log),
    ...registerAgentTools({
      declared: declaredTools(context),
      service,
      settings,
      run: (name, input) => runAgentTool(name, input, log),
      extensionPath: context.extensionPath,
      version,
      log,
    }),
    ...registerEditorFeatures({
      service,
      settings,
      panel,
      view,
      log,
      functionIndexOf: (store) => loadBackend().functionIndexOf(store),
    }),
    ...registerReplayCommands(context, service, view, panel, log),
  );

  for (const problem of settings.current.scoreProblems) log.warn(`${problem}; that entry is skipped`);
  if (settings.current.autoStart) setTimeout(() => void service?.start(), 0);
  log.info(`Spanscope ${version} activated in ${(performance.now() - started).toFixed(1)} ms`);
}

/**
 * The collector and store bundle (dist/backend.js), required on first use. The path is built
 * at run time so esbuild leaves the require alone instead of inlining the bundle here.
 */
function loadBackend(): typeof Backend {
  return require(path.join(__dirname, 'backend.js')) as typeof Backend;
}

/** The language-model tools package.json declares (VS Code has parsed it already). */
function declaredTools(context: vscode.ExtensionContext): DeclaredTool[] {
  const tools: unknown = context.extension.packageJSON?.contributes?.languageModelTools;
  return Array.isArray(tools)
    ? tools.filter((t): t is DeclaredTool => typeof t?.name === 'string' && t.name.startsWith(VSCODE_TOOL_PREFIX))
    : [];
}

/** Runs an agent tool over this window's store and collector (the handlers are in the backend bundle). */
function runAgentTool(name: string, input: unknown, log: { error(m: string): void }) {
  const backend = loadBackend();
  const s = service;
  if (!s) return Promise.resolve({ text: 'Spanscope is shutting down', isError: true });
  const reader = backend.inProcessReader(
    () => s.getStore(),
    () => (s.state.phase === 'listening' ? { url: s.state.url, token: s.token } : undefined),
  );
  return backend.runAgentTool(name, input, reader, (err) =>
    log.error(`agent tool ${name} failed: ${(err as Error)?.stack ?? err}`),
  );
}

/** Flushes the store and closes the collector; VS Code waits for the promise. */
export async function deactivate(): Promise<void> {
  const s = service;
  service = undefined;
  await s?.shutdown();
}

function registerCollectorLifecycle(
  s: CollectorService,
  settings: SettingsWatcher,
  log: { info(m: string): void },
): vscode.Disposable[] {
  const setState = () => void vscode.commands.executeCommand('setContext', ContextKeys.collectorState, s.state.phase);
  // Until the deferred start runs, say "starting" rather than flash "not running".
  void vscode.commands.executeCommand(
    'setContext',
    ContextKeys.collectorState,
    settings.current.autoStart ? 'starting' : s.state.phase,
  );
  return [
    s.onDidChangeState(setState),
    settings.onDidChangeAny([Settings.autoStart], () => {
      if (settings.current.autoStart && s.state.phase === 'stopped') void s.start();
    }),
    settings.onDidChangeAny([Settings.maxTraces, Settings.maxStorageMB], () => s.applyRetention()),
    settings.onDidChangeAny([Settings.port, Settings.otlpGrpcPort], () => {
      if (s.state.phase === 'stopped') return;
      log.info(
        `spanscope.port is now ${settings.current.port}, spanscope.otlpGrpcPort ${settings.current.otlpGrpcPort}; restarting the collector`,
      );
      void s.restart();
    }),
    settings.onDidChangeAny([Settings.proxyUpstream, Settings.proxyCacheMaxMB], () => {
      if (s.state.phase === 'stopped') return;
      log.info(`the AI proxy now sends calls to ${settings.current.proxy.upstream}; restarting the collector`);
      void s.restart();
    }),
  ];
}
