// One test per validation rule, for every field of every field table the native and Opik
// normalisers read with (validate.ts): "a record whose only fault is X is refused with a
// message naming X". A record with several faults proves little, since any one of them sends
// it down the careful path; here every record is clean but for the one field under test, and
// is sent both after a clean record with the same fields in the same order and on its own, so
// any shortcut taken for a record shaped like the one before it is tried as well as the full check.

import { describe, expect, it } from 'vitest';
import {
  SCORE_FIELDS as NATIVE_SCORE_FIELDS,
  SPAN_FIELDS as NATIVE_SPAN_FIELDS,
  TRACE_FIELDS as NATIVE_TRACE_FIELDS,
  normaliseNativeBatch,
} from '../../src/core/normalise/native';
import {
  SCORE_DELETE_FIELDS,
  SCORE_FIELDS as OPIK_SCORE_FIELDS,
  SPAN_FIELDS as OPIK_SPAN_FIELDS,
  THREAD_SCORE_DELETE_FIELDS,
  THREAD_SCORE_FIELDS,
  TRACE_FIELDS as OPIK_TRACE_FIELDS,
  type Normalised,
  opikScoreDelete,
  opikScores,
  opikSpan,
  opikSpanBatch,
  opikSpanUpdate,
  opikThreadScoreDelete,
  opikThreadScores,
  opikTrace,
  opikTraceBatch,
  opikTraceUpdate,
} from '../../src/core/normalise/opik';
import type { FieldKind, FieldSpec, Problem } from '../../src/core/normalise/validate';

type Fields = Record<string, unknown>;

const TIME = 'must be an ISO 8601 date-time or epoch milliseconds';
/** What JSON.parse makes of `1e400`: the one non-finite number a client can send. */
const INFINITE = JSON.parse('1e400') as number;

/**
 * The faults of each kind, with the message that names each. Kinds are keyed by FieldKind,
 * so a new kind does not compile until its faults are written here.
 */
const FAULTS: Record<FieldKind, [fault: string, value: unknown, message: string][]> = {
  id: [
    ['a number', 7, 'must be a string'],
    ['empty', '', 'must be 1–128 characters'],
    ['129 characters long', 'x'.repeat(129), 'must be 1–128 characters'],
    ['with a newline', 'a\nb', 'must not contain control characters'],
    ['with a DEL', 'a\u007fb', 'must not contain control characters'],
  ],
  string: [
    ['a number', 7, 'must be a string'],
    ['a list', ['a'], 'must be a string'],
    ['an object', { a: 1 }, 'must be a string'],
  ],
  text: [
    ['a number', 7, 'must be a string'],
    ['a boolean', true, 'must be a string'],
  ],
  time: [
    ['a word', 'yesterday', TIME],
    ['month 13', '2026-13-01T00:00:00Z', TIME],
    ['canonical in shape but February 30', '2026-02-30T03:04:05.000000Z', TIME],
    ['canonical in shape but hour 24', '2026-01-02T24:04:05.000000Z', TIME],
    // The same second as the clean record's times: only its fraction is wrong.
    ['a letter in the fraction', '2026-01-02T03:04:05.12345xZ', TIME],
    ['epoch milliseconds past the year 9999', 1e20, TIME],
    ['a boolean', true, TIME],
    ['an object', {}, TIME],
  ],
  // Any JSON value is an input or an output; values nested too deep are cut, not refused (limits.test.ts).
  json: [],
  object: [
    ['a string', 'not an object', 'must be an object'],
    ['a list', [1], 'must be an object'],
    ['a number', 3, 'must be an object'],
  ],
  tags: [
    ['a string', 'a', 'must be an array of strings'],
    ['a list holding a number', ['a', 1], 'must be an array of strings'],
    ['an object', { a: 'b' }, 'must be an array of strings'],
  ],
  usage: [
    ['a string', 'many', 'must be an object of numbers'],
    ['a list', [1], 'must be an object of numbers'],
    [
      'a count that is text',
      { prompt_tokens: 3, total_tokens: 'three' },
      'must be an object of numbers (total_tokens is not)',
    ],
    ['an infinite count', { total_tokens: INFINITE }, 'must be an object of numbers (total_tokens is not)'],
  ],
  number: [
    ['text', '1', 'must be a number'],
    ['infinite', INFINITE, 'must be a number'],
    ['an object', {}, 'must be a number'],
  ],
  spanType: [
    ['an unknown type', 'agent', 'must be one of general, llm, tool, guardrail'],
    ['a number', 1, 'must be one of general, llm, tool, guardrail'],
  ],
  errorInfo: [
    ['a string', 'boom', 'must be an object with exception_type'],
    ['a list', [], 'must be an object with exception_type'],
    ['without exception_type', { message: 'm' }, 'must have exception_type (a string)'],
    ['with a message that is not text', { exception_type: 'E', message: 3 }, 'message must be a string'],
    ['with a traceback that is not text', { exception_type: 'E', traceback: {} }, 'traceback must be a string'],
  ],
  codeLocation: [
    ['a string', '/a.py:3', 'must be an object with file and line'],
    ['without file', { line: 3 }, 'must have file (a path)'],
    ['with an empty file', { file: '', line: 3 }, 'must have file (a path)'],
    ['with line 0', { file: '/a.py', line: 0 }, 'must have line (an integer from 1)'],
    ['with a fractional line', { file: '/a.py', line: 1.5 }, 'must have line (an integer from 1)'],
    ['with a line that is text', { file: '/a.py', line: '3' }, 'must have line (an integer from 1)'],
    ['with a function that is not text', { file: '/a.py', line: 3, function: 7 }, 'function must be a string'],
  ],
  scoreSource: [['an unknown source', 'robot', 'must be one of sdk, ui, online_scoring']],
  scoreValue: [
    ['text', 'high', 'must be a number, or null to delete the score'],
    ['infinite', INFINITE, 'must be a number, or null to delete the score'],
  ],
};

