// `spanscope serve`: the collector and its store without VS Code. The first line on stdout is
// the contract other tools wait for ("Spanscope listening on http://HOST:PORT"); the second is
// the address of the web UI with the token in it. `spanscope mcp` (the agent tools as an MCP
// server) lives in its own bundle, dist/mcp.js, loaded only for that command.

import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { version } from '../package.json';
import { DEFAULT_CACHE_MAX_BYTES } from './collector/proxy/proxyCache';
import { DEFAULT_UPSTREAM } from './collector/proxy/upstream';
import type * as McpCommand from './agent/mcpCommand';
import { DEFAULT_GRPC_PORT } from './collector/otlpGrpc';
import { startCollector, DEFAULT_HOST, DEFAULT_PORT } from './collector/server';
import { openStore } from './store/traceStore';
import { isStoreLocked } from './store/storeLock';
import { STORE_WRITE_ERROR } from './store/types';

const USAGE = `Usage: spanscope serve [--port ${DEFAULT_PORT}] [--host ${DEFAULT_HOST}] [--data DIR] [--token TOKEN]
                       [--proxy-upstream URL] [--proxy-cache-mb N]
       spanscope mcp [--url URL] [--token TOKEN] | [--data DIR]   (see spanscope mcp --help)

Runs the Spanscope collector and its trace store.
  --port N              port to listen on (0 = any free port; default ${DEFAULT_PORT})
  --grpc-port N         OTLP/gRPC port, on 127.0.0.1 (0 = off; default ${DEFAULT_GRPC_PORT}, or the next free one)
  --host H              address to bind (default ${DEFAULT_HOST}: this machine only)
  --data DIR            folder of the trace store (default ~/.spanscope)
  --token T             token for reading traces (default: $SPANSCOPE_TOKEN, else random)
  --proxy-upstream URL  where the AI proxy at /v1/proxy sends calls: any OpenAI-compatible
                        base URL (default: $SPANSCOPE_PROXY_UPSTREAM, else ${DEFAULT_UPSTREAM})
  --proxy-cache-mb N    size of the proxy's cache in DIR/proxy-cache (default ${DEFAULT_CACHE_MAX_BYTES / 1024 / 1024})
  --help                show this help

Exit status: 0 after a clean stop; 3 when records it acknowledged could not be written to the
store (a full disk) — it says how many were lost; 2 for a wrong command line; 1 otherwise.`;

interface ServeOptions {
  port: number;
  /** 0: no gRPC. */
  grpcPort: number;
  /** Whether grpcPort is the default, which moves to the next free port when taken. */
  grpcFallback: boolean;
  host: string;
  data: string;
  token?: string;
  proxyUpstream: string;
  proxyCacheMb: number;
}

const FLAGS = ['--port', '--grpc-port', '--host', '--data', '--token', '--proxy-upstream', '--proxy-cache-mb'];

class UsageError extends Error {}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv): ServeOptions | 'help' {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') return 'help';
  if (command !== 'serve')
    throw new UsageError(
      command === undefined
        ? 'missing command (did you mean `spanscope serve`?)'
        : `unknown command "${command}" (did you mean \`spanscope serve\` or \`spanscope mcp\`?)`,
    );
  const options: ServeOptions = {
    port: DEFAULT_PORT,
    host: DEFAULT_HOST,
    data: join(homedir(), '.spanscope'),
    token: env.SPANSCOPE_TOKEN || undefined,
    grpcPort: DEFAULT_GRPC_PORT,
    grpcFallback: true,
    proxyUpstream: checkUpstream(env.SPANSCOPE_PROXY_UPSTREAM || DEFAULT_UPSTREAM, 'SPANSCOPE_PROXY_UPSTREAM'),
    proxyCacheMb: DEFAULT_CACHE_MAX_BYTES / 1024 / 1024,
  };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--help' || arg === '-h') return 'help';
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!FLAGS.includes(flag)) throw new UsageError(`unknown option "${arg}"`);
    const value = eq > 0 ? arg.slice(eq + 1) : rest[++i];
    if (value === undefined || value === '') throw new UsageError(`${flag} needs a value`);
    if (flag === '--port' || flag === '--grpc-port') {
      const port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`${flag} must be a number from 0 to 65535, not "${value}"`);
      if (flag === '--port') options.port = port;
      else (options.grpcPort = port), (options.grpcFallback = false);
    } else if (flag === '--proxy-cache-mb') {
      const mb = Number(value);
      if (!Number.isFinite(mb) || mb < 0)
        throw new UsageError(`--proxy-cache-mb must be a number of megabytes (0 turns the cache off), not "${value}"`);
      options.proxyCacheMb = mb;
    } else if (flag === '--proxy-upstream') options.proxyUpstream = checkUpstream(value, '--proxy-upstream');
    else if (flag === '--host') options.host = value;
    else if (flag === '--data') options.data = resolve(value);
    else options.token = value;
  }
  return options;
}

