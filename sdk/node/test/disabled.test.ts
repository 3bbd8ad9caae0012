// Disabled means "the script runs exactly as before" (issue 13, item 11), proved in child
// processes: the seeds' code (Opik's pages and Braintrust's, with the real `openai` client
// against the fake OpenAI server) prints the same with SPANSCOPE_DISABLE=1 as traced into the
// real collector; and every export of the SDK, every method of the objects it makes and of
// every handle they give, called with arguments drawn from a pool of plausible and odd
// values, never throws, never rejects and never gives undefined where a handle is expected.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../../../test/support/collector';
import { startFakeOpenAI, type FakeOpenAI } from '../../../test/support/fakeOpenAI';
import { eventually, tracesOf } from '../../../test/support/traces';
import { runScript } from './scripts';

let c: TestCollector;
let api: FakeOpenAI;
beforeAll(async () => {
  [c, api] = await Promise.all([startTestCollector(), startFakeOpenAI()]);
});
afterAll(async () => {
  await Promise.all([c.close(), api.close()]);
});

/**
 * Members the SDK's source marks \`@internal\` (stripped from its published types) or
 * private/protected: not public API, so the enumeration leaves them out.
 */
function internalMembers(): string[] {
  const src = join(__dirname, '../src');
  const names = new Set<string>();
  // The files of the classes whose instances the enumeration explores.
  for (const file of ['records.ts', 'client.ts', 'logger.ts', 'noop.ts']) {
    const text = readFileSync(join(src, file), 'utf8');
    for (const m of text.matchAll(
      /\/\*\*(?:(?!\*\/)[\s\S])*@internal(?:(?!\*\/)[\s\S])*\*\/\s*(?:(?:readonly|private|protected|override|abstract|static|get|set|async)\s+)*(\w+)/g,
    ))
      names.add(m[1]);
    for (const m of text.matchAll(
      /^\s*(?:override\s+)?(?:private|protected)\s+(?:(?:readonly|static|override|async)\s+)*(\w+)/gm,
    ))
      names.add(m[1]);
  }
  return [...names];
}

const OPENAI = pathToFileURL(createRequire(__filename).resolve('openai')).href;

// The seeds in TypeScript's spelling of our SDK. It prints what a user would see, never ids.
const SEEDS = `
import OpenAI from '${OPENAI}';
import { Client, currentSpan, flush, getCurrentSpan, getCurrentTrace, initLogger, track, traced, trackOpenAI, updateCurrentSpan, updateCurrentTrace, wrapOpenAI } from '@SDK_ESM@';

const openai = trackOpenAI(new OpenAI({ apiKey: 'sk-test', baseURL: process.env.FAKE_OPENAI, maxRetries: 0 }));

// Opik: "Log using function annotators"
const preprocessInput = track(function preprocessInput(text) { return text.trim().toLowerCase(); });
const generateResponse = track(async function generateResponse(prompt) {
  const response = await openai.chat.completions.create({ model: 'gpt-3.5-turbo', messages: [{ role: 'user', content: prompt }] });
  return response.choices[0].message.content;
});
const postprocessOutput = track(function postprocessOutput(response) { return response.toUpperCase(); });
const llmChain = track({ name: 'my_llm_application' }, async (inputText) => postprocessOutput(await generateResponse(preprocessInput(inputText))));
console.log(await llmChain('Hello, how are you?'));

// Opik: "Update trace and span attributes", and the notebook's scoring
const updatingChain = track(function updatingChain(input) {
  const trace = getCurrentTrace();
  trace.update({ tags: ['llm_chatbot'] });
  trace.logFeedbackScore({ name: 'user_feedback', value: 1.0, reason: 'The response was helpful and accurate.' });
  getCurrentSpan().update({ name: 'llm_chain' });
  updateCurrentTrace({ feedbackScores: [{ name: 'translation_quality', value: 0.95 }] });
  updateCurrentSpan({ metadata: { step: 2 } });
  return input + ' updated';
});
console.log(updatingChain('chain'));

// Opik: "Log traces and spans manually" and "Log scores to traces and spans"
const client = new Client({ projectName: 'test' });
let trace = client.trace({ name: 'my_trace', input: { user_question: 'Hello, how are you?' }, output: { response: 'Comment ça va?' } });
trace.span({ name: 'Add prompt template', input: { text: 'Hello' }, output: { text: 'Translate: hello' } });
trace.span({ name: 'llm_call', type: 'llm', input: { prompt: 'Translate' }, output: { response: 'Comment ça va?' } });
trace.end();
trace = client.trace({ name: 'my_trace' });
client.logTracesFeedbackScores([{ id: trace.id, name: 'overall_quality', value: 0.85 }, { id: trace.id, name: 'coherence', value: 0.75 }]);
const span = trace.span({ name: 'my_span' });
client.logSpansFeedbackScores([{ id: span.id, name: 'overall_quality', value: 0.85 }]);
console.log('manual', typeof trace.id, typeof span.id, await client.flush());

// Braintrust: "Logging with invoke" and "Collecting multiple scores"
const logger = initLogger({ projectName: 'My Project' });
const btClient = wrapOpenAI(new OpenAI({ apiKey: 'sk-test', baseURL: process.env.FAKE_OPENAI, maxRetries: 0 }));
const someLlmFunction = traced(async function someLlmFunction(input) {
  return btClient.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'system', content: 'Classify the following text as a question or a statement.' }, { role: 'user', content: input }] });
});
async function myRouteHandler(req) {
  return logger.traced(async (span) => {
    const result = await someLlmFunction(req.body);
    span.log({ input: req.body, output: result });
    currentSpan().log({ metadata: { route: 'handler' } });
    return { result, requestId: span.export() };
  });
}
async function myFeedbackHandler(req) {
  const span = logger.startSpan({ name: 'feedback', parent: req.body.requestId });
  logger.logFeedback({ id: span.id, scores: { correctness: req.body.score }, comment: req.body.comment, metadata: { user_id: req.user.id } });
  span.end();
}
const reply = await myRouteHandler({ body: 'Is this a question?' });
console.log(reply.result.choices[0].message.content, typeof reply.requestId);
await myFeedbackHandler({ body: { requestId: reply.requestId, score: 1, comment: 'ok' }, user: { id: 'u1' } });
logger.logFeedback({ id: reply.requestId, scores: { correctness: 0 } });
console.log('flushed', await flush());
`;

