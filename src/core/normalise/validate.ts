// Field-by-field checking of untrusted records, shared by every normaliser (native, Opik,
// OTLP). A normaliser describes a record as a table of field kinds; `readFields` copies the
// fields that are present and valid into a clean object (times made canonical, unknown fields
// dropped) and reports every problem it finds, so one reply can tell a client everything
// that was wrong with a batch instead of the first thing only. Values past the bounds of
// limits.ts (nesting depth, name and text lengths) are cut there, the same on every route.

import { DEPTH_MAX, NAME_MAX, TEXT_MAX, cutDepth, cutText, tooDeep } from './limits';
import { SPAN_TYPES } from '../model/model';
import { normaliseTime } from '../model/time';

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
  /** Some value was cut to the limits (limits.ts) or otherwise rewritten: the bytes that arrived are not what is stored. */
  cut = false;

  get ok(): boolean {
    return this.list.length === 0 && !this.truncated;
  }
}

export type FieldKind =
  | 'id'
  | 'string'
  | 'text'
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
 * The fields of `spec` present in `raw`, checked and made canonical. `null` means "not given"
 * except for the JSON-valued kinds, where it is a value. Fields not in the spec are dropped.
 * `required` names fields that must be present.
 *
 * When `raw` already is all that (what our SDKs send), it is returned itself rather than a
 * copy; otherwise the result is a new object. Copying every record instead cost the native
 * HTTP route 1.3 µs of CPU per span of 12.6 (10 %), the Opik route 0.3 of 9.7 (3 %): medians
 * of 11 interleaved rounds of bench/_compareIngest.ts, December 2026. `npm run bench` prints
 * it in process (bench/readFields.ts, about 5 % then): the shortcut stays while it is ≥ 5 %.
 */
export function readFields(
  raw: Record<string, unknown>,
  spec: FieldSpec,
  ctx: FieldContext,
  required: readonly string[] = [],
): Record<string, unknown> {
  return isAlreadyRead(raw, spec, required) ? raw : copyFields(raw, spec, ctx, required);
}

/** True when every field of `raw` is in `spec`, valid and canonical, and every required one is there. */
function isAlreadyRead(raw: Record<string, unknown>, spec: FieldSpec, required: readonly string[]): boolean {
  for (const key in raw) {
    // Own fields only: a record's `toString` or `__proto__` is not a field of any spec.
    const kind = Object.hasOwn(spec, key) ? spec[key] : undefined;
    const value = raw[key];
    if (kind === undefined || value === undefined) return false; // a field to drop
    if (value === null ? !NULL_IS_A_VALUE.has(kind) : checkField(kind, value) !== value) return false; // a problem, or made canonical
  }
  for (const key of required) if (raw[key] === undefined || raw[key] === null) return false; // reported by copyFields
  return true;
}

