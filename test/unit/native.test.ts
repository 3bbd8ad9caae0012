import { describe, expect, it } from 'vitest';
import { normaliseNativeBatch } from '../../src/core/normalise/native';
import { at, batch, score, spanEnd, spanStart, traceStart } from '../support/builders';

function problems(body: unknown) {
  const result = normaliseNativeBatch(body);
  if (result.ok) throw new Error('expected the batch to be rejected');
  return result;
}

describe('native batch validation', () => {
  it('turns events into patches with canonical times and unknown fields dropped', () => {
    const result = normaliseNativeBatch({
      seq: 7,
      events: [
        traceStart('t', { start_time: '2026-01-02T04:04:05+01:00', surprise: 1 }),
        spanStart('s', 't', {
          start_time: 1767323045000,
          type: 'llm',
          usage: { total_tokens: 3 },
          code_location: { file: '/a.py', line: 3 },
        }),
        { event: 'span_update', span: { id: 's', output: null } },
        score('span', 's', 'q', null),
      ],
    });
    expect(result).toEqual({
      ok: true,
      seq: 7,
      patches: [
        { kind: 'trace', trace: { id: 't', name: 'trace t', start_time: '2026-01-02T03:04:05.000000Z' } },
        {
          kind: 'span',
          span: {
            id: 's',
            trace_id: 't',
            name: 'span s',
            start_time: '2026-01-02T03:04:05.000000Z',
            type: 'llm',
            usage: { total_tokens: 3 },
            code_location: { file: '/a.py', line: 3 },
          },
        },
        { kind: 'span', span: { id: 's', output: null } },
        { kind: 'score', score: { target: 'span', id: 's', name: 'q', value: null } },
      ],
    });
  });

  it('reports every problem of every event with its index and field path', () => {
    const result = problems(
      batch(
        traceStart('ok'),
        { event: 'span_start', span: { id: 's', start_time: 'soon', type: 'robot' } },
        {
          event: 'span_end',
          span: {
            id: 'x'.repeat(129),
            trace_id: 't',
            end_time: '2026-01-01T00:00:00Z',
            usage: { total_tokens: 'many' },
          },
        },
        { event: 'nope' },
        'text',
        { event: 'score', score: { target: 'run', id: 's', name: '', value: 'high' } },
        { event: 'trace_update' },
      ),
    );
    expect(result.error).toBe('invalid batch: 6 of 7 events rejected');
    expect(result.details).toEqual([
      { index: 1, path: 'span.start_time', message: 'must be an ISO 8601 date-time or epoch milliseconds' },
      { index: 1, path: 'span.type', message: 'must be one of general, llm, tool, guardrail' },
      { index: 1, path: 'span.trace_id', message: 'is required' },
      { index: 2, path: 'span.id', message: 'must be 1–128 characters' },
      { index: 2, path: 'span.usage', message: 'must be an object of numbers (total_tokens is not)' },
      {
        index: 3,
        path: 'event',
        message: 'must be one of trace_start, trace_update, trace_end, span_start, span_update, span_end, score',
      },
      { index: 4, path: '', message: 'must be an object' },
      { index: 5, path: 'score.value', message: 'must be a number, or null to delete the score' },
      { index: 5, path: 'score.target', message: 'must be "trace" or "span"' },
      { index: 5, path: 'score.name', message: 'must not be empty' },
      { index: 6, path: 'trace', message: 'is required (an object)' },
    ]);
  });

  it('requires the fields each event needs', () => {
    expect(problems(batch({ event: 'span_end', span: { id: 's' } })).details.map((d) => d.path)).toEqual([
      'span.trace_id',
      'span.end_time',
    ]);
    expect(problems(batch({ event: 'trace_end', trace: { id: 't' } })).details.map((d) => d.path)).toEqual([
      'trace.end_time',
    ]);
    expect(normaliseNativeBatch(batch({ event: 'span_update', span: { id: 's', name: 'n' } })).ok).toBe(true);
  });

  it('refuses ids with control characters and nested fields of the wrong shape', () => {
    const result = problems(
      batch(
        spanEnd('a\nb', 't', {
          error_info: { message: 'x' },
          code_location: { file: '/a', line: 0 },
          tags: ['a', 1],
          metadata: [],
        }),
      ),
    );
    expect(result.details.map((d) => `${d.path}: ${d.message}`)).toEqual([
      'span.id: must not contain control characters',
      'span.metadata: must be an object',
      'span.tags: must be an array of strings',
      'span.error_info: must have exception_type (a string)',
      'span.code_location: must have line (an integer from 1)',
    ]);
  });

  it('checks every field of every record, whatever order the fields come in', () => {
    // Each of these follows a clean record whose field order it shares up to the field that is
    // wrong: what was read before must not decide how a record is read.
    const clean = () => spanEnd('s', 't', { start_time: at(1), name: 'n', usage: { total_tokens: 3 } });
    const same = (fields: Record<string, unknown>) => ({
      event: 'span_end',
      span: { ...(clean().span as object), ...fields },
    });
    const result = problems(
      batch(
        clean(),
        same({ start_time: 'yesterday' }),
        same({ name: 7 }),
        same({ usage: { total_tokens: 'three' } }),
        same({ id: 'a\u007fb' }),
        same({ trace_id: '' }),
        { event: 'span_end', span: { name: 'n', id: 's', end_time: at(2) } }, // another order, trace_id missing
        clean(),
        { event: 'span_end', span: { id: 's', trace_id: 't', end_time: null } },
      ),
    );
    expect(result.details.map((d) => `${d.index} ${d.path}: ${d.message}`)).toEqual([
      '1 span.start_time: must be an ISO 8601 date-time or epoch milliseconds',
      '2 span.name: must be a string',
      '3 span.usage: must be an object of numbers (total_tokens is not)',
      '4 span.id: must not contain control characters',
      '5 span.trace_id: must be 1–128 characters',
      '6 span.trace_id: is required',
      '8 span.end_time: is required',
    ]);
  });

  it('keeps a clean record as it came in any field order, and copies one with a field to drop or to make canonical', () => {
    const records = [
      { id: 'a', trace_id: 't', end_time: at(1), name: 'x' },
      { name: 'x', end_time: at(1), trace_id: 't', id: 'b' },
      { id: 'c', trace_id: 't', end_time: at(1), toString: 'not a field', name: 'x' },
      { id: 'd', trace_id: 't', end_time: 1767225600000, name: 'x' },
      JSON.parse('{"id":"e","trace_id":"t","end_time":"2026-01-01T00:00:00.000000Z","__proto__":{"polluted":true}}'),
    ];
    const result = normaliseNativeBatch(batch(...records.map((span) => ({ event: 'span_end', span }))));
    if (!result.ok) throw new Error(JSON.stringify(result.details));
    const spans = result.patches.map((p) => (p.kind === 'span' ? p.span : undefined));
    expect(spans.map((s, i) => s === records[i])).toEqual([true, true, false, false, false]);
    expect(Object.keys(spans[2]!).sort()).toEqual(['end_time', 'id', 'name', 'trace_id']);
    expect(spans[3]!.end_time).toBe('2026-01-01T00:00:00.000000Z');
    expect(Object.hasOwn(spans[4]!, '__proto__')).toBe(false);
  });

  it('refuses a body that is not a batch', () => {
    for (const body of [null, [], 'x', { events: {} }, {}]) {
      expect(problems(body).error).toBe('a batch must be a JSON object with an "events" array');
    }
  });

  it('lists at most 100 problems for a huge bad batch', () => {
    const result = problems({ events: Array.from({ length: 500 }, () => ({ event: 'bad' })) });
    expect(result.details).toHaveLength(100);
    expect(result.error).toContain('(only the first problems are listed)');
  });

  it('does not treat prototype keys as event names', () => {
    expect(problems(batch({ event: 'constructor', trace: { id: 't' } })).details[0].path).toBe('event');
  });
});
