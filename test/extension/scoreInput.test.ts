import { describe, expect, it } from 'vitest';
import {
  describeDefinition,
  offeredDefinitions,
  parseScoreDefinitions,
  scoreTitle,
  thumbsPatch,
  validateScoreName,
  validateScoreValue,
} from '../../src/extension/scoring/scoreInput';

describe('score definitions from settings', () => {
  it('keeps valid ranges and categories', () => {
    const { definitions, problems } = parseScoreDefinitions([
      { name: 'correctness', min: 0, max: 1 },
      { name: 'tone', categories: { good: 1, ok: 0.5, bad: 0 } },
      { name: 'free' },
    ]);
    expect(problems).toEqual([]);
    expect(definitions).toEqual([
      { name: 'correctness', min: 0, max: 1 },
      { name: 'tone', categories: { good: 1, ok: 0.5, bad: 0 } },
      { name: 'free' },
    ]);
  });

  it('skips bad entries and says why', () => {
    const { definitions, problems } = parseScoreDefinitions([
      { min: 0 },
      { name: 'a', min: 2, max: 1 },
      { name: 'b', categories: { x: 'high' } },
      'c',
      { name: 'ok' },
      { name: 'ok' },
    ]);
    expect(definitions).toEqual([{ name: 'ok' }]);
    expect(problems).toEqual([
      'spanscope.scores[0]: a name is required',
      'spanscope.scores[1]: min is above max',
      'spanscope.scores[2]: categories must map names to numbers',
      'spanscope.scores[3] is not an object',
      'spanscope.scores[5]: "ok" is defined twice',
    ]);
    expect(parseScoreDefinitions({}).problems).toEqual(['spanscope.scores must be a list of score definitions']);
  });

  it('describes each kind of definition', () => {
    expect(describeDefinition({ name: 'a', min: 0, max: 1 })).toBe('from 0 to 1');
    expect(describeDefinition({ name: 'a', min: 0 })).toBe('at least 0');
    expect(describeDefinition({ name: 'a', categories: { good: 1, bad: 0 } })).toBe('good (1) · bad (0)');
    expect(describeDefinition({ name: 'a' })).toBe('any number');
  });

  it('offers the thumbs score beside the defined ones', () => {
    expect(offeredDefinitions([{ name: 'a' }], 'user_feedback').map((d) => d.name)).toEqual(['a', 'user_feedback']);
    expect(offeredDefinitions([{ name: 'user_feedback', min: 0, max: 1 }], 'user_feedback')).toHaveLength(1);
  });
});

describe('a typed score value', () => {
  const def = { name: 'correctness', min: 0, max: 1 };
  it('is accepted inside the range', () => {
    expect(validateScoreValue('0.8', def)).toBeUndefined();
    expect(validateScoreValue(' 1 ', def)).toBeUndefined();
    expect(validateScoreValue('-3', undefined)).toBeUndefined();
  });

  it('is refused outside it, or when not a number, with a reason', () => {
    expect(validateScoreValue('1.5', def)).toBe('correctness is from 0 to 1');
    expect(validateScoreValue('-0.1', def)).toBe('correctness is from 0 to 1');
    expect(validateScoreValue('high', def)).toBe('"high" is not a number');
    expect(validateScoreValue('', def)).toBe('Type a number');
    expect(validateScoreValue('Infinity', undefined)).toBe('"Infinity" is not a number');
  });

  it('needs a sensible name', () => {
    expect(validateScoreName('  ')).toBeDefined();
    expect(validateScoreName('x'.repeat(101))).toBeDefined();
    expect(validateScoreName('a\nb')).toBeDefined();
    expect(validateScoreName('helpfulness')).toBeUndefined();
  });
});

describe('a thumbs click', () => {
  const target = { target: 'span' as const, id: 's1', trace_id: 't1' };
  it('sets the person’s score', () => {
    expect(thumbsPatch(target, 1, 'user_feedback', undefined)).toEqual({
      ...target,
      name: 'user_feedback',
      value: 1,
      source: 'ui',
    });
  });

  it('takes the same thumb back, and replaces the other', () => {
    const up = [{ name: 'user_feedback', value: 1, source: 'ui' as const, created_at: '' }];
    expect(thumbsPatch(target, 1, 'user_feedback', up).value).toBeNull();
    expect(thumbsPatch(target, 0, 'user_feedback', up).value).toBe(0);
  });

  it('ignores an SDK score of the same name', () => {
    const sdk = [{ name: 'user_feedback', value: 1, source: 'sdk' as const, created_at: '' }];
    expect(thumbsPatch(target, 1, 'user_feedback', sdk).value).toBe(1);
  });
});

describe('the title of "Score…"', () => {
  it('names what is being scored', () => {
    expect(scoreTitle([{ kind: 'trace', name: 'research_agent' }])).toBe('Score trace “research_agent”');
    expect(scoreTitle([{ kind: 'span', name: 'call_model' }])).toBe('Score span “call_model”');
    expect(scoreTitle([{ kind: 'span' }])).toBe('Score span');
    expect(
      scoreTitle([
        { kind: 'span', name: 'a' },
        { kind: 'trace', name: 'b' },
      ]),
    ).toBe('Score 2 items');
    expect(scoreTitle([{ kind: 'trace', name: 'x'.repeat(100) }])).toBe(`Score trace “${'x'.repeat(59)}…”`);
  });
});
