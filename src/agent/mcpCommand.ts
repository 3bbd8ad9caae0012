// `spanscope mcp`: the agent tools as a stdio MCP server, for any agent (Claude Code, Cursor,
// VS Code through mcp.json). Its own bundle (dist/mcp.js, loaded by cli.ts only for this
// command), so the MCP SDK does not weigh on `spanscope serve`. stdout carries MCP frames and
// nothing else: every message for people goes to stderr.

import { resolve } from 'node:path';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { openReadOnlyStore } from '../store/readOnlyStore';
import { HttpTraceReader } from './httpTraceReader';
import { createMcpServer } from './mcpServer';
import { StoreTraceReader } from './storeTraceReader';
import type { TraceReader } from './traceReader';

export const DEFAULT_URL = 'http://127.0.0.1:7726';

export const MCP_USAGE = `Usage: spanscope mcp [--url URL] [--token TOKEN] | [--data DIR]

Runs an MCP server on stdin/stdout with read-only tools over Spanscope's traces
(list_traces, get_trace, get_span, search_spans, function_stats).
  --url URL     a running collector (default: $SPANSCOPE_URL, else ${DEFAULT_URL})
  --token T     its token (default: $SPANSCOPE_TOKEN)
  --data DIR    read a store folder directly instead (read-only; works while a
                collector has it open)
  --help        show this help`;

export interface McpOptions {
  url: string;
  token?: string;
  data?: string;
}

export class McpUsageError extends Error {}

export function parseMcpArgs(argv: string[], env: NodeJS.ProcessEnv): McpOptions | 'help' {
  const options: McpOptions = { url: env.SPANSCOPE_URL || DEFAULT_URL, token: env.SPANSCOPE_TOKEN || undefined };
  let urlGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!['--url', '--token', '--data'].includes(flag)) throw new McpUsageError(`unknown option "${arg}"`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new McpUsageError(`${flag} needs a value`);
    if (flag === '--url') {
      if (!/^https?:\/\/[^/]+/.test(value))
        throw new McpUsageError(`--url must be an http:// address such as ${DEFAULT_URL}, not "${value}"`);
      options.url = value;
      urlGiven = true;
    } else if (flag === '--token') options.token = value;
    else options.data = resolve(value);
  }
  if (urlGiven && options.data)
    throw new McpUsageError('give --url (a running collector) or --data (a store folder), not both');
  return options;
}

/** Runs until stdin closes or a signal comes; resolves with the exit code. */
export async function runMcp(argv: string[], env: NodeJS.ProcessEnv, version: string): Promise<number> {
  const log = (m: string) => void process.stderr.write(`${m}\n`);
  let options: McpOptions | 'help';
  try {
    options = parseMcpArgs(argv, env);
  } catch (err) {
    if (!(err instanceof McpUsageError)) throw err;
    log(`spanscope mcp: ${err.message} (see spanscope mcp --help)`);
    return 2;
  }
  if (options === 'help') {
    // Asked for by a person at a terminal, not an MCP client: stdout is free.
    process.stdout.write(`${MCP_USAGE}\n`);
    return 0;
  }
  // Whatever a dependency might print must not corrupt the MCP frames on stdout.
  console.log = console.info = console.debug = (...a: unknown[]) => log(a.map(String).join(' '));

  let reader: TraceReader;
  if (options.data) {
    try {
      const store = await openReadOnlyStore(options.data, log);
      reader = new StoreTraceReader(async () => {
        await store.refresh();
        return store;
      });
      log(`spanscope mcp: reading the store in ${options.data} (read-only)`);
    } catch (err) {
      log(`spanscope mcp: can not read the store: ${(err as Error).message}`);
      return 1;
    }
  } else {
    const http = new HttpTraceReader(options.url, options.token);
    const problem = await http.problem();
    // Served anyway: the collector may start later (VS Code opened after the agent), and every
    // tool call answers with this message until it does.
    if (problem) log(`spanscope mcp: ${problem}`);
    else log(`spanscope mcp: reading from the collector at ${options.url}`);
    reader = http;
  }

  const server = createMcpServer(reader, version, log);
  const transport = new StdioServerTransport();
  return new Promise<number>((done) => {
    let finished = false;
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      void server
        .close()
        .catch(() => undefined)
        .finally(() => done(code));
    };
    process.stdin.once('end', () => finish(0));
    process.stdin.once('close', () => finish(0));
    process.once('SIGINT', () => finish(0));
    process.once('SIGTERM', () => finish(0));
    server.connect(transport).catch((err) => {
      log(`spanscope mcp: ${(err as Error).message}`);
      finish(1);
    });
  });
}
