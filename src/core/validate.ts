// Field-by-field checking of untrusted records, shared by every normaliser (native, Opik,
// OTLP). A normaliser describes a record as a table of field kinds; `readFields` copies the
// fields that are present and valid into a clean object (times made canonical, unknown fields
// dropped) and reports every problem it finds, so one reply can tell a client everything
// that was wrong with a batch instead of the first thing only.

import { SPAN_TYPES } from './model';
import { normaliseTime } from './time';

/** One thing wrong with a request: which event (`index` in the batch), which field, what. */
export interface Problem {
  index: number;
  path: string;
  message: string;
}

/** Collects problems; `index` and a path prefix are set per event so field readers stay short. */
export class Problems {
  readonly list: Problem[] = [];
  /** Stops collecting after this many: a batch of 100k bad events should not answer with 100k lines. */
  constructor(private readonly max = 100) {}

  add(index: number, path: string, message: string): void {
    if (this.list.length < this.max) this.list.push({ index, path, message });
    else this.truncated = true;
  }

  truncated = false;

  get ok(): boolean {
    return this.list.length === 0 && !this.truncated;
  }
}

export type FieldKind =
  | 'id'
  | 'string'
  | 'time'
  | 'json'
  | 'object'
  | 'tags'
  | 'usage'
  | 'number'
  | 'spanType'
  | 'errorInfo'
  | 'codeLocation'
  | 'scoreSource'
  | 'scoreValue';

export type FieldSpec = Record<string, FieldKind>;

export const ID_MAX_LENGTH = 128;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const SCORE_SOURCES = ['sdk', 'ui', 'online_scoring'];
/** Kinds for which `null` is a value (a null output; a score deleted), not "left out". */
const NULL_IS_A_VALUE = new Set<FieldKind>(['json', 'scoreValue']);

/** Where a field is read from: the event's index and the path of the record inside it. */
export interface FieldContext {
  problems: Problems;
  index: number;
  /** e.g. `span`; field paths are reported as `span.trace_id`. */
  prefix: string;
}

/**
 * Copies every field of `spec` present in `raw` into a new object, checked and made canonical.
 * `null` means "not given" except for the JSON-valued kinds, where it is a value. Fields not
 * in the spec are ignored. `required` names fields that must be present.
 */
export function readFields(raw: Record<string, unknown>, spec: FieldSpec, ctx: FieldContext, required: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, kind] of entriesOf(spec)) {
    const value = raw[key];
    if (value === undefined || (value === null && !NULL_IS_A_VALUE.has(kind))) continue;
    const error = checkField(kind, value, out, key);
    if (error) ctx.problems.add(ctx.index, `${ctx.prefix}.${key}`, error);
  }
  for (const key of required) {
    const value = raw[key];
    if (value === undefined || (value === null && !NULL_IS_A_VALUE.has(spec[key]))) ctx.problems.add(ctx.index, `${ctx.prefix}.${key}`, 'is required');
  }
  return out;
}

const compiled = new WeakMap<FieldSpec, [string, FieldKind][]>();

/** A spec as an array, made once: walking an array is cheaper than `for in` on every event. */
function entriesOf(spec: FieldSpec): [string, FieldKind][] {
  let entries = compiled.get(spec);
  if (!entries) compiled.set(spec, (entries = Object.entries(spec)));
  return entries;
}

/** Checks one value; on success writes the canonical value into `out[key]`, else returns a message. */
function checkField(kind: FieldKind, value: unknown, out: Record<string, unknown>, key: string): string | undefined {
  switch (kind) {
    case 'id': {
      const problem = idProblem(value);
      if (problem) return problem;
      break;
    }
    case 'string':
      if (typeof value !== 'string') return 'must be a string';
      break;
    case 'time': {
      const t = normaliseTime(value);
      if (t === undefined) return 'must be an ISO 8601 date-time or epoch milliseconds';
      value = t;
      break;
    }
    case 'json':
      break;
    case 'object':
      if (!isObject(value)) return 'must be an object';
      break;
    case 'tags':
      if (!Array.isArray(value) || !value.every((t) => typeof t === 'string')) return 'must be an array of strings';
      break;
    case 'usage':
      if (!isObject(value)) return 'must be an object of numbers';
      for (const k in value) {
        const n = value[k];
        if (typeof n !== 'number' || !Number.isFinite(n)) return `must be an object of numbers (${k} is not)`;
      }
      break;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      break;
    case 'scoreValue':
      if (value !== null && (typeof value !== 'number' || !Number.isFinite(value))) return 'must be a number, or null to delete the score';
      break;
    case 'spanType':
      if (!(SPAN_TYPES as readonly unknown[]).includes(value)) return `must be one of ${SPAN_TYPES.join(', ')}`;
      break;
    case 'scoreSource':
      if (!SCORE_SOURCES.includes(value as string)) return `must be one of ${SCORE_SOURCES.join(', ')}`;
      break;
    case 'errorInfo': {
      if (!isObject(value)) return 'must be an object with exception_type';
      if (typeof value.exception_type !== 'string') return 'must have exception_type (a string)';
      const info: Record<string, string> = { exception_type: value.exception_type };
      for (const k of ['message', 'traceback'] as const) {
        if (value[k] === undefined || value[k] === null) continue;
        if (typeof value[k] !== 'string') return `${k} must be a string`;
        info[k] = value[k] as string;
      }
      if (!sameKeyCount(value, info)) value = info; // else kept: the record stays as it came (verbatim.ts)
      break;
    }
    case 'codeLocation': {
      if (!isObject(value)) return 'must be an object with file and line';
      if (typeof value.file !== 'string' || value.file === '') return 'must have file (a path)';
      if (!Number.isInteger(value.line) || (value.line as number) < 1) return 'must have line (an integer from 1)';
      let known = 2;
      if (value.function !== undefined && value.function !== null) {
        if (typeof value.function !== 'string') return 'function must be a string';
        known++;
      }
      if (keyCount(value) !== known) {
        // Unknown fields (or a null function) are dropped in a copy; a clean one is kept as it came (verbatim.ts).
        const loc: Record<string, unknown> = { file: value.file, line: value.line };
        if (known === 3) loc.function = value.function;
        value = loc;
      }
      break;
    }
  }
  out[key] = value;
  return undefined;
}

function keyCount(o: object): number {
  let n = 0;
  for (const _ in o) n++;
  return n;
}

/** `copy` was made from some of `o`'s fields: the same count means it has them all. */
function sameKeyCount(o: object, copy: object): boolean {
  return keyCount(o) === keyCount(copy);
}

/** Why a value can not be an id, or undefined when it can. */
export function idProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length === 0 || value.length > ID_MAX_LENGTH) return `must be 1–${ID_MAX_LENGTH} characters`;
  if (CONTROL_CHARS.test(value)) return 'must not contain control characters';
  return undefined;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
