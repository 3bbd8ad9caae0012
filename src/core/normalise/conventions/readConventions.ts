// What an OTel span's attributes mean in the model. Instrumentations for LLM apps write the
// same facts under different keys; each convention module is a table of those keys, and this
// combines them: each model field is read from the first key that has it, conventions in the
// order of CONVENTIONS. A key whose whole content went into a model field is consumed (as is
// another key of the same field holding the same value); every other attribute stays in
// `metadata` as it came, so nothing is lost.
//
// Usage is read only where a call was made: a span that wraps calls (Vercel's
// `ai.generateText`) carries its children's sum again, and counting it would double the
// trace's totals.

import type { CodeLocation, Usage } from '../../model/model';
import type { AttributeBag } from './attributeBag';
import { toNumber } from './attributeBag';
import type { Convention, ConventionFields, ScalarKeys } from './convention';
import { USAGE_FIELDS } from './convention';
import { genAi } from './genAi';
import { langchain } from './langchain';
import { logfire } from './logfire';
import { openInference } from './openInference';
import { openLlmetry } from './openLlmetry';
import { vercelAi } from './vercelAi';

export { AttributeBag } from './attributeBag';
export type { ConventionFields } from './convention';

/** In order of preference: where two say different things, the first wins. */
export const CONVENTIONS: readonly Convention[] = [openInference, genAi, vercelAi, openLlmetry, logfire, langchain];

/** Each scalar field's keys over all conventions, in order: one flat list to scan per span. */
const KEYS_BY_FIELD = new Map<keyof ScalarKeys, string[]>();
for (const c of CONVENTIONS) {
  for (const [field, keys] of Object.entries(c.keys) as [keyof ScalarKeys, string[]][])
    KEYS_BY_FIELD.set(field, [...(KEYS_BY_FIELD.get(field) ?? []), ...keys]);
}
const USAGE_PREFIXES = CONVENTIONS.flatMap((c) => c.usagePrefixes ?? []);

/** Events whose content some convention maps to a field. */
export const MAPPED_EVENTS: ReadonlySet<string> = new Set(CONVENTIONS.flatMap((c) => c.mappedEvents ?? []));

export function readConventions(attrs: AttributeBag): ConventionFields {
  const fields: ConventionFields = { type: 'general' };
  const wrapper = CONVENTIONS.some((c) => c.isWrapper?.(attrs));
  const type = first((c) => c.spanType?.(attrs));
  set(
    fields,
    'input',
    first((c) => c.input?.(attrs)),
  );
  set(
    fields,
    'output',
    first((c) => c.output?.(attrs)),
  );
  set(
    fields,
    'model',
    scalar(attrs, 'model', (v) => (typeof v === 'string' && v ? v : undefined)),
  );
  set(
    fields,
    'provider',
    scalar(attrs, 'provider', (v) => (typeof v === 'string' && v ? v : undefined)),
  );
  set(fields, 'total_estimated_cost', scalar(attrs, 'cost', toNumber));
  set(fields, 'time_to_first_token_ms', scalar(attrs, 'time_to_first_token_ms', toNumber));
  if (!wrapper) set(fields, 'usage', usage(attrs));
  fields.type = type ?? (hasMessages(fields.input) || fields.model !== undefined ? 'llm' : 'general');
  set(fields, 'code_location', codeLocation(attrs));
  for (const c of CONVENTIONS) c.finish?.(attrs, fields);
  return fields;
}

function first<T>(read: (c: Convention) => T | undefined): T | undefined {
  for (const c of CONVENTIONS) {
    const value = read(c);
    if (value !== undefined) return value;
  }
  return undefined;
}

function set<K extends keyof ConventionFields>(
  fields: ConventionFields,
  key: K,
  value: ConventionFields[K] | undefined,
): void {
  if (value !== undefined) fields[key] = value;
}

function hasMessages(input: unknown): boolean {
  return typeof input === 'object' && input !== null && Array.isArray((input as { messages?: unknown }).messages);
}

/**
 * The first key of `field`, over all conventions, whose value `read` accepts; other keys of
 * the field with the same value are consumed too (a copy, not a fact of their own).
 */
function scalar<T>(
  attrs: AttributeBag,
  field: keyof ScalarKeys,
  read: (value: unknown) => T | undefined,
): T | undefined {
  let found: T | undefined;
  const keys = KEYS_BY_FIELD.get(field);
  if (!keys) return undefined;
  for (const key of keys) {
    const value = attrs.all[key];
    if (value === undefined) continue;
    const read1 = read(value);
    if (read1 === undefined) continue;
    if (found === undefined) (found = read1), attrs.take(key);
    else if (read1 === found) attrs.take(key);
  }
  return found;
}

/** Counters that add nothing when zero (no cache hit, no reasoning): left out rather than shown as 0. */
const ZERO_MEANS_NONE = new Set(['cached_tokens', 'cache_write_tokens', 'reasoning_tokens']);

function usage(attrs: AttributeBag): Usage | undefined {
  const out: Usage = {};
  for (const name of USAGE_FIELDS) {
    const n = scalar(attrs, name, toNumber);
    if (n !== undefined && !(n === 0 && ZERO_MEANS_NONE.has(name))) out[name] = n;
  }
  if (out.total_tokens === undefined && (out.prompt_tokens !== undefined || out.completion_tokens !== undefined)) {
    out.total_tokens = (out.prompt_tokens ?? 0) + (out.completion_tokens ?? 0);
  }
  // Other counters under a convention's usage prefix are kept beside the canonical ones.
  for (const key in attrs.all) {
    let prefix: string | undefined;
    for (const p of USAGE_PREFIXES) if (key.startsWith(p)) prefix = p;
    if (prefix === undefined || attrs.consumed(key)) continue;
    const name = key.slice(prefix.length);
    const n = toNumber(attrs.all[key]);
    if (n === undefined || name === 'cost') continue;
    attrs.take(key);
    if (!COUNTER_ALIASES.has(name)) out[name] = n;
  }
  return Object.keys(out).length ? out : undefined;
}

/** Older spellings of counters already read into the canonical names. */
const COUNTER_ALIASES = new Set([
  'input_tokens',
  'output_tokens',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'prompt',
  'completion',
  'total',
]);

function codeLocation(attrs: AttributeBag): CodeLocation | undefined {
  const file = attrs.all['code.file.path'] ?? attrs.all['code.filepath'];
  const line = toNumber(attrs.all['code.line.number'] ?? attrs.all['code.lineno']);
  if (typeof file !== 'string' || !file || line === undefined || !Number.isInteger(line) || line < 1) return undefined;
  attrs.take('code.file.path', 'code.filepath');
  attrs.take('code.line.number', 'code.lineno');
  const location: CodeLocation = { file: file.startsWith('file://') ? fileUrlPath(file) : file, line };
  const fn = attrs.takeString('code.function.name', 'code.function');
  if (fn) location.function = fn;
  return location;
}

/** The path of a `file://` URL; one whose escapes are not UTF-8 (a URIError, a 500) is kept as it came. */
function fileUrlPath(url: string): string {
  try {
    return decodeURIComponent(url.slice('file://'.length));
  } catch {
    return url;
  }
}