// Every export, every method of what it makes, and of every handle those give, called with
// arguments drawn from POOL (a seeded generator, many rounds). \`configure\` is left out: it is
// how a script sets tracing up, not something tracing code calls.
const PROPERTY = `
import * as sdk from '@SDK_ESM@';
let seed = 1234;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (list) => list[Math.floor(random() * list.length)];
const POOL = [undefined, null, 'x', '', 0, 1.5, -1, true, NaN, { a: 1 }, { name: 'n', value: 1 }, ['t'], [{ id: 'i', name: 'n', value: 0.5 }], () => 1, async () => 2, Symbol('s'), 10n, new Date(), Object.create(null)];
const INTERNAL = new Set(JSON.parse(process.env.INTERNAL));
const HANDLES = new Set(['trace', 'span', 'startSpan', 'getCurrentSpan', 'getCurrentTrace', 'currentSpan']);
const failures = new Map();
const seen = new Set();
let calls = 0;
const methods = new Set();

function methodsOf(obj) {
  const names = new Set();
  for (let p = Object.getPrototypeOf(obj); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const n of Object.getOwnPropertyNames(p)) if (n !== 'constructor' && !INTERNAL.has(n) && typeof Object.getOwnPropertyDescriptor(p, n).value === 'function') names.add(n);
  }
  for (const n of Object.keys(obj)) if (!INTERNAL.has(n) && typeof obj[n] === 'function') names.add(n);
  return [...names].sort();
}

async function exercise(label, name, call, depth) {
  for (let round = 0; round < 40; round++) {
    const args = Array.from({ length: round === 0 ? 0 : Math.floor(random() * 4) }, () => pick(POOL));
    calls++;
    let result;
    try {
      result = call(...args);
      if (result && typeof result.then === 'function') result = await result;
    } catch (err) {
      if (!failures.has(label)) failures.set(label, label + ': ' + String(err && err.stack || err).slice(0, 300));
      continue;
    }
    if (HANDLES.has(name) && (result === undefined || result === null)) failures.set(label, label + ' gave ' + result);
    if (depth < 2 && result && typeof result === 'object' && typeof result.logFeedbackScore === 'function' && !seen.has(result)) {
      seen.add(result);
      await explore(result, label + '()', depth + 1);
    }
  }
}

async function explore(obj, label, depth) {
  for (const name of methodsOf(obj)) methods.add(name);
  for (const name of methodsOf(obj)) await exercise(label + '.' + name, name, (...a) => obj[name](...a), depth);
}

for (const name of Object.keys(sdk).sort()) {
  const value = sdk[name];
  if (name === 'configure' || typeof value !== 'function') continue;
  if (/^[A-Z]/.test(name)) {
    await exercise('new ' + name, name, (...a) => new value(...a), 0);
    await explore(new value(), 'new ' + name + '()', 0);
  } else {
    await exercise(name, name, value, 0);
  }
}
await exercise('getCurrentSpan', 'getCurrentSpan', sdk.getCurrentSpan, 1);
await exercise('getCurrentTrace', 'getCurrentTrace', sdk.getCurrentTrace, 1);
const inside = sdk.track(function inside() {
  sdk.getCurrentTrace().update({ tags: ['llm_chatbot'] });
  sdk.currentSpan().log({ output: 1 });
  return sdk.getCurrentSpan().span({ name: 'child' }).end();
});
inside();
console.log(JSON.stringify({ calls, failures: [...failures.values()], handles: seen.size, methods: [...methods] }));
`;

