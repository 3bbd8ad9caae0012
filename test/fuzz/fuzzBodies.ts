// What the ingest fuzzer sends: valid bodies for every route (fast-check arbitraries), and
// mutations that make them hostile — nesting thousands deep, long strings, wrong types, lone
// surrogates and control characters, ids that are Object.prototype's keys, numbers JSON can
// not hold (1e400, NaN), duplicate keys. Bodies are written as JSON text by `toJson`, which
// takes raw pieces (`Raw`) and objects with repeated keys (`Dup`): JSON.stringify can do
// neither, nor nest 20,000 deep.

import fc from 'fast-check';
import { at } from '../support/builders';
import { deepKvlistJson, deepObjectJson } from '../support/deepJson';

/** JSON text put into a body as it is. */
export class Raw {
  constructor(readonly text: string) {}
}

/** An object written with its entries as listed, repeated keys included. */
export class Dup {
  constructor(readonly entries: [string, unknown][]) {}
}

/** A body as JSON text. Recursive: only the shallow shapes built here go through it, deep ones are Raw. */
export function toJson(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (value instanceof Dup) return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .map((k) => `${JSON.stringify(k)}:${toJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

// ---- valid records ------------------------------------------------------------------------

/** Ids the fuzz traces and spans take: few, so they meet across routes; none is a fixed trace's. */
export const FUZZ_IDS = [
  'fz-1',
  'fz-2',
  'fz-3',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'ünïcödé',
  '😀',
  'x'.repeat(128),
];
/** OTLP trace and span ids (hex), none a fixed trace's. */
export const FUZZ_TRACE_HEX = [
  '0000000000000000000000000000f001',
  '0000000000000000000000000000f002',
  'abcdefabcdefabcdefabcdefabcdef03',
];
export const FUZZ_SPAN_HEX = ['000000000000f001', '000000000000f002', 'abcdefabcdef0003', 'abcdefabcdef0004'];

/** Any UTF-16 code unit, lone surrogates and control characters included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: codeUnit, maxLength: 12 }),
  fc.constantFrom('', 'gpt-4o', 'Default Project', 'llm_chain'),
);
const id = fc.constantFrom(...FUZZ_IDS);
const time = fc.oneof(
  fc.constantFrom(at(0), at(7), '2026-01-02T05:04:05.5+02:00', '2026-01-02T03:04:05Z'),
  fc.integer({ min: 0, max: 4_102_444_800_000 }),
);
const json = fc.jsonValue({ maxDepth: 3 });
const metadata = fc.dictionary(text, json, { maxKeys: 4 });
const tags = fc.array(text, { maxLength: 3 });
const usage = fc.dictionary(
  fc.constantFrom('prompt_tokens', 'completion_tokens', 'total_tokens', 'other'),
  fc.integer({ min: 0, max: 1e6 }),
  { maxKeys: 3 },
);
const spanType = fc.constantFrom('general', 'llm', 'tool', 'guardrail');
const errorInfo = fc.record(
  { exception_type: text, message: text, traceback: text },
  { requiredKeys: ['exception_type'] },
);
const codeLocation = fc.record(
  { file: fc.constantFrom('/home/me/app.py', '/x.ts'), line: fc.integer({ min: 1, max: 9999 }), function: text },
  { requiredKeys: ['file', 'line'] },
);

const traceRecord = fc.record(
  {
    id,
    project_name: text,
    name: text,
    start_time: time,
    end_time: time,
    input: json,
    output: json,
    metadata,
    tags,
    thread_id: text,
    error_info: errorInfo,
  },
  { requiredKeys: ['id'] },
);

const spanRecord = fc.record(
  {
    id,
    trace_id: id,
    parent_span_id: id,
    project_name: text,
    name: text,
    type: spanType,
    start_time: time,
    end_time: time,
    input: json,
    output: json,
    metadata,
    tags,
    usage,
    model: text,
    provider: text,
    total_estimated_cost: fc.double({ noNaN: true, noDefaultInfinity: true }),
    error_info: errorInfo,
    code_location: codeLocation,
  },
  { requiredKeys: ['id'] },
);

const scoreRecord = fc.record(
  {
    target: fc.constantFrom('trace', 'span'),
    id,
    trace_id: id,
    name: text,
    value: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null)),
    reason: text,
    category_name: text,
    source: fc.constantFrom('sdk', 'ui', 'online_scoring'),
  },
  { requiredKeys: ['target', 'id', 'name', 'value'] },
);

const EVENTS = ['trace_start', 'trace_update', 'trace_end', 'span_start', 'span_update', 'span_end'] as const;

const nativeEvent = fc.oneof(
  fc.tuple(fc.constantFrom(...EVENTS.slice(0, 3)), traceRecord).map(([event, trace]) => ({ event, trace })),
  fc.tuple(fc.constantFrom(...EVENTS.slice(3)), spanRecord).map(([event, span]) => ({ event, span })),
  scoreRecord.map((score) => ({ event: 'score', score })),
);

export const nativeBatch = fc.array(nativeEvent, { minLength: 1, maxLength: 6 }).map((events) => ({ events }));

export const scoreBody = scoreRecord;

/** An Opik REST request: path, method and body. */
export const opikRequest = fc.oneof(
  fc
    .array(traceRecord, { minLength: 1, maxLength: 4 })
    .map((traces) => ({ method: 'POST', path: '/api/v1/private/traces/batch', body: { traces } as object })),
  fc
    .array(spanRecord, { minLength: 1, maxLength: 4 })
    .map((spans) => ({ method: 'POST', path: '/api/v1/private/spans/batch', body: { spans } as object })),
  traceRecord.map((trace) => ({ method: 'POST', path: '/api/v1/private/traces', body: trace as object })),
  fc.tuple(id, spanRecord).map(([spanId, span]) => ({
    method: 'PATCH',
    path: `/api/v1/private/spans/${encodeURIComponent(spanId)}`,
    body: span as object,
  })),
  fc
    .array(fc.record({ id, name: text, value: fc.double({ noNaN: true, noDefaultInfinity: true }), reason: text }), {
      minLength: 1,
      maxLength: 3,
    })
    .map((scores) => ({ method: 'PUT', path: '/api/v1/private/traces/feedback-scores', body: { scores } as object })),
);

/**
 * A Braintrust `/logs3` body as the SDKs send it: first rows and merge rows of spans (ids from
 * FUZZ_IDS, so pieces meet across cases and requests), feedback rows that name a row by id
 * alone, comment rows.
 */
const braintrustRow = fc.oneof(
  fc.record(
    {
      id,
      span_id: id,
      root_span_id: id,
      span_parents: fc.oneof(fc.constant(null), fc.array(id, { maxLength: 2 })),
      _is_merge: fc.boolean(),
      span_attributes: fc.record(
        { name: text, type: fc.constantFrom('task', 'llm', 'tool', 'function', 'eval', 'score', 'other') },
        { requiredKeys: [] },
      ),
      metrics: fc.dictionary(
        fc.constantFrom(
          'start',
          'end',
          'prompt_tokens',
          'completion_tokens',
          'tokens',
          'time_to_first_token',
          'prompt_cached_tokens',
        ),
        fc.double({ min: 0, max: 2e9, noNaN: true }),
        { maxKeys: 4 },
      ),
      input: json,
      output: json,
      expected: json,
      metadata,
      tags,
      error: text,
      scores: fc.dictionary(text, fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(null)), {
        maxKeys: 2,
      }),
      context: fc.record(
        {
          caller_filename: fc.constantFrom('/home/me/app.py', 'file:///app/main.mjs', 'file:///bad%ZZ'),
          caller_lineno: fc.integer({ min: 0, max: 9999 }),
          caller_functionname: text,
        },
        { requiredKeys: [] },
      ),
      project_id: text,
      created: fc.constantFrom(at(0), '2026-01-02T03:04:05.123456+00:00'),
    },
    { requiredKeys: ['id', 'span_id', 'root_span_id'] }, // a row's span ids come together
  ),
  fc.record(
    {
      id,
      _is_merge: fc.constant(true),
      scores: fc.dictionary(text, fc.double({ min: 0, max: 1, noNaN: true }), { maxKeys: 2 }),
      expected: json,
      tags,
      _audit_metadata: metadata,
    },
    { requiredKeys: ['id', '_is_merge'] },
  ),
  fc.record({ id, origin: fc.record({ id }), comment: fc.record({ text }) }),
);

export const logs3Body = fc
  .array(braintrustRow, { minLength: 1, maxLength: 6 })
  .map((rows) => ({ rows, api_version: 2 }));

const attrValue: fc.Arbitrary<object> = fc.oneof(
  text.map((s) => ({ stringValue: s })),
  fc.boolean().map((b) => ({ boolValue: b })),
  fc.integer().map((n) => ({ intValue: n })),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => ({ doubleValue: d })),
  fc.array(text, { maxLength: 3 }).map((xs) => ({ arrayValue: { values: xs.map((s) => ({ stringValue: s })) } })),
);
const attributes = fc.array(
  fc.record({
    key: fc.oneof(
      text,
      fc.constantFrom(
        'gen_ai.request.model',
        'input.value',
        'llm.input_messages.0.message.content',
        'session.id',
        '__proto__',
      ),
    ),
    value: attrValue,
  }),
  { maxLength: 4 },
);

const otlpSpan = fc.record({
  traceId: fc.constantFrom(...FUZZ_TRACE_HEX),
  spanId: fc.constantFrom(...FUZZ_SPAN_HEX),
  parentSpanId: fc.option(fc.constantFrom(...FUZZ_SPAN_HEX), { nil: undefined }),
  name: text,
  kind: fc.integer({ min: 0, max: 5 }),
  startTimeUnixNano: fc.constantFrom('1767323045123456789', '1767323045000000000'),
  endTimeUnixNano: fc.constantFrom('1767323046000000000', '1767323047000000000'),
  attributes,
  status: fc.record({ code: fc.integer({ min: 0, max: 2 }), message: text }),
});

/** An OTLP export request as OTLP/JSON has it (ids as hex). */
export const otlpBody = fc.array(otlpSpan, { minLength: 1, maxLength: 4 }).map((spans) => ({
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'fuzz' } }] },
      scopeSpans: [{ scope: { name: 'fuzz' }, spans }],
    },
  ],
}));

// ---- mutations ------------------------------------------------------------------------------

const DEPTHS = [2, 31, 33, 999, 1000, 1001, 1002, 3000, 20_000];

/** Values no valid body has. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...DEPTHS).map((n) => new Raw(deepObjectJson(n))),
  fc.constantFrom(...DEPTHS).map((n) => new Raw('['.repeat(n) + ']'.repeat(n))),
  fc.constantFrom(...DEPTHS).map((n) => new Raw(deepKvlistJson(n))),
  fc.constantFrom(999, 1000, 1001, 65_537, 300_000).map((n) => 'n'.repeat(n)),
  fc.constantFrom(null, true, false, 0, -1, 1.5, '', [], {}, 'x'.repeat(129)),
  fc
    .constantFrom('1e400', '-1e400', '1e-400', '-0', '9007199254740993', '1' + '0'.repeat(400), 'NaN', 'Infinity')
    .map((t) => new Raw(t)),
  fc
    .constantFrom('"\\ud800"', '"a\\udc00b"', '"\\u0000\\u001f\\u007f"', '"\\ufeff"', '"\\u202eevil"', '"😀\\ud83d"')
    .map((t) => new Raw(t)),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'prototype', 'valueOf'),
  fc.string({ unit: codeUnit, maxLength: 40 }),
  json,
);

export interface Mutation {
  kind: 'replace' | 'addKey' | 'dupKey' | 'delete';
  where: number;
  key: string;
  value: unknown;
}

export const mutations = fc.array(
  fc.record({
    kind: fc.constantFrom('replace', 'replace', 'addKey', 'dupKey', 'delete') as fc.Arbitrary<Mutation['kind']>,
    where: fc.nat(),
    key: fc.oneof(
      fc.constantFrom(
        '__proto__',
        'constructor',
        'toString',
        'id',
        'trace_id',
        'name',
        'metadata',
        'input',
        'events',
        'spans',
        'value',
        'attributes',
      ),
      text,
    ),
    value: nastyValue,
  }),
  { maxLength: 3 },
);

/** `body` (fresh: changed in place) after the mutations; the result may hold Raw and Dup pieces. */
export function mutate(body: unknown, list: Mutation[]): unknown {
  let root = body;
  for (const listed of list) {
    // A copy of the value: fast-check hands out one `{}` and one `[]` (constantFrom) to every
    // case, so putting the instance itself in a body let a later mutation put it inside itself
    // (a cycle: toJson never ended) and carried one case's changes into the next.
    const m = {
      ...listed,
      value: listed.value instanceof Raw || listed.value instanceof Dup ? listed.value : structuredClone(listed.value),
    };
    const containers: { node: Record<string, unknown> | unknown[]; parent?: { node: any; key: string | number } }[] =
      [];
    const walk = (node: unknown, parent?: { node: any; key: string | number }) => {
      if (node === null || typeof node !== 'object' || node instanceof Raw || node instanceof Dup) return;
      containers.push({ node: node as Record<string, unknown>, parent });
      if (Array.isArray(node)) node.forEach((v, i) => walk(v, { node, key: i }));
      else for (const k of Object.keys(node)) walk((node as Record<string, unknown>)[k], { node, key: k });
    };
    walk(root);
    if (containers.length === 0) return m.value;
    const { node, parent } = containers[m.where % containers.length];
    const keys = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    const key = keys.length ? keys[m.where % keys.length] : undefined;
    if (m.kind === 'replace' && key !== undefined) (node as any)[key] = m.value;
    else if (m.kind === 'delete' && key !== undefined) {
      if (Array.isArray(node)) node.splice(key as number, 1);
      else delete (node as Record<string, unknown>)[key as string];
    } else if (Array.isArray(node)) node.push(m.value);
    else if (m.kind === 'dupKey' || m.key === '__proto__') {
      // Written as text: a repeated key (JSON.parse keeps the last), or a `__proto__` key as a field.
      const entries = Object.entries(node);
      const dupOf = m.kind === 'dupKey' && key !== undefined ? String(key) : m.key;
      entries.splice(m.where % (entries.length + 1), 0, [dupOf, m.value]);
      const dup = new Dup(entries);
      if (parent) parent.node[parent.key] = dup;
      else root = dup;
    } else (node as Record<string, unknown>)[m.key] = m.value;
  }
  return root;
}
