// From a recorded call back to running code, for real: a Python and a Node function traced to
// a real collector whose AI proxy records a fake provider's replies; the span's call rebuilt
// (src/core/replay), the Debug This Call harness run as a plain process (the debugger UI is
// the only thing left out) marks its trace `replay_of` the original span; a saved pytest file
// and a saved vitest file pass offline, their LLM calls answered from the proxy's cache with
// the provider gone.

import { spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span, TraceDetail } from '../../src/core/model/model';
import { planCall, type ReplayCall } from '../../src/core/replay/callPlan';
import { nodeHarness, nodeTestFile, nodeTestFileName } from '../../src/core/replay/nodeSource';
import { pytestFile, pytestFileName, pythonHarness } from '../../src/core/replay/pythonSource';
import { startTestCollector, tempDir, type TestCollector } from '../support/collector';
import { type FakeOpenAI, REPLY, startFakeOpenAI } from '../support/fakeOpenAI';
import { eventually } from '../support/traces';
import { sdkBundle } from '../../sdk/node/test/scripts';

const REPO = join(__dirname, '../..');
const PY_SDK = join(REPO, 'sdk/python');

let fake: FakeOpenAI;
let tc: TestCollector;
let ws: string;
let collectorUrl: string;

/** A fake provider, a collector proxying to it, and a workspace folder, for one describe. */
function setUp(): void {
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    const dir = tempDir();
    tc = await startTestCollector({
      dir,
      collector: { proxy: { upstream: fake.baseURL, cacheDir: join(dir, 'proxy-cache') } },
    });
    collectorUrl = `http://127.0.0.1:${tc.port}`;
    ws = tempDir('spanscope-ws-');
    symlinkSync(join(REPO, 'node_modules'), join(ws, 'node_modules'));
  });
  afterAll(async () => {
    await tc.close();
    await fake.close(); // safe twice
  });
}

function run(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  cwd = ws,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(cmd, args, {
    cwd,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('close', (code) => (clearTimeout(timer), resolve({ code, stdout, stderr }))),
  );
}

async function spanOf(
  project: string,
  name: string,
  where: (d: TraceDetail) => boolean = () => true,
): Promise<{ detail: TraceDetail; span: Span }> {
  return eventually(async () => {
    const list = (await tc.get(`/api/traces?project=${encodeURIComponent(project)}&limit=100`)).json.traces as {
      id: string;
    }[];
    for (const { id } of list) {
      const detail = (await tc.get(`/api/traces/${id}`)).json as TraceDetail;
      const span = detail.spans.find((s) => s.name === name && s.end_time);
      if (span && where(detail)) return { detail, span };
    }
    throw new Error(`no ended span ${name} in ${project}`);
  }, 10_000);
}

function planned(span: Span): ReplayCall {
  const plan = planCall(span, 'app');
  if (!plan.ok) throw new Error(plan.reason);
  return plan.call;
}

const isReplayOf = (span: Span) => (d: TraceDetail) =>
  JSON.stringify(d.trace.metadata?.replay_of) === JSON.stringify({ trace_id: span.trace_id, span_id: span.id });

const PYTHON_APP = `import json
import os
import urllib.request

from spanscope import track


@track
def ask(question, *, seed=7):
    """Calls an OpenAI-compatible API at OPENAI_BASE_URL, the way a client library would."""
    body = json.dumps({"model": "gpt-4o-mini", "seed": seed, "messages": [{"role": "user", "content": question}]}).encode()
    request = urllib.request.Request(os.environ["OPENAI_BASE_URL"] + "/chat/completions", body, {
        "content-type": "application/json", "authorization": "Bearer " + os.environ["OPENAI_API_KEY"]})
    with urllib.request.urlopen(request) as reply:
        return json.load(reply)["choices"][0]["message"]["content"]


@track
def answer(question, top_k=2, *notes, **options):
    return {"answer": ask(question), "top_k": top_k, "notes": list(notes), "options": options}


@track
async def shout(word):
    return word.upper()


def count(n):
    for i in range(n):
        yield i


count = track(count)

if __name__ == "__main__":
    import asyncio
    answer("What is 2+2?", 3, "n1", style="short")
    asyncio.run(shout("hey"))
    list(count(3))
`;

describe('Python', () => {
  setUp();
  const env = () => ({
    PYTHONPATH: PY_SDK,
    SPANSCOPE_URL: collectorUrl,
    SPANSCOPE_PROJECT: 'py-replay',
    OPENAI_BASE_URL: `${collectorUrl}/v1/proxy`,
    OPENAI_API_KEY: 'sk-test',
  });

  it('re-runs a recorded call through the harness, its trace marked replay_of the original span', async () => {
    writeFileSync(join(ws, 'app.py'), PYTHON_APP);
    const first = await run('python3', ['app.py'], env());
    expect(first.stderr).toBe('');
    const { span } = await spanOf('py-replay', 'answer');
    expect(span.output).toEqual({ answer: REPLY.join(''), top_k: 3, notes: ['n1'], options: { style: 'short' } });
    const call = planned(span);
    expect(call.args.map((a) => a.kind)).toEqual(['positional', 'positional', 'spread', 'keyword']);

    writeFileSync(join(ws, '.harness.py'), pythonHarness(call, ws));
    const replay = await run('python3', ['.harness.py'], {
      ...env(),
      SPANSCOPE_REPLAY_OF: `${span.trace_id}/${span.id}`,
    });
    expect(replay.stderr).toBe('');
    expect(JSON.parse(replay.stdout)).toEqual(span.output);
    const again = await spanOf('py-replay', 'answer', isReplayOf(span));
    expect(again.span.output).toEqual(span.output);
    expect(again.span.id).not.toBe(span.id);
  });

  it('awaits a coroutine and drains a generator', async () => {
    for (const name of ['shout', 'count']) {
      const { span } = await spanOf('py-replay', name);
      writeFileSync(join(ws, `.harness_${name}.py`), pythonHarness(planned(span), ws));
      const replay = await run('python3', [`.harness_${name}.py`], env());
      expect(JSON.parse(replay.stdout)).toEqual(span.output);
    }
  });

  it('saves a pytest file that passes offline, from the proxy cache, with the provider gone', async () => {
    const { span } = await spanOf('py-replay', 'answer');
    mkdirSync(join(ws, 'tests'), { recursive: true });
    const file = join(ws, 'tests', pytestFileName(planned(span)));
    writeFileSync(file, pytestFile(planned(span), { workspaceRoot: ws, defaultCollector: 'http://127.0.0.1:7726' }));
    const { OPENAI_BASE_URL: _, ...rest } = env();
    await fake.close(); // offline from here on: only the proxy's cache can answer
    const passed = await run('/usr/bin/python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', file], rest);
    expect(passed.stdout).toMatch(/1 passed/);
    // The test really checks: an edited expectation fails it.
    writeFileSync(
      file,
      pytestFile(
        { ...planned(span), expected: { kind: 'value', value: { answer: 'other' }, source: 'output' } },
        { workspaceRoot: ws, defaultCollector: 'x' },
      ),
    );
    const failed = await run('/usr/bin/python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', file], rest);
    expect(failed.stdout).toMatch(/1 failed/);
  });
});

