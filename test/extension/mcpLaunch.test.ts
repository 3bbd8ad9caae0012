// What VS Code is given to start `spanscope mcp` for a window (src/extension/mcpLaunch.ts), and
// that exactly that command, run here with Node as the extension host's binary, serves the
// tools over this window's collector to the real MCP client.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpLaunch } from '../../src/extension/mcpLaunch';
import { traceBatch } from '../support/builders';
import { ensureBuilt } from '../support/build';
import { startTestCollector, type TestCollector } from '../support/collector';

const ROOT = join(__dirname, '..', '..');
let collector: TestCollector;

beforeAll(async () => {
  ensureBuilt();
  collector = await startTestCollector();
  expect((await collector.ingest(traceBatch('t-launch', 3))).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await collector?.close();
});

describe('mcpLaunch', () => {
  it('runs the shipped CLI as Node against the collector, with the token only when asked', () => {
    const listed = mcpLaunch({ execPath: '/opt/code/code', extensionPath: '/ext', url: 'http://127.0.0.1:7726' });
    expect(listed).toEqual({
      command: '/opt/code/code',
      args: [join('/ext', 'dist', 'cli.js'), 'mcp', '--url', 'http://127.0.0.1:7726'],
      env: { ELECTRON_RUN_AS_NODE: '1' },
    });
    expect(mcpLaunch({ execPath: 'node', extensionPath: '/ext', url: 'http://x', token: 's3cret' }).env).toEqual({
      ELECTRON_RUN_AS_NODE: '1',
      SPANSCOPE_TOKEN: 's3cret',
    });
  });

  it("starts a server the MCP client lists the tools of and reads the window's traces through", async () => {
    const launch = mcpLaunch({
      execPath: process.execPath,
      extensionPath: ROOT,
      url: `http://127.0.0.1:${collector.port}`,
      token: collector.token,
    });
    const client = new Client({ name: 'vscode-stand-in', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: launch.command,
        args: launch.args,
        env: { PATH: process.env.PATH ?? '', ...launch.env },
        stderr: 'ignore',
      }),
    );
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('get_trace');
      const result = await client.callTool({ name: 'list_traces', arguments: {} });
      expect(result.isError).toBeFalsy();
      expect(
        JSON.parse((result.content as { text: string }[])[0].text).traces.map((t: { id: string }) => t.id),
      ).toEqual(['t-launch']);
    } finally {
      await client.close();
    }
  });
});