/** A valid value of each kind: canonical, so a record made of them comes out as it went in. */
const GOOD: Record<FieldKind, unknown> = {
  id: 'id-1',
  string: 'a name',
  text: 'a reason',
  time: '2026-01-02T03:04:05.000000Z',
  json: { messages: [{ role: 'user', content: 'hi' }] },
  object: { key: 'value' },
  tags: ['a', 'b'],
  usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
  number: 0.25,
  spanType: 'llm',
  errorInfo: { exception_type: 'ValueError', message: 'bad', traceback: 'Traceback…' },
  codeLocation: { file: '/home/me/app.py', line: 3, function: 'step' },
  scoreSource: 'sdk',
  scoreValue: 0.5,
};

/** Other valid values of each kind, each of which must be accepted in a record otherwise clean. */
const ALSO_GOOD: Partial<Record<FieldKind, [what: string, value: unknown][]>> = {
  time: [
    ['epoch milliseconds', 1767323045000],
    ['ISO text with an offset', '2026-01-02T05:04:05.5+02:00'],
    ['ISO text without a fraction', '2026-01-02T03:04:05Z'],
  ],
  json: [
    ['text', 'ok'],
    ['a list', [1, 'a']],
    ['a number', 3],
    ['null', null],
  ],
  object: [['an empty object', {}]],
  tags: [['an empty list', []]],
  usage: [['an empty object', {}]],
  number: [
    ['zero', 0],
    ['a negative number', -2],
  ],
  spanType: [
    ['general', 'general'],
    ['tool', 'tool'],
    ['guardrail', 'guardrail'],
  ],
  errorInfo: [['only an exception type', { exception_type: 'E' }]],
  codeLocation: [['no function', { file: '/a.py', line: 1 }]],
  scoreSource: [
    ['ui', 'ui'],
    ['online_scoring', 'online_scoring'],
  ],
  scoreValue: [
    ['null (deletes the score)', null],
    ['a negative number', -1],
  ],
};

/** One way records arrive: a normaliser, the field table it reads them with, and what it requires. */
interface Route {
  name: string;
  spec: FieldSpec;
  required: string[];
  /** Fields a clean record needs beyond one valid value per field of `spec`. */
  clean?: Fields;
  /** The problems of a request carrying these records (several only where the route takes a batch). */
  send(records: Fields[]): Problem[];
  /** How a problem of record `index` in field `field` is reported. */
  path(index: number, field: string): string;
  batch: boolean;
}

