// The SDK's small pure parts: parameter names, snapshots, times, ids, export strings,
// stack frames and usage names.

import { describe, expect, it } from 'vitest';
import { isoFromMs } from '../src/clock';
import { parseFrame } from '../src/codeLocation';
import { decodeExported, encodeExported } from '../src/exported';
import { uuidv7 } from '../src/ids';
import { normaliseUsage } from '../src/openai/usage';
import { parameterNames } from '../src/params';
import { Encoded, encodeJson, snapshot, snapshotArgs } from '../src/snapshot';

describe('parameterNames', () => {
  const names = (fn: Function) => parameterNames(fn);

  it('reads plain, defaulted and rest parameters of every function form', () => {
    expect(
      names(function f(a: number, b = 2) {
        return a + b;
      }),
    ).toEqual({ names: ['a', 'b'], rest: false });
    expect(names((x: number) => x)).toEqual({ names: ['x'], rest: false });
    expect(names(async (text: string, ...more: string[]) => text + more.join(''))).toEqual({
      names: ['text', 'more'],
      rest: true,
    });
    expect(
      names(
        {
          method(first: string, second = 'a,b', third = { k: [1, 2] }) {
            return first + second + third;
          },
        }.method,
      ),
    ).toEqual({ names: ['first', 'second', 'third'], rest: false });
    expect(names(new Function('q', 'r', 'return q + r'))).toEqual({ names: ['q', 'r'], rest: false });
  });

  it('leaves destructured parameters unnamed (they become arg0, …)', () => {
    expect(names(({ a }: { a: number }, [b]: number[], c: number) => a + b + c)).toEqual({
      names: [undefined, undefined, 'c'],
      rest: false,
    });
  });

  it('copes with native and bound functions', () => {
    expect(names(Math.max)).toEqual({ names: [], rest: false });
    expect(
      names(
        function g(a: number) {
          return a;
        }.bind(null),
      ),
    ).toEqual({ names: [], rest: false });
  });
});

describe('snapshot', () => {
  it('keeps primitives as they are and the same arguments array when nothing needs copying', () => {
    const args = [1, 'two', true, null, undefined];
    expect(snapshotArgs(args)).toBe(args);
    expect(snapshot('text')).toBe('text');
  });

  it('copies the arguments array when one of them is an object, leaving the caller’s array alone', () => {
    const args: unknown[] = [1, { a: 1 }];
    const sealed = snapshotArgs(args);
    expect(sealed).not.toBe(args);
    expect(args[1]).toEqual({ a: 1 });
    expect(sealed[0]).toBe(1);
    expect(sealed[1]).toBeInstanceOf(Encoded);
    expect((sealed[1] as Encoded).json).toBe('{"a":1}');
  });

  it('never throws on hostile values', () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('no keys');
        },
        get: () => {
          throw new Error('no get');
        },
      },
    );
    expect(encodeJson(hostile)).toMatch(/^"\[unserialisable/);
    const toJSONThrows = {
      toJSON: () => {
        throw new Error('nope');
      },
    };
    expect(encodeJson({ v: toJSONThrows })).toBe('{"v":"[toJSON threw: Error: nope]"}');
  });
});

describe('isoFromMs', () => {
  it('writes six fractional digits and carries a rounded-up second', () => {
    expect(isoFromMs(Date.UTC(2026, 0, 2, 3, 4, 5, 123) + 0.4567)).toBe('2026-01-02T03:04:05.123457Z');
    expect(isoFromMs(Date.UTC(2026, 0, 2, 3, 4, 5, 999) + 0.9999)).toBe('2026-01-02T03:04:06.000000Z');
    expect(isoFromMs(Date.UTC(2026, 0, 2, 3, 4, 6))).toBe('2026-01-02T03:04:06.000000Z');
  });
});

describe('uuidv7', () => {
  it('makes version 7 ids that start with the millisecond time and do not repeat', () => {
    const ms = Date.UTC(2026, 0, 2);
    const ids = new Set(Array.from({ length: 1000 }, () => uuidv7(ms)));
    expect(ids.size).toBe(1000);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(ms);
    }
  });
});

describe('exported spans', () => {
  it('round-trips and refuses anything else', () => {
    const text = encodeExported({ traceId: 't-1', spanId: 's-1', projectName: 'My Project' });
    expect(text).toMatch(/^ss1\.[A-Za-z0-9_-]+$/);
    expect(decodeExported(text)).toEqual({ traceId: 't-1', spanId: 's-1', projectName: 'My Project' });
    expect(decodeExported('0193ab-plain-span-id')).toBeUndefined();
    expect(decodeExported('ss1.not base64 json')).toBeUndefined();
    expect(decodeExported(`ss1.${Buffer.from('{"t":"x"}').toString('base64url')}`)).toBeUndefined();
  });
});

describe('parseFrame', () => {
  it('reads the frame forms V8 writes', () => {
    expect(parseFrame('    at greet (/home/me/app.ts:12:5)')).toEqual({
      file: '/home/me/app.ts',
      line: 12,
      function: 'greet',
    });
    expect(parseFrame('    at file:///home/me/app.mjs:3:1')).toEqual({ file: '/home/me/app.mjs', line: 3 });
    expect(parseFrame('    at async Promise.all (index 0)')).toBeUndefined();
    expect(parseFrame('    at new Foo (/x/y.js:1:2)')).toEqual({ file: '/x/y.js', line: 1, function: 'Foo' });
    expect(parseFrame('    at node:internal/main/run_main_module:28:49')).toBeUndefined();
  });
});

describe('normaliseUsage', () => {
  it('names Responses API counters as Chat Completions does and flattens details', () => {
    expect(normaliseUsage({ input_tokens: 3, output_tokens: 4, input_tokens_details: { cached_tokens: 1 } })).toEqual({
      prompt_tokens: 3,
      completion_tokens: 4,
      total_tokens: 7,
      'prompt_tokens_details.cached_tokens': 1,
    });
    expect(normaliseUsage(null)).toBeUndefined();
  });
});
