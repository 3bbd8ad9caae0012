import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import OpenAI from 'openai';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { traceBatch } from '../support/builders';
import { tempDir } from '../support/collector';
import { http } from '../support/http';
import { startFakeOpenAI } from '../support/fakeOpenAI';
import { ensureBuilt } from '../support/build';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');

beforeAll(() => {
  ensureBuilt(); // the test runs the shipped bundle: built from the current sources (globalBuild.ts)
}, 120_000);

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  lines: string[];
  stderr: () => string;
  nextLine(): Promise<string>;
  exit: Promise<number | null>;
}

function run(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, SPANSCOPE_TOKEN: '', ...env } });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const lines: string[] = [];
  const waiting: ((l: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const w = waiting.shift();
    if (w) w(line);
    else lines.push(line);
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    stderr: () => err,
    nextLine: () =>
      lines.length
        ? Promise.resolve(lines.shift()!)
        : new Promise((resolve, reject) => {
            waiting.push(resolve);
            exit.then(() => reject(new Error(`the CLI exited; stderr: ${err}`)));
          }),
    exit,
  };
}

function newDir(): string {
  const dir = tempDir('spanscope-cli-');
  dirs.push(dir);
  return dir;
}

async function serve(dir: string, extra: string[] = [], env: Record<string, string> = {}) {
  // gRPC off unless a test asks for it: its default port is shared by every test run on the machine.
  const cli = run(['serve', '--port', '0', '--grpc-port', '0', '--data', dir, ...extra], env);
  const first = await cli.nextLine();
  const m = /^Spanscope listening on http:\/\/127\.0\.0\.1:(\d+)$/.exec(first);
  expect(m, first).not.toBeNull();
  return { cli, port: Number(m![1]), second: await cli.nextLine() };
}

describe('spanscope serve', () => {
  it('serves OTLP/gRPC on the port --grpc-port names, and says where', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const free = (blocker.address() as { port: number }).port;
    await new Promise((r) => blocker.close(r));
    const { cli } = await serve(newDir(), ['--grpc-port', String(free)]);
    expect(await cli.nextLine()).toMatch(/^Store: /);
    expect(await cli.nextLine()).toBe(`OTLP/gRPC on 127.0.0.1:${free}`);
    cli.child.kill('SIGTERM');
    await cli.exit;
  });

  it('prints its address and the UI address with the token, ingests, and keeps the data through SIGTERM', async () => {
    const dir = newDir();
    const { cli, port, second } = await serve(dir, ['--token', 'secret-1']);
    expect(second).toBe(`Open the trace viewer: http://127.0.0.1:${port}/?token=secret-1`);
    expect((await http(port, '/api/ingest', { body: traceBatch('t', 2) })).json).toEqual({ accepted: 4 });
    cli.child.kill('SIGTERM');
    expect(await cli.exit).toBe(0);

    const again = await serve(dir, [], { SPANSCOPE_TOKEN: 'from-env' });
    expect(again.second).toContain('?token=from-env');
    const list = await http(again.port, '/api/traces', { headers: { authorization: 'Bearer from-env' } });
    expect(list.json.traces).toMatchObject([{ id: 't', span_count: 2 }]);
    again.cli.child.kill('SIGINT');
    expect(await again.cli.exit).toBe(0);
  });

  it('says so in one line and exits 1 when the port is in use', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const cli = run(['serve', '--port', String(port), '--data', newDir()]);
      expect(await cli.exit).toBe(1);
      expect(cli.stderr()).toBe(
        `spanscope: port ${port} is in use; choose another with --port (or --port 0 for any free port)\n`,
      );
    } finally {
      blocker.close();
    }
  });

  it('exits 1 when another process holds the store', async () => {
    const dir = newDir();
    const { cli } = await serve(dir);
    const second = run(['serve', '--port', '0', '--data', dir]);
    expect(await second.exit).toBe(1);
    expect(second.stderr()).toMatch(/^spanscope: the store .* is in use by another Spanscope process \(pid \d+\)\n$/);
    cli.child.kill('SIGTERM');
    expect(await cli.exit).toBe(0);
  });

  it.each([
    [['serve', '--port', 'abc'], /--port must be a number from 0 to 65535, not "abc"/],
    [['serve', '--bogus'], /unknown option "--bogus"/],
    [['serve', '--data'], /--data needs a value/],
    [['launch'], /unknown command "launch"/],
    [[], /missing command/],
  ])('refuses %j with exit code 2 and one line that says why', async (args, message) => {
    const cli = run(args);
    expect(await cli.exit).toBe(2);
    expect(cli.stderr()).toMatch(message);
    expect(cli.stderr()).toMatch(/^spanscope: .* \(see spanscope --help\)\n$/);
  });

  it('serves the AI proxy to the upstream --proxy-upstream or SPANSCOPE_PROXY_UPSTREAM names, its cache in the data folder', async () => {
    const fake = await startFakeOpenAI();
    try {
      const dir = newDir();
      const { cli, port } = await serve(dir, ['--proxy-upstream', fake.baseURL]);
      const client = new OpenAI({ apiKey: 'sk-cli-test', baseURL: `http://127.0.0.1:${port}/v1/proxy`, maxRetries: 0 });
      const reply = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
        seed: 1,
      });
      expect(reply.choices[0].message.content).toBe('Comment ça va?');
      expect(fake.requests).toHaveLength(1);
      cli.child.kill('SIGTERM');
      expect(await cli.exit).toBe(0);
      expect(existsSync(join(dir, 'proxy-cache', 'index.json'))).toBe(true);

      const again = await serve(dir, [], { SPANSCOPE_PROXY_UPSTREAM: fake.baseURL });
      const replayed = new OpenAI({
        apiKey: 'sk-cli-test',
        baseURL: `http://127.0.0.1:${again.port}/v1/proxy`,
        maxRetries: 0,
      });
      const { response } = await replayed.chat.completions
        .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], seed: 1 })
        .withResponse();
      expect(response.headers.get('x-spanscope-cached')).toBe('HIT');
      expect(fake.requests).toHaveLength(1);
      again.cli.child.kill('SIGTERM');
      expect(await again.cli.exit).toBe(0);
    } finally {
      await fake.close();
    }
  });

  it('refuses a proxy upstream that is not an http(s) URL', async () => {
    const cli = run(['serve', '--proxy-upstream', 'ftp://example.com']);
    expect(await cli.exit).toBe(2);
    expect(cli.stderr()).toMatch(/--proxy-upstream must be an http or https URL/);
  });

  it('prints help', async () => {
    const cli = run(['serve', '--help']);
    expect(await cli.exit).toBe(0);
    expect(cli.lines.join('\n')).toContain(
      'Usage: spanscope serve [--port 7726] [--host 127.0.0.1] [--data DIR] [--token TOKEN]',
    );
  });
});
