// The SDK as other processes load it: a span exported in one process and continued in
// another (Braintrust's feedback handler), disabled mode, CommonJS, both builds in one
// process, and source maps for TypeScript compiled ahead of time.

import { execFileSync } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configure, flush, initLogger } from '../src/index';
import { startTestCollector, tempDir, type TestCollector } from '../../../test/support/collector';
import { childrenOf, eventually, onlyTrace, spanNamed, tracesOf } from '../../../test/support/traces';
import { runScript, sdkBundle } from './scripts';

let c: TestCollector;
beforeAll(async () => {
  c = await startTestCollector();
  configure({ url: `http://127.0.0.1:${c.port}` });
});
afterAll(async () => {
  await flush();
  configure({ disabled: true });
  await c.close();
});

const SDK_DIR = join(__dirname, '..');
// The repository's typescript, found the way Node finds it from here (sdk/node has no node_modules).
const TSC = createRequire(__filename).resolve('typescript/bin/tsc');

const env = (project: string, extra: Record<string, string> = {}) => ({
  SPANSCOPE_URL: `http://127.0.0.1:${c.port}`,
  SPANSCOPE_PROJECT: project,
  ...extra,
});

describe('across processes', () => {
  it("continues an exported span in another process, as the page's feedback handler does", async () => {
    const logger = initLogger({ projectName: 'bt-export' });
    const request = logger.startSpan({ name: 'my_route_handler' });
    request.log({ input: 'What is a proxy?', output: 'question' });
    const requestId = request.export();
    request.end();
    await flush();

    const run = await runScript(
      `
import { initLogger } from '@SDK_ESM@';
const logger = initLogger({ projectName: 'some other project' });
const span = logger.startSpan({ name: 'feedback', parent: process.env.REQUEST_ID });
logger.logFeedback({ id: span.id, scores: { correctness: 0 }, comment: 'it is a statement', metadata: { user_id: 'u1' } });
span.end();
logger.logFeedback({ id: process.env.REQUEST_ID, scores: { helpfulness: 1 } });
`,
      { env: env('unused', { REQUEST_ID: requestId }) },
    );
    expect(run).toMatchObject({ code: 0, stderr: '' });

    const detail = await eventually(async () => {
      const d = await onlyTrace(c, 'bt-export');
      if (d.spans.length < 2) throw new Error('feedback span not there yet');
      return d;
    });
    const root = spanNamed(detail, 'my_route_handler');
    expect(root.feedback_scores).toMatchObject([{ name: 'helpfulness', value: 1 }]);
    const [feedback] = childrenOf(detail, root);
    expect(feedback).toMatchObject({
      name: 'feedback',
      status: 'ok',
      trace_id: root.trace_id,
      project_name: 'bt-export',
      metadata: { user_id: 'u1' },
    });
    expect(feedback.feedback_scores).toMatchObject([{ name: 'correctness', value: 0, reason: 'it is a statement' }]);
    expect(await tracesOf(c, 'some other project')).toHaveLength(0);
  });
});

describe('disabled', () => {
  it('runs tracked functions untouched and sends nothing when SPANSCOPE_DISABLE=1', async () => {
    const run = await runScript(
      `
import { track, trackOpenAI, initLogger, Client, flush } from '@SDK_ESM@';
function add(a, b) { return a + b; }
const client = { chat: { completions: { create: () => 'reply' } } };
console.log(track(add) === add, trackOpenAI(client) === client, track(add)(1, 2));
const span = initLogger().startSpan({ name: 'x' });
span.log({ input: 1 });
span.end();
new Client().trace({ name: 't' }).end();
await flush();
`,
      { env: env('disabled', { SPANSCOPE_DISABLE: '1' }) },
    );
    expect(run).toMatchObject({ code: 0, stdout: 'true true 3\n', stderr: '' });
    await new Promise((r) => setTimeout(r, 200));
    expect(await tracesOf(c, 'disabled')).toHaveLength(0);
  });
});

