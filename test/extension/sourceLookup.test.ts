import { describe, expect, it } from 'vitest';
import { candidatePaths, definitionLines, exactSymbols, symbolNames } from '../../src/extension/source/sourceLookup';

describe('where a code location’s file is looked for', () => {
  it('takes an absolute path as it is', () => {
    expect(candidatePaths('/home/me/app.py', ['/ws'])).toEqual(['/home/me/app.py']);
    expect(candidatePaths('file:///home/me/app%20x.py', ['/ws'])).toEqual(['/home/me/app x.py']);
  });

  it('looks a relative path up under each workspace folder', () => {
    expect(candidatePaths('src/app.py', ['/a', '/b'])).toEqual(['/a/src/app.py', '/b/src/app.py']);
    expect(candidatePaths('app.py', [])).toEqual([]);
    expect(candidatePaths('  ', ['/a'])).toEqual([]);
  });
});

describe('looking a span’s function up by name', () => {
  it('uses the name and its last segment', () => {
    expect(symbolNames('llm_chain')).toEqual(['llm_chain']);
    expect(symbolNames('Agent.run')).toEqual(['Agent.run', 'run']);
    expect(symbolNames('pkg.mod:answer()')).toEqual(['pkg.mod:answer', 'answer']);
  });

  it('does not guess from an operation name', () => {
    expect(symbolNames('OpenAI chat completion')).toEqual([]);
    expect(symbolNames('POST /api/x')).toEqual([]);
    expect(symbolNames('')).toEqual([]);
  });

  it('keeps exact matches only, callables first, the qualified one when the span names its class', () => {
    const symbols = [
      { name: 'run_all', kind: 11 },
      { name: 'run', containerName: 'Worker', kind: 5 },
      { name: 'run', containerName: 'Agent', kind: 5 },
      { name: 'run', kind: 12 },
    ];
    expect(exactSymbols(symbols, 'run').map((s) => s.containerName ?? '-')).toEqual(['Worker', 'Agent', '-']);
    expect(exactSymbols(symbols, 'Agent.run')).toEqual([{ name: 'run', containerName: 'Agent', kind: 5 }]);
    expect(exactSymbols(symbols, 'missing')).toEqual([]);
  });
});

describe('finding a definition without a language server', () => {
  it('finds Python functions, methods and classes', () => {
    const py = [
      'import x',
      'def chat(q):',
      '    return chat(q)',
      'class Agent:',
      '    async def chat (self):',
      '        pass',
    ].join('\n');
    expect(definitionLines(py, 'chat')).toEqual([2, 5]);
    expect(definitionLines(py, 'Agent')).toEqual([4]);
  });

  it('finds JavaScript and TypeScript definitions but not calls', () => {
    const ts = [
      'export async function answer(q: string) {',
      'const answer2 = async (q) => q;',
      'export const answer = async (q: string): Promise<string> => q;',
      'class A {',
      '  private async answer(q: string): Promise<void> {',
      '    answer(q);',
      '    if (answer(q)) {',
      '  }',
      '}',
    ].join('\n');
    expect(definitionLines(ts, 'answer')).toEqual([1, 3, 5]);
  });

  it('treats the name literally, not as a pattern', () => {
    expect(definitionLines('def a_b(): pass\ndef axb(): pass', 'a.b')).toEqual([]);
  });
});
