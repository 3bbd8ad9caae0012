import { describe, expect, it } from 'vitest';
import { Problems, readFields } from '../../src/core/normalise/validate';

describe('readFields: records kept as they came', () => {
  const spec = {
    id: 'id',
    start_time: 'time',
    input: 'json',
    code_location: 'codeLocation',
    error_info: 'errorInfo',
    model: 'string',
  } as const;
  const read = (raw: Record<string, unknown>, problems = new Problems()) =>
    readFields(raw, spec, { problems, index: 0, prefix: 'span' }, ['id']);

  it('are the record itself when validation has nothing to change', () => {
    const raw = {
      id: 'a',
      start_time: '2026-01-02T03:04:05.000000Z',
      input: { q: [1] },
      code_location: { file: '/a.py', line: 3, function: 'f' },
      error_info: { exception_type: 'E', message: 'm' },
    };
    expect(read(raw)).toBe(raw);
    const nullInput = { id: 'a', input: null }; // null is a JSON value there, not "left out"
    expect(read(nullInput)).toBe(nullInput);
  });

  it('are a cleaned copy when a field is dropped, a time made canonical, a null left out or a nested object cleaned', () => {
    const base = { id: 'a', start_time: '2026-01-02T03:04:05.000000Z' };
    const cases: [Record<string, unknown>, Record<string, unknown>][] = [
      [{ ...base, surprise: 1 }, base],
      [{ ...base, start_time: '2026-01-02T03:04:05Z' }, base],
      [{ ...base, model: null }, base],
      [
        { ...base, code_location: { file: '/a.py', line: 3, column: 9 } },
        { ...base, code_location: { file: '/a.py', line: 3 } },
      ],
      [
        { ...base, error_info: { exception_type: 'E', message: null } },
        { ...base, error_info: { exception_type: 'E' } },
      ],
      [JSON.parse('{"id":"a","__proto__":{"x":1}}'), { id: 'a' }],
    ];
    for (const [raw, expected] of cases) {
      const out = read(raw);
      expect(out).not.toBe(raw);
      expect(out).toEqual(expected);
    }
  });

  it('report problems as before when the record is not valid', () => {
    const problems = new Problems();
    read({ start_time: 'soon', model: 3 }, problems);
    expect(problems.list.map((p) => p.path)).toEqual(['span.start_time', 'span.model', 'span.id']);
  });
});
