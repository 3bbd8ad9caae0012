// How VS Code starts `spanscope mcp` for this window (the MCP server definition the extension
// offers, agentTools.ts): the editor's own binary run as Node on the CLI bundle shipped in the
// extension, pointed at this window's collector. Free of `vscode`, so a test can start exactly
// what VS Code would.

import * as path from 'node:path';

export interface McpLaunch {
  command: string;
  args: string[];
  env: Record<string, string>;
}

export interface McpLaunchOptions {
  /** The Node (or Electron) binary: `process.execPath` in the extension host. */
  execPath: string;
  extensionPath: string;
  /** The collector's URL. */
  url: string;
  /**
   * Its token: given only when VS Code is about to start the server (resolve), so the
   * definitions VS Code lists and may keep do not carry it.
   */
  token?: string;
}

export function mcpLaunch(o: McpLaunchOptions): McpLaunch {
  // ELECTRON_RUN_AS_NODE makes VS Code's Electron binary act as plain Node; Node ignores it.
  const env: Record<string, string> = { ELECTRON_RUN_AS_NODE: '1' };
  if (o.token !== undefined) env.SPANSCOPE_TOKEN = o.token;
  return { command: o.execPath, args: [path.join(o.extensionPath, 'dist', 'cli.js'), 'mcp', '--url', o.url], env };
}