interface NativeRoute extends Route {
  event: string;
  carries: 'trace' | 'span' | 'score';
}

const native = (
  event: string,
  carries: 'trace' | 'span' | 'score',
  spec: FieldSpec,
  required: string[],
  clean?: Fields,
): NativeRoute => ({
  name: `native ${event}`,
  event,
  carries,
  spec,
  required,
  clean,
  send: (records) => {
    const result = normaliseNativeBatch({ events: records.map((record) => ({ event, [carries]: record })) });
    return result.ok ? [] : result.details;
  },
  path: (_index, field) => `${carries}.${field}`,
  batch: true,
});

const opikBatch = (
  name: string,
  key: string,
  spec: FieldSpec,
  required: string[],
  read: (body: Fields) => Normalised,
): Route => ({
  name,
  spec,
  required,
  send: (records) => read({ [key]: records }).problems,
  path: (index, field) => `${key}[${index}].${field}`,
  batch: true,
});

const opikOne = (
  name: string,
  prefix: string,
  spec: FieldSpec,
  required: string[],
  read: (body: Fields) => Normalised,
): Route => ({
  name,
  spec,
  required,
  send: (records) => read(records[0]).problems,
  path: (_index, field) => `${prefix}.${field}`,
  batch: false,
});

/** Updates take the record's id from the path: the id under test goes there. */
const pathId =
  (update: (id: string, body: unknown) => Normalised) =>
  ({ id, ...body }: Fields) =>
    update(id as string, body);

const threadTraces = () => ['trace-of-thread'];

const CODE_VERSION = { commit: 'abc1234def', branch: 'main', dirty: false };

const NATIVE_ROUTES: NativeRoute[] = [
  native('trace_start', 'trace', NATIVE_TRACE_FIELDS, ['id', 'start_time'], { code_version: CODE_VERSION }),
  native('trace_update', 'trace', NATIVE_TRACE_FIELDS, ['id'], { code_version: CODE_VERSION }),
  native('trace_end', 'trace', NATIVE_TRACE_FIELDS, ['id', 'end_time'], { code_version: CODE_VERSION }),
  native('span_start', 'span', NATIVE_SPAN_FIELDS, ['id', 'trace_id', 'start_time']),
  native('span_update', 'span', NATIVE_SPAN_FIELDS, ['id']),
  native('span_end', 'span', NATIVE_SPAN_FIELDS, ['id', 'trace_id', 'end_time']),
  native('score', 'score', NATIVE_SCORE_FIELDS, ['id', 'name', 'value'], { target: 'span' }),
];

const ROUTES: Route[] = [
  ...NATIVE_ROUTES,
  opikBatch('Opik trace batch', 'traces', OPIK_TRACE_FIELDS, ['start_time'], opikTraceBatch),
  opikBatch('Opik span batch', 'spans', OPIK_SPAN_FIELDS, ['trace_id', 'start_time'], opikSpanBatch),
  opikOne('Opik trace create', 'trace', OPIK_TRACE_FIELDS, ['start_time'], opikTrace),
  opikOne('Opik span create', 'span', OPIK_SPAN_FIELDS, ['trace_id', 'start_time'], opikSpan),
  opikOne('Opik trace update', 'trace', OPIK_TRACE_FIELDS, ['id'], pathId(opikTraceUpdate)),
  opikOne('Opik span update', 'span', OPIK_SPAN_FIELDS, ['id', 'trace_id'], pathId(opikSpanUpdate)),
  opikBatch('Opik trace feedback scores', 'scores', OPIK_SCORE_FIELDS, ['id', 'name', 'value'], (body) =>
    opikScores('trace', body),
  ),
  opikBatch('Opik span feedback scores', 'scores', OPIK_SCORE_FIELDS, ['id', 'name', 'value'], (body) =>
    opikScores('span', body),
  ),
  opikBatch('Opik thread feedback scores', 'scores', THREAD_SCORE_FIELDS, ['thread_id', 'name', 'value'], (body) =>
    opikThreadScores(body, threadTraces),
  ),
  opikOne('Opik feedback score deletion', 'score', SCORE_DELETE_FIELDS, ['name'], (body) =>
    opikScoreDelete('span', 'span-1', body),
  ),
  opikOne('Opik thread feedback score deletion', 'thread', THREAD_SCORE_DELETE_FIELDS, ['thread_id', 'names'], (body) =>
    opikThreadScoreDelete(body, threadTraces),
  ),
];

