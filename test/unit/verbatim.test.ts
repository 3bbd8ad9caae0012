import { describe, expect, it } from 'vitest';
import { locateRecords } from '../../src/core/normalise/verbatim';
import { readFields, Problems } from '../../src/core/normalise/validate';

const bytes = (text: string) => Buffer.from(text, 'utf8');

/** What the scan found for each element, as parsed JSON (undefined where it found nothing). */
function found(text: string, listKey: string, recordKey?: string): unknown[] | undefined {
  const source = bytes(text);
  const ranges = locateRecords(source, listKey, recordKey);
  if (!ranges) return undefined;
  return Array.from({ length: ranges.count }, (_, i) => (ranges.start[i] < 0 ? undefined : JSON.parse(source.subarray(ranges.start[i], ranges.end[i]).toString())));
}

describe('locating records in the bytes of a batch', () => {
  it('finds each event’s record object, whatever its strings hold and however it is spaced', () => {
    const text = ` { "seq" : 1 ,"events":[ {"event":"span_end","span" : {"id":"a","input":"he said \\"}]{\\" \\\\","n":[1,{"x":null}]}} ,
      {"span":{"id":"b","output":"ü 😀 \\u0041"},"event":"span_start"}, {"event":"trace_start","trace":{"id":"t"}}, 5, {"event":"span_end","span":"not an object"} ] } `;
    expect(found(text, 'events', 'span')).toEqual([
      { id: 'a', input: 'he said "}]{" \\', n: [1, { x: null }] },
      { id: 'b', output: 'ü 😀 A' },
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('finds the elements themselves when they are the records (Opik’s lists)', () => {
    expect(found('{"spans":[{"id":"a"},[1],{"id":"b","x":{"y":"]"}}]}', 'spans')).toEqual([{ id: 'a' }, undefined, { id: 'b', x: { y: ']' } }]);
    expect(found('{"spans":[]}', 'spans')).toEqual([]);
  });

  it('takes the last of duplicate keys, as JSON.parse does', () => {
    expect(found('{"events":[{"span":{"id":"first"},"span":{"id":"last"}}]}', 'events', 'span')).toEqual([{ id: 'last' }]);
    expect(found('{"events":[{"span":{"id":"a"},"span":3}]}', 'events', 'span')).toEqual([undefined]);
    expect(found('{"events":[{"span":{"id":"old"}}],"events":[{"span":{"id":"new"}},{}]}', 'events', 'span')).toEqual([{ id: 'new' }, undefined]);
    expect(found('{"events":[{"span":{"id":"a"}}],"events":false}', 'events', 'span')).toBeUndefined();
  });

  it('finds nothing where a key on the way is written with escapes (it could spell the key)', () => {
    expect(found('{"events":[{"span":{"id":"a"},"sp\\u0061n":{"id":"b"}},{"span":{"id":"c"}}]}', 'events', 'span')).toEqual([undefined, { id: 'c' }]);
    expect(found('{"ev\\u0065nts":[{"span":{"id":"a"}}]}', 'events', 'span')).toBeUndefined();
    // Escapes inside the record itself do not matter: its bytes are taken whole.
    expect(found('{"events":[{"span":{"i\\u0064":"a"}}]}', 'events', 'span')).toEqual([{ id: 'a' }]);
  });

  it('agrees with JSON.parse on random batches', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
    const strings = ['', 'plain', 'q"uote', 'back\\slash', '\\"', '}]', '{[', 'ünï', '😀', '\n\t', 'span', 'events', '\\\\"'];
    const value = (depth: number): unknown => {
      const r = random();
      if (depth > 3 || r < 0.3) return pick<unknown>([pick(strings), 1.5, -0, 1e21, true, false, null]);
      if (r < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [pick(strings), value(depth + 1)]));
    };
    const space = () => pick(['', ' ', '\n', '\t ', '\r\n']);
    /** JSON with random spacing, duplicate keys sometimes written twice (the first with another value). */
    const write = (v: unknown): string => {
      if (Array.isArray(v)) return `[${space()}${v.map((x) => `${write(x)}${space()}`).join(',')}]`;
      if (v && typeof v === 'object') {
        const members = Object.entries(v).map(([k, x]) => `${space()}${JSON.stringify(k)}${space()}:${space()}${write(x)}`);
        if (random() < 0.2) members.unshift(`"span":${write(value(2))}`);
        return `{${members.join(',')}${space()}}`;
      }
      return JSON.stringify(v);
    };
    let located = 0;
    for (let round = 0; round < 300; round++) {
      const events = Array.from({ length: Math.floor(random() * 6) }, () => (random() < 0.8 ? { event: 'span_end', span: value(1), other: value(2) } : value(1)));
      const text = write({ seq: round, events });
      const parsed = JSON.parse(text) as { events: unknown[] };
      const spans = found(text, 'events', 'span')!;
      expect(spans).toHaveLength(parsed.events.length);
      parsed.events.forEach((e, i) => {
        const span = e && typeof e === 'object' && !Array.isArray(e) ? (e as { span?: unknown }).span : undefined;
        const isRecord = span !== null && typeof span === 'object' && !Array.isArray(span);
        // A key written with escapes makes the scan give up on that event (never guess).
        const escapedKey = isRecord && Object.keys(e as object).some((k) => JSON.stringify(k).includes('\\'));
        expect(spans[i]).toEqual(isRecord && !escapedKey ? span : undefined);
        if (spans[i] !== undefined) located++;
      });
    }
    expect(located).toBeGreaterThan(100); // the comparison above was not vacuous
  });
});

describe('records kept as they came', () => {
  const spec = { id: 'id', start_time: 'time', input: 'json', code_location: 'codeLocation', error_info: 'errorInfo', model: 'string' } as const;
  const read = (raw: Record<string, unknown>, problems = new Problems()) => readFields(raw, spec, { problems, index: 0, prefix: 'span' }, ['id']);

  it('are the record itself when validation has nothing to change', () => {
    const raw = { id: 'a', start_time: '2026-01-02T03:04:05.000000Z', input: { q: [1] }, code_location: { file: '/a.py', line: 3, function: 'f' }, error_info: { exception_type: 'E', message: 'm' } };
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
      [{ ...base, code_location: { file: '/a.py', line: 3, column: 9 } }, { ...base, code_location: { file: '/a.py', line: 3 } }],
      [{ ...base, error_info: { exception_type: 'E', message: null } }, { ...base, error_info: { exception_type: 'E' } }],
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
