// Lenses follow the function by name in the text as it is now: definitions found in Python and
// TypeScript without a language server, methods told apart by class, and the nearest of two
// same-named definitions to the line the spans recorded.

import { describe, expect, it } from 'vitest';
import type { FunctionSummary } from '../../src/core/functions/functionIndex';
import { bareName, placeFunctions, scanDefinitions } from '../../src/extension/editor/functionPlacement';

const fn = (name: string, line: number | null, file: string | null = '/w/app.py'): FunctionSummary => ({
  file,
  function: name,
  line,
  calls: 1,
  running: 0,
  errors: 0,
  p50_ms: 1,
  p95_ms: 1,
  tokens: 0,
  cost: 0,
  scores: {},
  recent: [],
});

const PY = `import x

@track
def generate(question):
    return call(question)

class Agent:
    @track
    async def run(self):
        generate("q")

    def plan(self):
        pass

def run():
    if run:
        pass
`;

describe('scanDefinitions', () => {
  it('finds Python functions, classes and methods with their class', () => {
    expect(scanDefinitions(PY).map((d) => [d.name, d.line, d.column, d.container ?? null])).toEqual([
      ['generate', 3, 4, null],
      ['Agent', 6, 6, null],
      ['run', 8, 14, 'Agent'],
      ['plan', 11, 8, 'Agent'],
      ['run', 14, 4, null],
    ]);
  });

  it('finds TypeScript functions, arrow functions, wrapped functions and methods', () => {
    const ts = [
      'export async function answer(q: string) {',
      'const summarise = async (text: string) => {',
      'export const generate = track(async function generate() {',
      'class Bot {',
      '  async reply(msg: string): Promise<string> {',
      '    if (msg) {',
      '  }',
      '}',
    ].join('\n');
    expect(scanDefinitions(ts).map((d) => [d.name, d.line, d.container ?? null])).toEqual([
      ['answer', 0, null],
      ['summarise', 1, null],
      ['generate', 2, null],
      ['Bot', 3, null],
      ['reply', 4, 'Bot'],
    ]);
  });
});

describe('placeFunctions', () => {
  it('places a function at its definition now, not at the line its spans recorded', () => {
    const edited = `# a comment added above\n# and another\n${PY}`;
    expect(
      placeFunctions([fn('generate', 4)], scanDefinitions(edited), 99).map((p) => [p.summary.function, p.line]),
    ).toEqual([['generate', 5]]);
  });

  it('tells a method from a function of the same name by its class, and picks the nearest otherwise', () => {
    const defs = scanDefinitions(PY);
    expect(
      placeFunctions([fn('Agent.run', 9), fn('run', 15)], defs, 99).map((p) => [p.summary.function, p.line]),
    ).toEqual([
      ['Agent.run', 8],
      ['run', 14],
    ]);
    expect(placeFunctions([fn('run', 10)], defs, 99)[0].line).toBe(8);
  });

  it('keeps a located function with no definition found at its recorded line, and drops a name-only one', () => {
    expect(
      placeFunctions([fn('vanished', 2), fn('unknown', null, null)], scanDefinitions(PY), 99).map((p) => [
        p.summary.function,
        p.line,
        p.nameLength,
      ]),
    ).toEqual([['vanished', 1, 0]]);
    expect(placeFunctions([fn('vanished', 200)], [], 99)).toEqual([]);
  });

  it('reads qualified names down to the name written in code', () => {
    expect(bareName('outer.<locals>.inner')).toEqual({ name: 'inner', container: 'outer' });
    expect(bareName('pkg.mod:fn')).toEqual({ name: 'fn', container: 'mod' });
    expect(bareName('chat()')).toEqual({ name: 'chat' });
  });
});
