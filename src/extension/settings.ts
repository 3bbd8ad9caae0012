// Spanscope's settings, read with their defaults and checked. Pure: the extension passes a
// getter over `vscode.workspace.getConfiguration()`, tests pass a plain object. Defaults here
// must match package.json's (test/extension/constants.test.ts checks them).

import { isStatsWindow, type StatsWindow } from '../core/functions/callStats';
import type { ScoreDefinition } from '../shared/protocol';
import { Settings } from './constants';
import { portFromSetting } from './collector/portFallback';
import { DEFAULT_THUMBS_NAME, parseScoreDefinitions, validateScoreName } from './scoring/scoreInput';

/** Which OTLP exporter protocol new terminals are set up for; `off` leaves OTEL_* alone. */
export type OtelProtocol = 'off' | 'http/protobuf' | 'http/json' | 'grpc';
const OTEL_PROTOCOLS: readonly OtelProtocol[] = ['off', 'http/protobuf', 'http/json', 'grpc'];

export interface SpanscopeSettings {
  port: number;
  /** OTLP/gRPC port (the next free one is taken when busy); 0: no gRPC. */
  otlpGrpcPort: number;
  autoStart: boolean;
  scores: ScoreDefinition[];
  /** What is wrong with `spanscope.scores` entries that were skipped. */
  scoreProblems: string[];
  thumbsName: string;
  maxTraces?: number;
  maxBytes?: number;
  terminal: {
    enabled: boolean;
    pythonPath: boolean;
    opik: boolean;
    otel: OtelProtocol;
    openai: boolean;
    braintrust: boolean;
  };
  /** The AI proxy: its upstream base URL, and its cache's size in bytes (0: no cache). */
  proxy: { upstream: string; cacheMaxBytes: number };
  /** The language-model tools and the MCP server definition offered to VS Code. */
  agentTools: boolean;
  /** What the editor shows of tracked functions. */
  editor: { codeLens: boolean; window: StatsWindow; inlineResults: boolean; hover: boolean; problems: boolean };
}

export const DEFAULTS = {
  [Settings.port]: 7726,
  [Settings.autoStart]: true,
  [Settings.scores]: [
    { name: 'correctness', min: 0, max: 1 },
    { name: 'relevance', min: 0, max: 1 },
    { name: 'tone', categories: { good: 1, ok: 0.5, bad: 0 } },
  ],
  [Settings.feedbackScoreName]: DEFAULT_THUMBS_NAME,
  [Settings.maxTraces]: null,
  [Settings.maxStorageMB]: null,
  [Settings.terminalEnabled]: true,
  [Settings.terminalPythonPath]: true,
  [Settings.terminalOpikEnv]: false,
  [Settings.terminalOtelEnv]: 'off',
  [Settings.otlpGrpcPort]: 4317,
  [Settings.terminalOpenaiEnv]: false,
  [Settings.terminalBraintrustEnv]: false,
  [Settings.proxyUpstream]: 'https://api.openai.com/v1',
  [Settings.proxyCacheMaxMB]: 256,
  [Settings.agentToolsEnabled]: true,
  [Settings.codeLensEnabled]: true,
  [Settings.statsWindow]: 'run',
  [Settings.inlineResultsEnabled]: true,
  [Settings.hoverEnabled]: true,
  [Settings.problemsEnabled]: true,
} as const;

export function readSettings(get: (key: string) => unknown): SpanscopeSettings {
  const bool = (key: keyof typeof DEFAULTS) => {
    const v = get(key);
    return typeof v === 'boolean' ? v : (DEFAULTS[key] as boolean);
  };
  const positive = (key: string) => {
    const v = get(key);
    return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
  };
  const { definitions, problems } = parseScoreDefinitions(get(Settings.scores) ?? DEFAULTS[Settings.scores]);
  const thumbs = get(Settings.feedbackScoreName);
  const thumbsName = typeof thumbs === 'string' && !validateScoreName(thumbs) ? thumbs.trim() : DEFAULT_THUMBS_NAME;
  const maxMb = positive(Settings.maxStorageMB);
  return {
    port: portFromSetting(get(Settings.port), DEFAULTS[Settings.port]),
    otlpGrpcPort: grpcPortFromSetting(get(Settings.otlpGrpcPort)),
    autoStart: bool(Settings.autoStart),
    scores: definitions,
    scoreProblems: problems,
    thumbsName,
    maxTraces: positive(Settings.maxTraces),
    maxBytes: maxMb === undefined ? undefined : Math.round(maxMb * 1024 * 1024),
    terminal: {
      enabled: bool(Settings.terminalEnabled),
      pythonPath: bool(Settings.terminalPythonPath),
      opik: bool(Settings.terminalOpikEnv),
      otel: otelProtocol(get(Settings.terminalOtelEnv)),
      openai: bool(Settings.terminalOpenaiEnv),
      braintrust: bool(Settings.terminalBraintrustEnv),
    },
    proxy: {
      upstream: proxyUpstream(get(Settings.proxyUpstream)),
      cacheMaxBytes: Math.round(cacheMb(get(Settings.proxyCacheMaxMB)) * 1024 * 1024),
    },
    agentTools: bool(Settings.agentToolsEnabled),
    editor: {
      codeLens: bool(Settings.codeLensEnabled),
      window: isStatsWindow(get(Settings.statsWindow))
        ? (get(Settings.statsWindow) as StatsWindow)
        : DEFAULTS[Settings.statsWindow],
      inlineResults: bool(Settings.inlineResultsEnabled),
      hover: bool(Settings.hoverEnabled),
      problems: bool(Settings.problemsEnabled),
    },
  };
}

/** An http(s) URL, else the default (a typo must not send calls, and keys, somewhere odd). */
function proxyUpstream(value: unknown): string {
  if (typeof value !== 'string' || !value.trim()) return DEFAULTS[Settings.proxyUpstream];
  try {
    const url = new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? value.trim() : DEFAULTS[Settings.proxyUpstream];
  } catch {
    return DEFAULTS[Settings.proxyUpstream];
  }
}

function cacheMb(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : DEFAULTS[Settings.proxyCacheMaxMB];
}

/** The protocol named; `true` (the setting's old boolean form) is http/protobuf, what it meant. */
function otelProtocol(value: unknown): OtelProtocol {
  if (value === true) return 'http/protobuf';
  return OTEL_PROTOCOLS.includes(value as OtelProtocol) ? (value as OtelProtocol) : DEFAULTS[Settings.terminalOtelEnv];
}

function grpcPortFromSetting(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535
    ? value
    : DEFAULTS[Settings.otlpGrpcPort];
}
