// Every identifier the extension shares with package.json, declared once. package.json's
// `contributes` must name exactly these (test/extension/constants.test.ts checks it), so a
// renamed command can not leave a dead menu entry behind. No `vscode` import: the test runs
// in plain Node.

export const EXTENSION_ID = 'spanscope.spanscope';

export const Commands = {
  openTraces: 'spanscope.openTraces',
  openInPanel: 'spanscope.openInPanel',
  goToSource: 'spanscope.goToSource',
  copyInput: 'spanscope.copyInput',
  copyOutput: 'spanscope.copyOutput',
  copyId: 'spanscope.copyId',
  deleteTrace: 'spanscope.deleteTrace',
  exportTrace: 'spanscope.exportTrace',
  filterTraces: 'spanscope.filterTraces',
  clearFilter: 'spanscope.clearFilter',
  clearTraces: 'spanscope.clearTraces',
  refreshTraces: 'spanscope.refreshTraces',
  score: 'spanscope.score',
  thumbsUp: 'spanscope.thumbsUp',
  thumbsDown: 'spanscope.thumbsDown',
  showLog: 'spanscope.showLog',
  restartCollector: 'spanscope.restartCollector',
  openInBrowser: 'spanscope.openInBrowser',
  /** Run by a click on the status bar item when the collector failed; not in the palette. */
  showCollectorProblem: 'spanscope.showCollectorProblem',
  /** A CodeLens's click: the recent calls of one function (args: file or null, function). */
  showFunctionCalls: 'spanscope.showFunctionCalls',
  chooseStatsWindow: 'spanscope.chooseStatsWindow',
  clearInlineResults: 'spanscope.clearInlineResults',
  /** Hover links and code actions: one span in the panel, selected (args: trace id, span id). */
  openSpan: 'spanscope.openSpan',
  compareWith: 'spanscope.compareWith',
  /** The latest call of a function against the one before (args: file or null, function; else the function at the cursor). */
  compareWithPrevious: 'spanscope.compareWithPrevious',
  /** Span commands (args: a Traces view item, or trace id and span id). */
  saveAsTest: 'spanscope.saveAsTest',
  debugCall: 'spanscope.debugCall',
  addToDataset: 'spanscope.addToDataset',
  /** A `.spanscope/datasets/*.jsonl` file in the panel's Logs tab (arg: its URI, else a quick pick). */
  openDataset: 'spanscope.openDataset',
  /** An llm span's messages and parameters in an editable document. */
  replayLlmCall: 'spanscope.replayLlmCall',
  /** Sends the replay document in the active editor (or given by URI) through the AI proxy. */
  runLlmReplay: 'spanscope.runLlmReplay',
} as const;

export const ViewContainers = { spanscope: 'spanscope' } as const;

export const Views = { traces: 'spanscope.traces' } as const;

/** The webview panel's type: the serializer and `onWebviewPanel:` activation use it. */
export const PANEL_VIEW_TYPE = 'spanscope.tracePanel';

export const Settings = {
  port: 'spanscope.port',
  autoStart: 'spanscope.autoStart',
  scores: 'spanscope.scores',
  feedbackScoreName: 'spanscope.feedbackScoreName',
  maxTraces: 'spanscope.maxTraces',
  maxStorageMB: 'spanscope.maxStorageMB',
  terminalEnabled: 'spanscope.terminal.enabled',
  terminalPythonPath: 'spanscope.terminal.pythonPath',
  terminalOpikEnv: 'spanscope.terminal.opikEnv',
  terminalOtelEnv: 'spanscope.terminal.otelEnv',
  terminalOpenaiEnv: 'spanscope.terminal.openaiEnv',
  terminalBraintrustEnv: 'spanscope.terminal.braintrustEnv',
  proxyUpstream: 'spanscope.proxy.upstream',
  proxyCacheMaxMB: 'spanscope.proxy.cacheMaxMB',
  agentToolsEnabled: 'spanscope.agentTools.enabled',
  otlpGrpcPort: 'spanscope.otlpGrpcPort',
  codeLensEnabled: 'spanscope.codeLens.enabled',
  statsWindow: 'spanscope.codeLens.window',
  inlineResultsEnabled: 'spanscope.inlineResults.enabled',
  hoverEnabled: 'spanscope.hover.enabled',
  problemsEnabled: 'spanscope.problems.enabled',
} as const;

export const ContextKeys = {
  /** `starting` | `listening` | `error` | `stopped`. */
  collectorState: 'spanscope.collectorState',
  /** True while the Traces view shows a filtered list. */
  tracesFiltered: 'spanscope.tracesFiltered',
} as const;

/** `contextValue` of tree items, matched by `viewItem` in package.json menus. */
export const TreeItemContext = {
  project: 'spanscope.project',
  trace: 'spanscope.trace',
  span: 'spanscope.span',
  more: 'spanscope.more',
} as const;

export const OUTPUT_CHANNEL_NAME = 'Spanscope';

/**
 * VS Code's name of an agent tool (src/agent/toolDefinitions.ts): tool names are global across
 * extensions, so ours carry the prefix; `toolReferenceName` is the same, for `#spanscope_…` in chat.
 */
export function vscodeToolName(agentToolName: string): string {
  return `${VSCODE_TOOL_PREFIX}${agentToolName}`;
}

export const VSCODE_TOOL_PREFIX = 'spanscope_';

/** `contributes.mcpServerDefinitionProviders`: offers `spanscope mcp` to VS Code (1.101+). */
export const MCP_PROVIDER_ID = 'spanscope.mcpServer';

/** Scheme of the read-only span documents the diff editor compares. */
export const SPAN_DOCUMENT_SCHEME = 'spanscope-span';

/** `source` of Spanscope's entries in Problems. */
export const DIAGNOSTIC_SOURCE = 'Spanscope';

/** Ports tried after the configured one is taken: 7726 → 7727 … 7735. */
export const PORT_ATTEMPTS = 10;

export type CommandId = (typeof Commands)[keyof typeof Commands];
export type SettingId = (typeof Settings)[keyof typeof Settings];
