// From a span back to a call: arguments rebuilt in the form the function takes them (by
// position, by keyword, *args/**kwargs, ...rest), and one clear reason when that is not
// possible; the harness, pytest and vitest sources generated from the call.

import { describe, expect, it } from 'vitest';
import { withDerived } from '../../src/core/model/aggregates';
import type { Span } from '../../src/core/model/model';
import { type CallShape, planCall, type ReplayCall } from '../../src/core/replay/callPlan';
import { firstBodyLine } from '../../src/core/replay/bodyLine';
import { datasetFileName, datasetRow } from '../../src/core/replay/datasetRow';
import { exportsName, nodeHarness, nodeTestFile } from '../../src/core/replay/nodeSource';
import { pyLiteral, pytestFile, pythonHarness, pythonModule } from '../../src/core/replay/pythonSource';

function span(input: unknown, call?: CallShape, extra: Partial<Span> = {}): Span {
  return withDerived({
    id: 'span0000000000aa',
    trace_id: 'trace00000000001',
    project_name: 'p',
    name: 'answer',
    type: 'general',
    start_time: '2026-12-07T12:00:00.000000Z',
    end_time: '2026-12-07T12:00:01.000000Z',
    input,
    output: { text: 'ok' },
    metadata: call ? { 'spanscope.call': call } : undefined,
    code_location: { file: '/ws/app.py', line: 3, function: 'answer' },
    ...extra,
  });
}

function planned(s: Span): ReplayCall {
  const r = planCall(s, 'my_app');
  if (!r.ok) throw new Error(r.reason);
  return r.call;
}

function reason(s: Span): string {
  const r = planCall(s);
  if (r.ok) throw new Error('expected the call to be refused');
  return r.reason;
}

describe('planCall (Python)', () => {
  it('passes positional-or-keyword parameters by keyword, positional-only ones by position', () => {
    const call = planned(
      span(
        { a: 1, b: 'x', c: true },
        {
          qualname: 'answer',
          params: [
            ['a', 'pos_only', false],
            ['b', 'pos', false],
            ['c', 'kw_only', true],
          ],
        },
      ),
    );
    expect(call.args).toEqual([
      { kind: 'positional', value: 1 },
      { kind: 'keyword', name: 'b', value: 'x' },
      { kind: 'keyword', name: 'c', value: true },
    ]);
  });

  it('passes recorded defaults like any argument, and leaves out a missing one that has a default', () => {
    const call = planned(
      span(
        { q: 'hi' },
        {
          params: [
            ['q', 'pos', false],
            ['top_k', 'pos', true],
          ],
        },
      ),
    );
    expect(call.args).toEqual([{ kind: 'keyword', name: 'q', value: 'hi' }]);
  });

  it('passes everything before a non-empty *args by position, and unknown names to **kwargs', () => {
    const call = planned(
      span(
        { first: 1, rest: [2, 3], flag: false, extra: 'e' },
        {
          params: [
            ['first', 'pos', false],
            ['rest', 'var_pos', false],
            ['flag', 'kw_only', true],
            ['options', 'var_kw', false],
          ],
        },
      ),
    );
    expect(call.args).toEqual([
      { kind: 'positional', value: 1 },
      { kind: 'spread', value: [2, 3] },
      { kind: 'keyword', name: 'flag', value: false },
      { kind: 'keyword', name: 'extra', value: 'e' },
    ]);
  });

  it('calls a classmethod through its class', () => {
    const call = planned(span({ n: 2 }, { qualname: 'Agent.create', method: 'class', params: [['n', 'pos', false]] }));
    expect(call.qualname).toBe('Agent.create');
  });

  it('without a recorded shape (an older SDK), passes every argument by keyword', () => {
    expect(planned(span({ q: 'hi', k: 2 })).args).toEqual([
      { kind: 'keyword', name: 'q', value: 'hi' },
      { kind: 'keyword', name: 'k', value: 2 },
    ]);
  });

  it("takes the reviewer's expected over the output, and an error as what to expect", () => {
    expect(planned(span({}, { params: [] }, { expected: 'better' })).expected).toEqual({
      kind: 'value',
      value: 'better',
      source: 'expected',
    });
    const failed = span(
      {},
      { params: [] },
      { output: undefined, error_info: { exception_type: 'ValueError', message: 'kaboom' } },
    );
    expect(planned(failed).expected).toEqual({ kind: 'error', type: 'ValueError', message: 'kaboom' });
  });

  it.each([
    [
      'a method called on an instance',
      span({ q: 1 }, { qualname: 'Agent.answer', method: 'instance' }),
      'it is a method, and the object it was called on (self) is not recorded',
    ],
    [
      'a nested function',
      span({}, { qualname: 'outer.<locals>.inner' }),
      'it is defined inside another function (outer.<locals>.inner)',
    ],
    [
      'an argument that was not JSON',
      span({ client: '<Client object at 0x1>' }, { params: [['client', 'pos', false]], lossy: ['client'] }),
      'the argument `client` was not JSON (recorded as text)',
    ],
    [
      'an argument cut for size',
      span({ text: 'aaaa…[truncated]' }, { params: [['text', 'pos', false]] }),
      'the argument `text` was cut for size',
    ],
    [
      'a missing required argument',
      span({}, { params: [['q', 'pos', false]] }),
      'its required argument `q` is missing',
    ],
    [
      'a name the function does not take',
      span({ z: 1 }, { params: [['q', 'pos', true]] }),
      'the input has `z`, which is not a parameter',
    ],
    ['input not captured', span(undefined, { params: [['q', 'pos', false]] }), 'its input was not recorded'],
    ['no code location', span({}, undefined, { code_location: undefined }), 'the span has no code location'],
    [
      'a file of another language',
      span({}, undefined, { code_location: { file: '/ws/app.rb', line: 1, function: 'answer' } }),
      'neither Python nor JavaScript/TypeScript',
    ],
  ])('refuses %s with one clear reason', (_what, s, text) => {
    const r = reason(s);
    expect(r).toMatch(/^Spanscope can not re-run \S+: /);
    expect(r).toContain(text);
  });
});

