// How a script's end meets the SDK, in real child processes against the real collector:
// nothing lost on a normal end, process.exit(), an uncaught exception, an unhandled
// rejection, SIGINT or SIGTERM; the user's own signal handler respected; and, with the
// collector down or hung, one warning and an exit that is never held up for long.

import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../../../test/support/collector';
import { closedPort } from '../../../test/support/ports';
import { eventually, onlyTrace, spanNamed, tracesOf } from '../../../test/support/traces';
import { runScript } from './scripts';

let c: TestCollector;
beforeAll(async () => {
  c = await startTestCollector();
});
afterAll(() => c.close());

const env = (project: string, extra: Record<string, string> = {}) => ({
  SPANSCOPE_URL: `http://127.0.0.1:${c.port}`,
  SPANSCOPE_PROJECT: project,
  ...extra,
});

// A script with finished work (`done_step`) and work still running (`long_step` awaits
// forever while a timer keeps the process alive) when `ending` runs.
function script(ending: string, prelude = ''): string {
  return `
import { track, flush } from '@SDK_ESM@';
${prelude}
const done_step = track(function done_step(x) { return x * 2; });
const long_step = track(async function long_step() { await new Promise(() => setTimeout(() => {}, 60_000)); });
const main = track(async function main() {
  done_step(21);
  const pending = long_step();
  await flush();
  console.log('ready');
  ${ending}
  await pending;
});
main();
`;
}

async function expectRunningClosed(project: string, errorType: string | undefined) {
  const detail = await eventually(() => onlyTrace(c, project));
  expect(spanNamed(detail, 'done_step')).toMatchObject({ status: 'ok', output: 42 });
  for (const name of ['long_step', 'main']) {
    const span = spanNamed(detail, name);
    expect(span.end_time).toBeDefined();
    if (errorType) expect(span.error_info).toMatchObject({ exception_type: errorType });
    else expect(span.error_info).toBeUndefined();
  }
  return detail;
}