describe('module formats', () => {
  it('works from CommonJS through require()', async () => {
    const run = await runScript(
      `
const { track } = require('@SDK_CJS@');
const double = track(function double(x) { return 2 * x; });
console.log(double(4));
`,
      { env: env('cjs'), name: 'script.cjs' },
    );
    expect(run).toMatchObject({ code: 0, stdout: '8\n' });
    const detail = await eventually(() => onlyTrace(c, 'cjs'));
    expect(detail.spans).toMatchObject([
      { name: 'double', input: { x: 4 }, output: 8, code_location: { file: run.file, line: 3 } },
    ]);
  });

  it('shares one trace context when a process loads both the ESM and the CommonJS build', async () => {
    const run = await runScript(
      `
import { createRequire } from 'node:module';
import { track as trackEsm } from '@SDK_ESM@';
const { track: trackCjs } = createRequire(import.meta.url)('@SDK_CJS@');
const inner = trackCjs(function inner() { return 'from cjs'; });
const outer = trackEsm(function outer() { return inner(); });
console.log(outer());
`,
      { env: env('dual') },
    );
    expect(run).toMatchObject({ code: 0, stdout: 'from cjs\n' });
    const detail = await eventually(() => onlyTrace(c, 'dual'));
    expect(childrenOf(detail, spanNamed(detail, 'outer'))).toMatchObject([{ name: 'inner' }]);
  });

  it("drops the installed package's own frames from an error's stack, keeping the user's", async () => {
    const { dir } = await sdkBundle();
    const app = tempDir('spanscope-app-');
    const pkg = join(app, 'node_modules', 'spanscope');
    cpSync(dir, join(pkg, 'dist'), { recursive: true });
    cpSync(join(SDK_DIR, 'package.json'), join(pkg, 'package.json'));
    const script = join(app, 'app.cjs');
    writeFileSync(
      script,
      [
        "const { track, flush } = require('spanscope');",
        "const inner = track(function inner_step() { throw new TypeError('bad step'); });",
        'const outer = track(function outer_step() { return inner(); });',
        'try { outer(); } catch (e) { console.log(e.message); }',
        'flush();',
      ].join('\n'),
    );
    const stdout = execFileSync(process.execPath, [script], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '', ...env('installed-stack') },
    });
    expect(stdout).toBe('bad step\n');
    const detail = await eventually(() => onlyTrace(c, 'installed-stack'));
    const stack = spanNamed(detail, 'outer_step').error_info!.traceback!;
    const frames = stack.split('\n').filter((l) => /^\s+at /.test(l));
    expect(
      frames.filter((l) => l.includes(pkg)),
      stack,
    ).toEqual([]);
    expect(frames[0], stack).toMatch(/at inner_step \(.*app\.cjs:2:\d+\)/);
    expect(frames[1], stack).toMatch(/at outer_step \(.*app\.cjs:3:\d+\)/);
  });

  it('resolves the package by name through its exports, with types for import and require', async () => {
    // The package as npm would install it: package.json, both bundles and the declarations.
    const { dir } = await sdkBundle();
    const app = tempDir('spanscope-app-');
    const pkg = join(app, 'node_modules', 'spanscope');
    cpSync(dir, join(pkg, 'dist'), { recursive: true });
    cpSync(join(SDK_DIR, 'package.json'), join(pkg, 'package.json'));
    // Its build info goes to the temp folder too: left in sdk/node/dist it would tell the next
    // `tsc -b` that declarations it never wrote there are up to date.
    execFileSync(process.execPath, [
      TSC,
      '-p',
      join(SDK_DIR, 'tsconfig.json'),
      '--outDir',
      join(pkg, 'dist/types'),
      '--tsBuildInfoFile',
      join(app, 'sdk.tsbuildinfo'),
    ]);
    for (const entry of ['index.d.mts', 'index.d.cts'])
      writeFileSync(join(pkg, 'dist', entry), "export * from './types/index.js';\n");

    writeFileSync(
      join(app, 'app.mjs'),
      "import { track } from 'spanscope';\nimport { createRequire } from 'node:module';\nconst cjs = createRequire(import.meta.url)('spanscope');\nconsole.log(typeof track, typeof cjs.track, typeof cjs.initLogger);\n",
    );
    expect(
      execFileSync(process.execPath, [join(app, 'app.mjs')], {
        encoding: 'utf8',
        env: { ...process.env, SPANSCOPE_DISABLE: '1' },
      }),
    ).toBe('function function function\n');

    // A TypeScript user on node16 resolution, ESM and CommonJS, without Node's typings.
    writeFileSync(
      join(app, 'esm.mts'),
      [
        "import { track, initLogger, Client, trackOpenAI, getCurrentSpan, type Span } from 'spanscope';",
        'const doubled: Promise<number> = track(async (x: number) => x * 2)(2);',
        "const span: Span = initLogger({ projectName: 'p' }).startSpan({ name: 'x' });",
        'span.log({ input: 1, scores: { a: 1 } });',
        'const exported: string = span.export();',
        "new Client().trace({ name: 't' }).span({ name: 's', type: 'llm' }).end();",
        'getCurrentSpan()?.update({ usage: { prompt_tokens: 1 } });',
        'const client: { chat: number } = trackOpenAI({ chat: 1 });',
        'export { doubled, exported, client };',
      ].join('\n'),
    );
    writeFileSync(
      join(app, 'cjs.cts'),
      "import { track } from 'spanscope';\nexport const g: (a: string) => string = track({ name: 'g' }, (a: string) => a);\n",
    );
    writeFileSync(
      join(app, 'bad.mts'),
      "import { track } from 'spanscope';\nexport const n: string = track((x: number) => x)(1);\n",
    );
    const tsconfig = {
      compilerOptions: {
        module: 'node16',
        moduleResolution: 'node16',
        strict: true,
        noEmit: true,
        types: [],
        skipLibCheck: false,
      },
      files: ['esm.mts', 'cjs.cts', 'bad.mts'],
    };
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(tsconfig));
    const errors = (() => {
      try {
        execFileSync(process.execPath, [TSC, '-p', join(app, 'tsconfig.json')], { encoding: 'utf8' });
        return [];
      } catch (err) {
        return String((err as { stdout?: string }).stdout)
          .split('\n')
          .filter((l) => l.includes('error TS'));
      }
    })();
    // The only error is the wrong use: the types resolve, and they do say something.
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/bad\.mts\(2,.*Type 'number' is not assignable to type 'string'/);
  }, 120_000);
});