describe('SPANSCOPE_DISABLE', () => {
  it("prints the seeds' output unchanged and raises nothing", async () => {
    const env = {
      SPANSCOPE_URL: `http://127.0.0.1:${c.port}`,
      SPANSCOPE_PROJECT: 'seeds-traced',
      FAKE_OPENAI: api.baseURL,
    };
    const traced = await runScript(SEEDS, { env });
    expect(traced).toMatchObject({ code: 0, stderr: '' });
    expect(traced.stdout).toContain('COMMENT ÇA VA?');
    // The traced run really traced, so the comparison means something.
    await eventually(async () => expect((await tracesOf(c, 'My Project')).length).toBeGreaterThan(0));
    const before = (await tracesOf(c, 'test')).length;

    for (const flag of ['1', 'true']) {
      const disabled = await runScript(SEEDS, { env: { ...env, SPANSCOPE_DISABLE: flag } });
      expect(disabled).toMatchObject({ code: 0, stderr: '', stdout: traced.stdout });
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(await tracesOf(c, 'test')).toHaveLength(before);
  });

  it("keeps Opik's undefined outside a trace while tracing is on, and Braintrust's no-op currentSpan()", async () => {
    const run = await runScript(
      `
import { currentSpan, getCurrentSpan, getCurrentTrace, updateCurrentTrace } from '@SDK_ESM@';
console.log(getCurrentSpan(), getCurrentTrace(), JSON.stringify(currentSpan().export()));
currentSpan().log({ output: 1 });
updateCurrentTrace({ tags: ['x'] });
`,
      { env: { SPANSCOPE_URL: `http://127.0.0.1:${c.port}`, SPANSCOPE_PROJECT: 'outside' } },
    );
    expect(run).toMatchObject({ code: 0, stdout: 'undefined undefined ""\n' });
    expect(run.stderr).toContain('updateCurrentTrace() was called outside a tracked function');
  });

  it('lets no export, method or handle throw, reject, or give undefined for a trace or span', async () => {
    const run = await runScript(PROPERTY, {
      env: {
        SPANSCOPE_URL: `http://127.0.0.1:${c.port}`,
        SPANSCOPE_PROJECT: 'property',
        SPANSCOPE_DISABLE: '1',
        INTERNAL: JSON.stringify(internalMembers()),
      },
      timeoutMs: 60_000,
    });
    expect(run.code).toBe(0);
    // Arguments that make no sense get a one-line warning (a callback that is not a function);
    // nothing else: no internal error, no stack.
    expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
    for (const line of run.stderr.split('\n').filter(Boolean)) expect(line).toMatch(/^spanscope: /);
    const report = JSON.parse(run.stdout.trim().split('\n').pop()!);
    expect(report.failures).toEqual([]);
    expect(report.calls).toBeGreaterThan(1000);
    // The enumeration reached handles (do-nothing span and trace), not only the exports.
    expect(report.handles).toBeGreaterThanOrEqual(2);
    expect(report.methods).toEqual(
      expect.arrayContaining([
        'update',
        'span',
        'startSpan',
        'log',
        'export',
        'end',
        'logFeedbackScore',
        'logFeedback',
        'traced',
      ]),
    );
    expect(report.methods).not.toContain('finishCall');
    await new Promise((r) => setTimeout(r, 200));
    expect(await tracesOf(c, 'property')).toHaveLength(0);
  }, 90_000);
});