describe('planCall (Node)', () => {
  const node = (input: unknown, call?: CallShape) =>
    span(input, call, { code_location: { file: '/ws/src/app.ts', line: 4, function: 'answer' } });

  it('passes arguments by position in parameter order, spreading ...rest', () => {
    expect(planned(node({ b: 2, a: 1, more: [3, 4] }, { names: ['a', 'b', 'more'], rest: true })).args).toEqual([
      { kind: 'positional', value: 1 },
      { kind: 'positional', value: 2 },
      { kind: 'spread', value: [3, 4] },
    ]);
  });

  it('passes undefined for a parameter left out before a given one, argN for destructured ones', () => {
    expect(planned(node({ a: 1, arg2: { x: 1 } }, { names: ['a', 'b', null] })).args).toEqual([
      { kind: 'positional', value: 1 },
      { kind: 'positional', value: undefined },
      { kind: 'positional', value: { x: 1 } },
    ]);
  });

  it('refuses a method and a name that is no export', () => {
    expect(reason(node({}, { method: 'instance' }))).toContain('(this) is not recorded');
    expect(reason(span({}, { qualname: 'Agent.answer' }, { code_location: { file: '/ws/a.js', line: 1 } }))).toContain(
      'is not a module export',
    );
  });
});

describe('generated sources', () => {
  const call = planned(
    span(
      { q: 'What is 2+2?', opts: { temperature: 0 } },
      {
        params: [
          ['q', 'pos', false],
          ['opts', 'pos', true],
        ],
      },
    ),
  );

  it('renders JSON values as Python literals', () => {
    expect(pyLiteral({ a: [1, null, true, false, 'é"'] })).toBe('{"a": [1, None, True, False, "é\\""]}');
  });

  it('imports from the workspace folder by dotted name, else beside the file', () => {
    expect(pythonModule('/ws/pkg/agent.py', '/ws')).toEqual({ module: 'pkg.agent', path: '/ws' });
    expect(pythonModule('/ws/my-dir/agent.py', '/ws')).toEqual({ module: 'agent', path: '/ws/my-dir' });
    expect(pythonModule('/elsewhere/agent.py', '/ws')).toEqual({ module: 'agent', path: '/elsewhere' });
  });

  it('writes a harness that calls the function with the arguments', () => {
    const src = pythonHarness(call, '/ws');
    expect(src).toContain('_spanscope_load("app", "/ws", "answer")');
    expect(src).toContain('answer(q="What is 2+2?", opts={"temperature": 0})'.replace('answer(', 'function('));
  });

  it('writes a pytest file that says where it came from and asserts the output, with nothing left to fill', () => {
    const src = pytestFile(call, { workspaceRoot: '/ws', defaultCollector: 'http://127.0.0.1:7726' });
    expect(src).toContain('trace "my_app" (trace trace00000000001, span span0000000000aa)');
    expect(src).toContain('assert _as_recorded(result) == {"text": "ok"}');
    expect(src).toContain('COLLECTOR + "/v1/proxy-replay"');
    expect(src).not.toMatch(/TODO|FIXME|<[a-z ]+>|\.\.\.$/m);
  });

  it('writes vitest and node:test files and a Node harness', () => {
    const n = planned(
      span({ q: 'x' }, { names: ['q'] }, { code_location: { file: '/ws/src/app.ts', line: 2, function: 'answer' } }),
    );
    const vitest = nodeTestFile(n, {
      runner: 'vitest',
      importPath: '../src/app.ts',
      defaultCollector: 'http://127.0.0.1:7726',
    });
    expect(vitest).toContain(`import { expect, test } from 'vitest';`);
    expect(vitest).toContain('const { answer } = await import("../src/app.ts");');
    expect(vitest).toContain('expect(asRecorded(result)).toEqual({"text":"ok"});');
    expect(nodeTestFile(n, { runner: 'node:test', importPath: '../src/app.ts', defaultCollector: 'x' })).toContain(
      'assert.deepEqual(asRecorded(result), {"text":"ok"});',
    );
    expect(nodeHarness(n)).toContain('spanscopeSettle(fn("x"))');
  });

  it('finds ESM and CommonJS exports', () => {
    expect(exportsName('export async function answer(q) {}', 'answer')).toBe(true);
    expect(exportsName('export const answer = track(async (q) => q);', 'answer')).toBe(true);
    expect(exportsName('const answer = 1;\nexport { other, answer as answer };', 'answer')).toBe(true);
    expect(exportsName('exports.answer = answer;', 'answer')).toBe(true);
    expect(exportsName('async function answer(q) {}', 'answer')).toBe(false);
  });
});