describe('Node', () => {
  setUp();
  const nodeApp = (sdk: string) => `import OpenAI from 'openai';
import { track } from ${JSON.stringify(sdk)};

export const answer = track(async function answer(question, topK = 2, ...tags) {
  const client = new OpenAI({ maxRetries: 0 });
  const reply = await client.chat.completions.create({ model: 'gpt-4o-mini', seed: 1, messages: [{ role: 'user', content: question }] });
  return { answer: reply.choices[0].message.content, topK, tags };
});

if (process.argv[2] === 'run') await answer('Bonjour?', 5, 'a', 'b');
`;

  it('re-runs a recorded call through the harness, marked replay_of, and saves a vitest file that passes offline', async () => {
    const { mjs } = await sdkBundle();
    const appDir = join(ws, 'src');
    mkdirSync(appDir, { recursive: true });
    writeFileSync(join(appDir, 'app.mjs'), nodeApp(pathToFileURL(mjs).href));
    const env = {
      SPANSCOPE_URL: collectorUrl,
      SPANSCOPE_PROJECT: 'node-replay',
      OPENAI_BASE_URL: `${collectorUrl}/v1/proxy`,
      OPENAI_API_KEY: 'sk-test',
    };
    const first = await run(process.execPath, ['src/app.mjs', 'run'], env);
    expect(first.stderr).toBe('');
    const { span } = await spanOf('node-replay', 'answer');
    expect(span.output).toEqual({ answer: REPLY.join(''), topK: 5, tags: ['a', 'b'] });
    expect(span.metadata?.['spanscope.call']).toMatchObject({
      qualname: 'answer',
      names: ['question', 'topK', 'tags'],
      rest: true,
    });
    const call = planned(span);

    writeFileSync(join(ws, '.harness.mjs'), nodeHarness(call));
    const replay = await run(process.execPath, ['.harness.mjs'], {
      ...env,
      SPANSCOPE_REPLAY_OF: `${span.trace_id}/${span.id}`,
    });
    expect(replay.stderr).toBe('');
    expect(JSON.parse(replay.stdout)).toEqual(span.output);
    await spanOf('node-replay', 'answer', isReplayOf(span));

    mkdirSync(join(ws, 'tests'), { recursive: true });
    const file = join(ws, 'tests', nodeTestFileName(call));
    writeFileSync(
      file,
      nodeTestFile(call, { runner: 'vitest', importPath: '../src/app.mjs', defaultCollector: 'http://127.0.0.1:7726' }),
    );
    await fake.close();
    const { OPENAI_BASE_URL: _, ...offline } = env;
    const vitest = join(REPO, 'node_modules/vitest/vitest.mjs');
    const passed = await run(process.execPath, [vitest, 'run', '--root', ws, '--dir', 'tests', file], offline);
    expect(passed.stdout + passed.stderr).toMatch(/1 passed/);
  }, 60_000);
});
