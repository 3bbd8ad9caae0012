import { describe, expect, it } from 'vitest';
import {
  CUT_MARKER,
  DEPTH_MARKER,
  DEPTH_MAX,
  NAME_MAX,
  TEXT_MAX,
  cutDepth,
  cutText,
  tooDeep,
} from '../../src/core/normalise/limits';
import { normaliseNativeBatch } from '../../src/core/normalise/native';
import { opikSpanBatch } from '../../src/core/normalise/opik';
import { anyValue } from '../../src/core/normalise/otlp';
import { at } from '../support/builders';
import { cutObject, deepObjectJson } from '../support/deepJson';

const deep = (levels: number) => JSON.parse(deepObjectJson(levels));

describe('the depth limit', () => {
  it('counts a container as one level and cuts at the first past the limit', () => {
    expect(tooDeep(deep(DEPTH_MAX))).toBe(false);
    expect(tooDeep(deep(DEPTH_MAX + 1))).toBe(true);
    expect(tooDeep('text')).toBe(false);
    expect(cutDepth(deep(3), 2)).toEqual({ a: { a: DEPTH_MARKER } });
    expect(cutDepth(deep(DEPTH_MAX + 1))).toEqual(cutObject(DEPTH_MAX));
  });

  it('keeps a `__proto__` key a field when it cuts', () => {
    const value = JSON.parse('{"__proto__":{"x":{"y":{}}},"b":[[[]]]}');
    const cut = cutDepth(value, 2) as Record<string, unknown>;
    expect(Object.getPrototypeOf(cut)).toBe(Object.prototype);
    expect(Object.keys(cut)).toEqual(['__proto__', 'b']);
    expect(JSON.stringify(cut)).toBe(`{"__proto__":{"x":"${DEPTH_MARKER}"},"b":["${DEPTH_MARKER}"]}`);
  });

  it('cuts a native event, notes the cut, and leaves a value within the limit as it came', () => {
    const metadata = deep(DEPTH_MAX + 500);
    const input = deep(DEPTH_MAX);
    const result = normaliseNativeBatch({
      events: [{ event: 'trace_start', trace: { id: 't', start_time: at(0), metadata, input } }],
    });
    expect(result.ok && result.cut).toBe(true);
    const trace = result.ok && result.patches[0].kind === 'trace' ? result.patches[0].trace : undefined;
    expect(trace!.metadata).toEqual(cutObject(DEPTH_MAX));
    expect(trace!.input).toBe(input);
    const clean = normaliseNativeBatch({
      events: [{ event: 'trace_start', trace: { id: 't', start_time: at(0), input } }],
    });
    expect(clean.ok && clean.cut).toBeFalsy();
  });

  it('cuts an OTLP list or kvlist at the same level as JSON', () => {
    let value: unknown = { stringValue: 'x' };
    for (let i = 0; i < 3; i++) value = { arrayValue: { values: [value] } };
    expect(anyValue(value, 2)).toEqual([[DEPTH_MARKER]]);
    expect(anyValue(value)).toEqual([[['x']]]);
  });
});

describe('the length limits', () => {
  it('cuts text to the limit, ending with the marker, never inside a surrogate pair', () => {
    expect(cutText('abcdef', 4)).toBe(`abc${CUT_MARKER}`);
    expect(cutText('abc', 4)).toBe('abc');
    expect(cutText('ab😀f', 4)).toBe(`ab${CUT_MARKER}`);
  });

  it('cuts names and free text in Opik records too, and refuses a long id', () => {
    const long = 'n'.repeat(NAME_MAX + 10);
    const result = opikSpanBatch({
      spans: [
        {
          id: 's',
          trace_id: 't',
          start_time: at(0),
          name: long,
          error_info: { exception_type: long, traceback: 'x'.repeat(TEXT_MAX + 1) },
        },
      ],
    });
    expect(result.problems).toEqual([]);
    expect(result.cut).toBe(true);
    const span = result.patches[0].kind === 'span' ? result.patches[0].span : undefined;
    expect(span!.name).toHaveLength(NAME_MAX);
    expect(span!.error_info!.exception_type).toHaveLength(NAME_MAX);
    expect(span!.error_info!.traceback).toHaveLength(TEXT_MAX);
    expect(opikSpanBatch({ spans: [{ id: 'x'.repeat(129), trace_id: 't', start_time: at(0) }] }).problems).toEqual([
      { index: 0, path: 'spans[0].id', message: 'must be 1–128 characters' },
    ]);
  });
});