/** A record with a valid value in every field of the route's table. */
function cleanRecord(route: Route): Fields {
  const record: Fields = {};
  for (const [field, kind] of Object.entries(route.spec)) record[field] = GOOD[kind];
  return { ...record, ...route.clean };
}

/** The clean record with `field` set to `value`, its fields in the same order. */
const withField = (route: Route, field: string, value: unknown): Fields => ({ ...cleanRecord(route), [field]: value });

const withoutField = (route: Route, field: string): Fields => {
  const { [field]: _left, ...rest } = cleanRecord(route);
  return rest;
};

/**
 * Expects `record` refused with exactly `message` at `field`: after a clean record of the same
 * order (as record 1 of a batch) where the route takes batches, and on its own.
 */
function expectRefused(route: Route, record: Fields, field: string, message: string): void {
  if (route.batch)
    expect(route.send([cleanRecord(route), record])).toEqual([{ index: 1, path: route.path(1, field), message }]);
  expect(route.send([record])).toEqual([{ index: 0, path: route.path(0, field), message }]);
}

describe('every field kind has its faults written down', () => {
  it('lists a fault for every kind but json, which takes any value', () => {
    expect(
      Object.entries(FAULTS)
        .filter(([, faults]) => faults.length === 0)
        .map(([kind]) => kind),
    ).toEqual(['json']);
  });
});

for (const route of ROUTES) {
  describe(route.name, () => {
    it('accepts a record with a valid value in every field of its table', () => {
      expect(route.send([cleanRecord(route)])).toEqual([]);
      if (route.batch) expect(route.send([cleanRecord(route), cleanRecord(route)])).toEqual([]);
    });

    for (const [field, kind] of Object.entries(route.spec)) {
      if (route.clean && field in route.clean) continue; // a field with rules of its own (below)
      for (const [fault, value, message] of FAULTS[kind]) {
        it(`refuses a record whose only fault is ${field} (${kind}) ${fault}, saying it ${message}`, () => {
          expectRefused(route, withField(route, field, value), field, message);
        });
      }
      for (const [what, value] of ALSO_GOOD[kind] ?? []) {
        it(`accepts ${field} (${kind}) as ${what}`, () => {
          expect(route.send([withField(route, field, value)])).toEqual([]);
          if (route.batch) expect(route.send([cleanRecord(route), withField(route, field, value)])).toEqual([]);
        });
      }
    }

    for (const field of route.required) {
      it(`refuses a record whose only fault is that ${field} is missing, saying it is required`, () => {
        expectRefused(route, withoutField(route, field), field, 'is required');
      });
      // null is "not given", except where it is a value (a null score deletes the score).
      if (route.spec[field] !== 'scoreValue') {
        it(`refuses a record whose only fault is that ${field} is null, saying it is required`, () => {
          expectRefused(route, withField(route, field, null), field, 'is required');
        });
      }
    }
  });
}