describe('datasetRow', () => {
  it('keeps input, expected (else output), metadata without the call shape, and the source span', () => {
    const row = datasetRow(span({ q: 1 }, { params: [] }, { expected: 'E' }));
    expect(row).toEqual({
      input: { q: 1 },
      expected: 'E',
      metadata: { function: 'answer' },
      source_span: {
        trace_id: 'trace00000000001',
        span_id: 'span0000000000aa',
        project_name: 'p',
        name: 'answer',
        start_time: '2026-12-07T12:00:00.000000Z',
      },
    });
    expect(datasetRow(span({}, undefined)).expected).toEqual({ text: 'ok' });
  });

  it('takes only names usable as file names', () => {
    expect(datasetFileName('golden set')).toBe('golden set.jsonl');
    expect(datasetFileName('../etc/passwd')).toBeUndefined();
  });
});

describe('firstBodyLine', () => {
  it('finds a Python body after a multi-line signature and a docstring, past decorators', () => {
    const src = [
      '@track',
      'def answer(',
      '    q: str = "(",',
      ') -> str:',
      '    """Answers.',
      '',
      '    More."""',
      '    # why',
      '    return q',
      '',
    ].join('\n');
    expect(firstBodyLine(src, 2, 'python')).toBe(9);
    expect(firstBodyLine('def f(x): return x\n', 1, 'python')).toBe(1);
  });

  it('finds a JavaScript body after the opening brace', () => {
    const src = [
      'export const answer = track(async function answer(q, { k } = {}) {',
      '  // first',
      '  const a = q;',
      '  return a;',
      '});',
    ].join('\n');
    expect(firstBodyLine(src, 1, 'node')).toBe(3);
    expect(firstBodyLine('export async function answer(q: string): Promise<string> {\n  return q;\n}', 1, 'node')).toBe(
      2,
    );
  });
});
