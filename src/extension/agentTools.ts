// The agent tools in VS Code: each one registered as a language-model tool, and `spanscope mcp`
// offered as an MCP server where this VS Code has the definition-provider API (1.101+). The
// tools registered are those package.json's `languageModelTools` declares (VS Code has read the
// manifest already; test/agent/toolContract.test.ts keeps it equal to src/agent/toolDefinitions.ts),
// so activation imports no tool code or text: the handlers live in the backend bundle and load
// when a tool first runs. Off with `spanscope.agentTools.enabled`.

import * as vscode from 'vscode';
import type { ToolOutcome } from '../agent/agentTools';
import type { CollectorService } from './collector/collectorService';
import { MCP_PROVIDER_ID, Settings, VSCODE_TOOL_PREFIX } from './constants';
import { Disposable, toDisposable } from './lifecycle';
import { errorMessage, type Logger } from './log';
import { mcpLaunch } from './mcpLaunch';
import type { SettingsWatcher } from './settingsWatcher';

/** A tool as package.json declares it (`contributes.languageModelTools`). */
export interface DeclaredTool {
  name: string;
  displayName: string;
}

export interface AgentToolsDeps {
  /** From the manifest: `context.extension.packageJSON.contributes.languageModelTools`. */
  declared: DeclaredTool[];
  service: CollectorService;
  settings: SettingsWatcher;
  /** Runs a tool by its agent name (the backend bundle, loaded on first use). */
  run(name: string, input: unknown): Promise<ToolOutcome>;
  extensionPath: string;
  version: string;
  log: Logger;
}

export function registerAgentTools(deps: AgentToolsDeps): vscode.Disposable[] {
  return [new LanguageModelTools(deps), ...registerMcpServerProvider(deps)];
}

class LanguageModelTools extends Disposable {
  private registered: vscode.Disposable[] = [];

  constructor(private readonly deps: AgentToolsDeps) {
    super();
    this.update();
    this._register(deps.settings.onDidChangeAny([Settings.agentToolsEnabled], () => this.update()));
    this._register(toDisposable(() => this.unregister()));
  }

  private update(): void {
    const on = this.deps.settings.current.agentTools;
    if (on && !this.registered.length) this.register();
    else if (!on) this.unregister();
  }

  private register(): void {
    if (typeof vscode.lm?.registerTool !== 'function') return; // a VS Code without language-model tools
    for (const def of this.deps.declared) {
      try {
        this.registered.push(vscode.lm.registerTool(def.name, this.tool(def)));
      } catch (err) {
        this.deps.log.warn(`could not register the language-model tool ${def.name}: ${errorMessage(err)}`);
      }
    }
  }

  private unregister(): void {
    for (const r of this.registered.splice(0)) r.dispose();
  }

  private tool(def: DeclaredTool): vscode.LanguageModelTool<object> {
    const agentName = def.name.slice(VSCODE_TOOL_PREFIX.length);
    return {
      prepareInvocation: (options) => ({
        invocationMessage: invocationMessage(def, options.input as Record<string, unknown>),
      }),
      invoke: async (options) => {
        const outcome = await this.deps.run(agentName, options.input);
        // VS Code hands a thrown error's message to the model as the tool's failure.
        if (outcome.isError) throw new Error(outcome.text);
        return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(outcome.text)]);
      },
    };
  }
}

/** What the chat shows while a tool runs: the tool and the id or text it was given. */
function invocationMessage(def: DeclaredTool, input: Record<string, unknown> | undefined): string {
  const subject = input?.span_id ?? input?.trace_id ?? input?.text ?? input?.function ?? input?.file ?? input?.filter;
  return typeof subject === 'string' && subject !== ''
    ? `${def.displayName}: ${subject.slice(0, 80)}`
    : def.displayName;
}

// ---- MCP server definition (VS Code 1.101+) ---------------------------------------------
//
// @types/vscode is 1.100, which lacks this API (a proposal there, with another contribution
// point), so it is described here and looked up at run time.

interface McpStdioServerDefinition {
  args: string[];
  env: Record<string, string | number | null>;
}
type McpStdioServerDefinitionClass = new (
  label: string,
  command: string,
  args?: string[],
  env?: Record<string, string | number | null>,
  version?: string,
) => McpStdioServerDefinition;
interface McpServerDefinitionProvider {
  onDidChangeMcpServerDefinitions?: vscode.Event<void>;
  provideMcpServerDefinitions(token: vscode.CancellationToken): McpStdioServerDefinition[];
  resolveMcpServerDefinition?(
    server: McpStdioServerDefinition,
    token: vscode.CancellationToken,
  ): Promise<McpStdioServerDefinition | undefined>;
}
type RegisterProvider = (id: string, provider: McpServerDefinitionProvider) => vscode.Disposable;

function registerMcpServerProvider(deps: AgentToolsDeps): vscode.Disposable[] {
  const register = (vscode.lm as unknown as { registerMcpServerDefinitionProvider?: RegisterProvider })
    .registerMcpServerDefinitionProvider;
  const Definition = (vscode as unknown as { McpStdioServerDefinition?: McpStdioServerDefinitionClass })
    .McpStdioServerDefinition;
  if (typeof register !== 'function' || typeof Definition !== 'function') return [];
  const changed = new vscode.EventEmitter<void>();
  const { service, settings } = deps;
  const urlNow = () =>
    service.state.phase === 'listening' ? service.state.url : `http://127.0.0.1:${settings.current.port}`;
  const launch = (token?: string) =>
    mcpLaunch({ execPath: process.execPath, extensionPath: deps.extensionPath, url: urlNow(), token });
  const provider: McpServerDefinitionProvider = {
    onDidChangeMcpServerDefinitions: changed.event,
    provideMcpServerDefinitions: () => {
      if (!settings.current.agentTools) return [];
      const { command, args, env } = launch();
      return [new Definition('Spanscope traces', command, args, env, deps.version)];
    },
    // Right before VS Code starts the server: the collector is started if it is not, and the
    // token is given only here (mcpLaunch.ts).
    resolveMcpServerDefinition: async (server) => {
      await service.start();
      const { args, env } = launch(service.token);
      server.args = args;
      server.env = { ...server.env, ...env };
      return server;
    },
  };
  try {
    return [
      changed,
      register(MCP_PROVIDER_ID, provider),
      service.onDidChangeState(() => changed.fire()),
      settings.onDidChangeAny([Settings.agentToolsEnabled], () => changed.fire()),
    ];
  } catch (err) {
    // 1.100 has the function as a proposal and refuses a provider not declared in its own
    // contribution point (`modelContextServerCollections`); 1.101 made it `mcpServerDefinitionProviders`.
    deps.log.info(
      `this VS Code does not offer MCP server definitions to extensions (${errorMessage(err)}); \`spanscope mcp\` can be added to mcp.json by hand`,
    );
    changed.dispose();
    return [];
  }
}