/** readFields into a new object, reporting every problem (in the spec's order); readFields without its shortcut. */
export function copyFields(
  raw: Record<string, unknown>,
  spec: FieldSpec,
  ctx: FieldContext,
  required: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, kind] of entriesOf(spec)) {
    const value = raw[key];
    if (value === undefined || (value === null && !NULL_IS_A_VALUE.has(kind))) continue;
    const checked = checkField(kind, value);
    if (checked instanceof Bad) ctx.problems.add(ctx.index, `${ctx.prefix}.${key}`, checked.message);
    else {
      out[key] = checked;
      if (checked !== value && kind !== 'time') ctx.problems.cut = true;
    }
  }
  for (const key of required) {
    const value = raw[key];
    if (value === undefined || (value === null && !NULL_IS_A_VALUE.has(spec[key])))
      ctx.problems.add(ctx.index, `${ctx.prefix}.${key}`, 'is required');
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

/** Why a field has no valid value. */
class Bad {
  constructor(readonly message: string) {}
}

/**
 * One value checked: its canonical form (the value itself when it already is canonical, so
 * callers can tell "unchanged" by identity), or a Bad.
 */
function checkField(kind: FieldKind, value: unknown): unknown {
  switch (kind) {
    case 'id': {
      const problem = idProblem(value);
      return problem ? new Bad(problem) : value;
    }
    case 'string':
      return typeof value === 'string' ? cutText(value, NAME_MAX) : new Bad('must be a string');
    case 'text':
      return typeof value === 'string' ? cutText(value, TEXT_MAX) : new Bad('must be a string');
    case 'time':
      return normaliseTime(value) ?? new Bad('must be an ISO 8601 date-time or epoch milliseconds');
    case 'json':
      return tooDeep(value, DEPTH_MAX) ? cutDepth(value, DEPTH_MAX) : value;
    case 'object':
      if (!isObject(value)) return new Bad('must be an object');
      return tooDeep(value, DEPTH_MAX) ? cutDepth(value, DEPTH_MAX) : value;
    case 'tags':
      if (!Array.isArray(value) || !value.every((t) => typeof t === 'string'))
        return new Bad('must be an array of strings');
      return value.every((t: string) => t.length <= NAME_MAX) ? value : value.map((t: string) => cutText(t, NAME_MAX));
    case 'usage': {
      if (isUsage(value)) return value;
      if (!isObject(value)) return new Bad('must be an object of numbers');
      const k = Object.keys(value).find((key) => typeof value[key] !== 'number' || !Number.isFinite(value[key]));
      return new Bad(`must be an object of numbers (${k} is not)`);
    }
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? value : new Bad('must be a number');
    case 'scoreValue':
      return value === null || (typeof value === 'number' && Number.isFinite(value))
        ? value
        : new Bad('must be a number, or null to delete the score');
    case 'spanType':
      return (SPAN_TYPES as readonly unknown[]).includes(value)
        ? value
        : new Bad(`must be one of ${SPAN_TYPES.join(', ')}`);
    case 'scoreSource':
      return SCORE_SOURCES.includes(value as string) ? value : new Bad(`must be one of ${SCORE_SOURCES.join(', ')}`);
    case 'errorInfo': {
      if (!isObject(value)) return new Bad('must be an object with exception_type');
      if (typeof value.exception_type !== 'string') return new Bad('must have exception_type (a string)');
      const info: Record<string, string> = { exception_type: cutText(value.exception_type, NAME_MAX) };
      let same = info.exception_type === value.exception_type;
      for (const k of ['message', 'traceback'] as const) {
        if (value[k] === undefined || value[k] === null) continue;
        if (typeof value[k] !== 'string') return new Bad(`${k} must be a string`);
        info[k] = cutText(value[k] as string, TEXT_MAX);
        same &&= info[k] === value[k];
      }
      return same && sameKeyCount(value, info) ? value : info; // a clean one is kept as it came
    }
    case 'codeLocation': {
      if (!isObject(value)) return new Bad('must be an object with file and line');
      if (typeof value.file !== 'string' || value.file === '') return new Bad('must have file (a path)');
      if (!Number.isInteger(value.line) || (value.line as number) < 1)
        return new Bad('must have line (an integer from 1)');
      let known = 2;
      if (value.function !== undefined && value.function !== null) {
        if (typeof value.function !== 'string') return new Bad('function must be a string');
        known++;
      }
      const long = value.file.length > TEXT_MAX || (known === 3 && (value.function as string).length > NAME_MAX);
      if (keyCount(value) === known && !long) return value; // a clean one is kept as it came
      // Unknown fields (or a null function) are dropped in a copy; long text is cut.
      const loc: Record<string, unknown> = { file: cutText(value.file, TEXT_MAX), line: value.line };
      if (known === 3) loc.function = cutText(value.function as string, NAME_MAX);
      return loc;
    }
  }
}

/** An object of finite numbers (token counts). */
function isUsage(value: unknown): boolean {
  if (!isObject(value)) return false;
  for (const k in value) {
    const n = value[k];
    if (typeof n !== 'number' || !Number.isFinite(n)) return false;
  }
  return true;
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
  if (hasControlChar(value)) return 'must not contain control characters';
  return undefined;
}

/** A loop over codes: cheaper than a regular expression's test, for the three ids of every span. */
function hasControlChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