describe('exit paths', () => {
  it('sends everything on a normal end without any flush call', async () => {
    const run = await runScript(
      `
import { track, Client } from '@SDK_ESM@';
const leaf = track(function leaf(i) { return i + 1; });
const root = track(async function root() { let s = 0; for (let i = 0; i < 50; i++) s += leaf(i); await new Promise((r) => setTimeout(r, 5)); return s; });
const client = new Client();
const t = client.trace({ name: 'manual', input: 'q' });
t.span({ name: 'inside' }).end();
t.end({ output: 'a' });
console.log(await root());
`,
      { env: env('exit-normal') },
    );
    expect(run).toMatchObject({ code: 0, stdout: '1275\n', stderr: '' });
    const traces = await tracesOf(c, 'exit-normal');
    expect(traces.map((t) => [t.name, t.status, t.span_count]).sort()).toEqual([
      ['manual', 'ok', 1],
      ['root', 'ok', 51],
    ]);
  });

  it('sends pending spans on process.exit(), closing running ones with an error for a non-zero code', async () => {
    const run = await runScript(script('process.exit(3);'), { env: env('exit-process-exit') });
    expect(run.code).toBe(3);
    const detail = await expectRunningClosed('exit-process-exit', 'ProcessExit');
    expect(spanNamed(detail, 'long_step').error_info!.message).toContain('process.exit(3)');
  });

  it('closes running spans without an error on process.exit(0)', async () => {
    const run = await runScript(script('process.exit(0);'), { env: env('exit-zero') });
    expect(run.code).toBe(0);
    await expectRunningClosed('exit-zero', undefined);
  });

  it('sends everything when an uncaught exception ends the process, which still crashes as before', async () => {
    const run = await runScript(script("setTimeout(() => { throw new TypeError('boom at top level'); }, 1);"), {
      env: env('exit-uncaught'),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('TypeError: boom at top level');
    const detail = await expectRunningClosed('exit-uncaught', 'TypeError');
    expect(spanNamed(detail, 'main').error_info!.message).toBe('boom at top level');
  });

  it('records the error of a tracked call whose rejection nobody handles, and the process still fails', async () => {
    const run = await runScript(
      `
import { track } from '@SDK_ESM@';
const fetchUser = track(async function fetch_user(id) { await new Promise((r) => setTimeout(r, 5)); throw new Error('user ' + id + ' not found'); });
fetchUser(7);
setTimeout(() => {}, 1000);
`,
      { env: env('exit-rejection') },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('user 7 not found');
    const detail = await eventually(() => onlyTrace(c, 'exit-rejection'));
    expect(detail.spans).toMatchObject([
      {
        name: 'fetch_user',
        status: 'error',
        input: { id: 7 },
        error_info: { exception_type: 'Error', message: 'user 7 not found' },
      },
    ]);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`flushes on ${signal} and then dies of the signal as it would have`, async () => {
      const project = `exit-${signal}`;
      const run = await runScript(script(''), {
        env: env(project),
        onStdout: (out, child) => {
          if (out.includes('ready')) child.kill(signal);
        },
      });
      expect(run.signal).toBe(signal);
      const detail = await expectRunningClosed(project, signal);
      expect(spanNamed(detail, 'long_step').error_info!.message).toBe(
        `interrupted by ${signal} while this span was running`,
      );
    });
  }

  it("stays out of the way of the user's own SIGTERM handler", async () => {
    const run = await runScript(
      script('', "process.on('SIGTERM', () => { console.log('user handler'); process.exit(0); });"),
      {
        env: env('exit-user-handler'),
        onStdout: (out, child) => {
          if (out.endsWith('ready\n')) child.kill('SIGTERM');
        },
      },
    );
    expect(run).toMatchObject({ code: 0, signal: null });
    expect(run.stdout).toBe('ready\nuser handler\n');
    await expectRunningClosed('exit-user-handler', undefined);
  });
});

describe('collector down', () => {
  it('warns once, runs the script as usual and exits promptly, on every path', async () => {
    const port = await closedPort();
    const body = `
import { track } from '@SDK_ESM@';
const step = track(function step(i) { return i; });
let sum = 0;
for (let i = 0; i < 5; i++) { sum += step(i); await new Promise((r) => setTimeout(r, 60)); }
console.log(sum);
`;
    for (const ending of [
      '',
      'process.exit(0);',
      "process.kill(process.pid, 'SIGTERM'); await new Promise((r) => setTimeout(r, 5000));",
    ]) {
      const run = await runScript(body + ending, { env: { SPANSCOPE_URL: `http://127.0.0.1:${port}` } });
      expect(run.stdout).toBe('10\n');
      expect(run.stderr.match(/cannot reach the collector/g)).toHaveLength(1);
      expect(run.stderr).toContain(`http://127.0.0.1:${port} (ECONNREFUSED)`);
      // Bounded: the exit budget is 2 s. A ref'd retry timer (backoff up to 10 s) or socket
      // would hold the process until the 15 s kill.
      expect(run.ms).toBeLessThan(5000);
    }
  });

  it('warns and records nothing, without failing the script, when SPANSCOPE_URL is not a URL', async () => {
    const run = await runScript(
      `
import { track, flush } from '@SDK_ESM@';
console.log(track(function f(x) { return x + 1; })(1));
await flush();
`,
      { env: { SPANSCOPE_URL: 'not a url' } },
    );
    expect(run).toMatchObject({ code: 0, stdout: '2\n' });
    expect(run.stderr).toBe('spanscope: "not a url" is not an http(s) URL (SPANSCOPE_URL); nothing will be recorded\n');
  });

  it('gives up within the exit budget when the collector accepts connections but never answers', async () => {
    const sockets: Socket[] = [];
    const hung: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    const port = (hung.address() as { port: number }).port;
    try {
      for (const ending of ['', 'process.exit(0);']) {
        const run = await runScript(
          `
import { track } from '@SDK_ESM@';
const step = track(function step(i) { return i; });
step(1);
${ending}
`,
          { env: { SPANSCOPE_URL: `http://127.0.0.1:${port}` } },
        );
        expect(run.code).toBe(0);
        expect(run.ms).toBeLessThan(6000);
        expect(run.stderr).toMatch(/ETIMEDOUT|EABORTED|no reply|could not be sent at exit/);
      }
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => hung.close(r));
    }
  });
});