describe('native rules beyond the field kinds', () => {
  const traceStart = NATIVE_ROUTES[0];
  const score = NATIVE_ROUTES.find((r) => r.carries === 'score')!;

  it('passes a clean trace or span through unchanged', () => {
    for (const route of NATIVE_ROUTES.filter((r) => r !== score)) {
      const record = cleanRecord(route);
      const result = normaliseNativeBatch({ events: [{ event: route.event, [route.carries]: record }] });
      expect(result.ok && result.patches).toEqual([{ kind: route.carries, [route.carries]: record }]);
    }
  });

  const codeVersions: [string, unknown, string][] = [
    ['not an object', 'abc1234', 'must be an object'],
    ['without a commit', { branch: 'main' }, 'commit must be 7 to 64 hexadecimal characters'],
    ['with a commit that is not hexadecimal', { commit: 'not-a-sha' }, 'commit must be 7 to 64 hexadecimal characters'],
    [
      'with an empty branch',
      { commit: 'abc1234', branch: '' },
      'branch must be a string of 1 to 256 characters without control characters',
    ],
    ['with a dirty flag that is text', { commit: 'abc1234', dirty: 'yes' }, 'dirty must be true or false'],
    [
      'with an unknown field',
      { commit: 'abc1234', author: 'me' },
      'has an unknown field "author" (allowed: commit, branch, dirty)',
    ],
  ];
  for (const [fault, value, message] of codeVersions) {
    it(`refuses a trace whose only fault is code_version ${fault}, saying it ${message}`, () => {
      expectRefused(traceStart, withField(traceStart, 'code_version', value), 'code_version', message);
    });
  }

  for (const [fault, change] of [
    ['missing', { target: undefined }],
    ['neither trace nor span', { target: 'run' }],
  ] as const) {
    it(`refuses a score whose only fault is a target ${fault}, saying it must be "trace" or "span"`, () => {
      expectRefused(score, { ...cleanRecord(score), ...change }, 'target', 'must be "trace" or "span"');
    });
  }

  it('refuses a score whose only fault is an empty name, saying it must not be empty', () => {
    expectRefused(score, withField(score, 'name', ''), 'name', 'must not be empty');
  });

  const clean = { event: 'trace_start', trace: cleanRecord(traceStart) };
  const events: [string, unknown, Problem][] = [
    ['an event that is not an object', 'trace_start', { index: 1, path: '', message: 'must be an object' }],
    [
      'an unknown event',
      { event: 'trace_begin', trace: cleanRecord(traceStart) },
      {
        index: 1,
        path: 'event',
        message: 'must be one of trace_start, trace_update, trace_end, span_start, span_update, span_end, score',
      },
    ],
    [
      'an event without its record',
      { event: 'trace_start' },
      { index: 1, path: 'trace', message: 'is required (an object)' },
    ],
    [
      'an event whose record is not an object',
      { event: 'trace_start', trace: ['t'] },
      { index: 1, path: 'trace', message: 'is required (an object)' },
    ],
    [
      'an event carrying the wrong record',
      { event: 'span_start', trace: cleanRecord(traceStart) },
      { index: 1, path: 'span', message: 'is required (an object)' },
    ],
  ];
  for (const [fault, event, problem] of events) {
    it(`refuses a batch whose only fault is ${fault}`, () => {
      const result = normaliseNativeBatch({ events: [clean, event] });
      expect(result.ok ? [] : result.details).toEqual([problem]);
    });
  }

  it('refuses a body that is not a batch', () => {
    for (const body of [null, 'events', { events: {} }, {}])
      expect(normaliseNativeBatch(body)).toMatchObject({
        ok: false,
        error: 'a batch must be a JSON object with an "events" array',
      });
  });
});

describe('Opik rules beyond the field kinds', () => {
  it('refuses a batch whose only fault is an element that is not an object', () => {
    const spanBatch = ROUTES.find((r) => r.name === 'Opik span batch')!;
    expect(opikSpanBatch({ spans: [cleanRecord(spanBatch), 'span'] }).problems).toEqual([
      { index: 1, path: 'spans[1]', message: 'must be an object' },
    ]);
  });

  it('refuses a body without its list, or a single record that is not an object', () => {
    expect(opikSpanBatch({ span: [] }).problems).toEqual([
      { index: 0, path: 'spans', message: 'the body must be an object with a "spans" array' },
    ]);
    expect(opikSpan(['span']).problems).toEqual([
      { index: 0, path: 'span', message: 'the body must be a JSON object' },
    ]);
  });

  it('takes null as "not given", so null is never a fault of a field that is not required', () => {
    const spanBatch = ROUTES.find((r) => r.name === 'Opik span batch')!;
    const optional = Object.keys(OPIK_SPAN_FIELDS).filter((f) => !spanBatch.required.includes(f));
    expect(
      spanBatch.send([{ ...cleanRecord(spanBatch), ...Object.fromEntries(optional.map((f) => [f, null])) }]),
    ).toEqual([]);
  });
});