function checkUpstream(value: string, source: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${source} must be a URL such as ${DEFAULT_UPSTREAM}, not "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`${source} must be an http or https URL, not "${value}"`);
  return value;
}

async function main(): Promise<number> {
  if (process.argv[2] === 'mcp') return loadMcp().runMcp(process.argv.slice(3), process.env, version);
  let options: ServeOptions | 'help';
  try {
    options = parseArgs(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`spanscope: ${err.message} (see spanscope --help)\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const warn = (m: string) => process.stderr.write(`${m}\n`);
  let store;
  try {
    store = await openStore({ dir: options.data, warn });
  } catch (err) {
    process.stderr.write(
      `spanscope: ${isStoreLocked(err) ? err.message : `can not open the store in ${options.data}: ${(err as Error).message}`}\n`,
    );
    return 1;
  }
  let collector;
  try {
    const grpc = options.grpcPort ? { port: options.grpcPort, fallback: options.grpcFallback } : undefined;
    const proxy = {
      upstream: options.proxyUpstream,
      cacheDir: options.proxyCacheMb > 0 ? join(options.data, 'proxy-cache') : undefined,
      cacheMaxBytes: Math.round(options.proxyCacheMb * 1024 * 1024),
    };
    collector = await startCollector({
      store,
      port: options.port,
      host: options.host,
      token: options.token,
      version,
      log: warn,
      proxy,
      grpc,
    });
  } catch (err) {
    await store.close();
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'EADDRINUSE'
        ? `port ${options.port} is in use; choose another with --port (or --port 0 for any free port)`
        : e.code === 'EADDRNOTAVAIL'
          ? `can not bind ${options.host}: no such address on this machine`
          : e.message;
    process.stderr.write(`spanscope: ${why}\n`);
    return 1;
  }
  process.stdout.write(`Spanscope listening on ${collector.url}\n`);
  process.stdout.write(
    `Open the trace viewer: http://127.0.0.1:${collector.port}/?token=${encodeURIComponent(collector.token)}\n`,
  );
  process.stdout.write(`Store: ${options.data}\n`);
  if (collector.grpcPort) process.stdout.write(`OTLP/gRPC on 127.0.0.1:${collector.grpcPort}\n`);
  process.stdout.write(`AI proxy: OPENAI_BASE_URL=${collector.url}/v1/proxy (calls go to ${options.proxyUpstream})\n`);

  return new Promise<number>((resolveExit) => {
    let stopping = false;
    const stop = async () => {
      if (stopping) return resolveExit(1); // a second signal: give up waiting
      stopping = true;
      try {
        await collector.close();
        await store.close();
        resolveExit(0);
      } catch (err) {
        // StoreWriteError: acknowledged records that could not be written, and how many.
        warn(`spanscope: shutting down failed: ${(err as Error).message}`);
        resolveExit((err as NodeJS.ErrnoException).code === STORE_WRITE_ERROR ? 3 : 1);
      }
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** The MCP bundle (dist/mcp.js); the path is built at run time so esbuild leaves the require alone. */
function loadMcp(): typeof McpCommand {
  return require(join(__dirname, 'mcp.js')) as typeof McpCommand;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`spanscope: ${(err as Error)?.stack ?? err}\n`);
    process.exit(1);
  },
);
