// What the integrated terminal's environment should hold so that `python app.py` (or a Node
// script, the Opik SDK, an OpenTelemetry exporter) reports to this window's collector with no
// set-up. Pure: the vscode side applies the plan to `context.environmentVariableCollection`.

import type { OtelProtocol } from './settings';

export interface TerminalEnvOptions {
  /** Master switch (`spanscope.terminal.enabled`); off means the terminal is left alone. */
  enabled: boolean;
  /** The collector's base URL, e.g. `http://127.0.0.1:7726`; undefined while it is not listening. */
  url?: string;
  /** The bundled Python SDK folder (holds the `spanscope` package); undefined to leave PYTHONPATH alone. */
  pythonSdkDir?: string;
  opik: boolean;
  /** The OTLP protocol the user's exporter speaks, or off. */
  otel: OtelProtocol;
  /** The collector's OTLP/gRPC port; undefined when gRPC is off. */
  grpcPort?: number;
  /** Route the openai clients through the AI proxy (`OPENAI_BASE_URL`): off unless asked, as it changes where calls go. */
  openai?: boolean;
  /** Point the Braintrust SDKs at the collector's Braintrust wire (`BRAINTRUST_APP_URL`). */
  braintrust?: boolean;
  /** The window already has a `BRAINTRUST_API_KEY`: keep it rather than setting a placeholder. */
  hasBraintrustKey?: boolean;
  /** `path.delimiter` of the machine the terminal runs on. */
  delimiter: string;
}

export interface TerminalEnvPlan {
  replace: Record<string, string>;
  prepend: Record<string, string>;
}

export function terminalEnvironment(o: TerminalEnvOptions): TerminalEnvPlan {
  const plan: TerminalEnvPlan = { replace: {}, prepend: {} };
  if (!o.enabled || !o.url) return plan;
  const url = o.url.replace(/\/+$/, '');
  plan.replace.SPANSCOPE_URL = url;
  // Prepended, not replaced: the user's own PYTHONPATH keeps working after ours.
  if (o.pythonSdkDir) plan.prepend.PYTHONPATH = o.pythonSdkDir + o.delimiter;
  if (o.opik) {
    // The Opik SDK asks for an API key only for comet.com hosts; a local URL needs none.
    plan.replace.OPIK_URL_OVERRIDE = `${url}/api`;
    plan.replace.OPIK_WORKSPACE = 'default';
  }
  if (o.otel === 'grpc') {
    // gRPC exporters take the bare host:port of the gRPC port; left unset while it is off,
    // rather than sending gRPC to the HTTP port.
    if (o.grpcPort) {
      plan.replace.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${o.grpcPort}`;
      plan.replace.OTEL_EXPORTER_OTLP_PROTOCOL = 'grpc';
    }
  } else if (o.otel !== 'off') {
    // HTTP exporters append `/v1/traces` to this base. http/protobuf is what every OTLP/HTTP
    // exporter speaks (Python's has no JSON mode); http/json for those that only do JSON.
    plan.replace.OTEL_EXPORTER_OTLP_ENDPOINT = url;
    plan.replace.OTEL_EXPORTER_OTLP_PROTOCOL = o.otel;
  }
  // The openai clients (Python and Node) read it as their base URL; the proxy forwards to the upstream setting.
  if (o.openai) plan.replace.OPENAI_BASE_URL = `${url}/v1/proxy`;
  if (o.braintrust) {
    plan.replace.BRAINTRUST_APP_URL = url;
    // The SDKs refuse to start without a key, and the collector takes any (it never checks,
    // logs or keeps one): a placeholder only where the user has no key of their own.
    if (!o.hasBraintrustKey) plan.replace.BRAINTRUST_API_KEY = 'spanscope-local';
  }
  return plan;
}

/** One line for the terminal's "environment changed by" hover. */
export function describePlan(plan: TerminalEnvPlan): string {
  const names = [...Object.keys(plan.replace), ...Object.keys(plan.prepend)];
  return names.length ? `Spanscope: ${names.join(', ')} point scripts at the local collector` : 'Spanscope: no changes';
}