describe('source locations', () => {
  const source = `import { track } from '@SDK_ESM@';

interface Options { loud: boolean }

class Shouter {
  @track
  shout(text: string, options: Options): string {
    return options.loud ? text.toUpperCase() : text;
  }
}

export const greeter = track(function greet(name: string): string {
  return new Shouter().shout('hi ' + name, { loud: true });
});
console.log(greeter('ann'));
`;

  async function compiled(): Promise<{ ts: string; js: string }> {
    const { mjs } = await sdkBundle();
    const dir = tempDir('spanscope-ts-');
    const ts = join(dir, 'app.ts');
    const js = join(dir, 'app.mjs');
    writeFileSync(ts, source.replace('@SDK_ESM@', mjs));
    // Standard (TC39) decorators, lowered by esbuild, with a source map next to the output.
    await esbuild.build({
      entryPoints: [ts],
      outfile: js,
      format: 'esm',
      platform: 'node',
      target: 'node18',
      sourcemap: 'linked',
      bundle: false,
    });
    return { ts, js };
  }

  it('points at the TypeScript source when the process runs with --enable-source-maps', async () => {
    const { ts } = await compiled();
    const js = ts.replace(/\.ts$/, '.mjs');
    const run = await runScript(`await import(${JSON.stringify(js)});`, {
      env: env('sourcemaps-on'),
      args: ['--enable-source-maps'],
    });
    expect(run).toMatchObject({ code: 0, stdout: 'HI ANN\n' });
    const detail = await eventually(() => onlyTrace(c, 'sourcemaps-on'));
    expect(spanNamed(detail, 'greet').code_location).toEqual({ file: ts, line: 12, function: 'greet' });
    // A decorated method is located at its definition (the line after `@track`).
    expect(spanNamed(detail, 'shout')).toMatchObject({
      code_location: { file: ts, line: 7, function: 'shout' },
      input: { text: 'hi ann', options: { loud: true } },
      output: 'HI ANN',
    });
  });

  it('points at the compiled file when source maps are off', async () => {
    const { js } = await compiled();
    const run = await runScript(`await import(${JSON.stringify(js)});`, { env: env('sourcemaps-off') });
    expect(run).toMatchObject({ code: 0, stdout: 'HI ANN\n' });
    const detail = await eventually(() => onlyTrace(c, 'sourcemaps-off'));
    expect(spanNamed(detail, 'greet').code_location).toMatchObject({ file: js, function: 'greet' });
  });
});
