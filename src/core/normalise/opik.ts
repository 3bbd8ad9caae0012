// Opik REST bodies → patches. The Opik SDKs (Python and TypeScript) send traces and spans
// with the model's own field names (DESIGN.md took Opik's), so this is mostly checking (with
// the field tables of src/core/normalise/validate.ts, as native ingest does): each field is validated,
// times are made canonical, and the few Opik-only fields are mapped. Creates and updates both
// become patches, so a PATCH that overtakes its create, or a create sent twice by a retry,
// merges like any other upsert. A body with any invalid record is refused whole.
//
// Thread feedback scores: the model has no thread record, only `thread_id` on traces. A
// thread's score is the verdict on the whole conversation, so it is written onto every trace
// of that thread the store holds when it arrives; whichever turn a person opens, they see it,
// and each trace's score averages stay what they were for that name. Traces of the thread
// that arrive later do not get it (the SDKs score a thread once it is over).

import type { Patch, ScorePatch, SpanPatch, TracePatch } from '../model/model';
import { type FieldContext, type FieldSpec, type Problem, Problems, isObject, readFields } from './validate';

export type { Problem } from './validate';

export interface Normalised {
  patches: Patch[];
  /** When not empty the body is rejected as a whole: nothing of it should be applied. */
  problems: Problem[];
  /** Some value was cut to the limits (limits.ts): the body's bytes are not what is stored. */
  cut?: boolean;
}

/** Opik's TraceWrite/TraceUpdate fields the model keeps, with their kinds. */
export const TRACE_FIELDS: FieldSpec = {
  id: 'id',
  project_name: 'string',
  name: 'string',
  start_time: 'time',
  end_time: 'time',
  input: 'json',
  output: 'json',
  // Opik takes any JSON as metadata; the model keeps an object, so anything else is wrapped.
  metadata: 'json',
  tags: 'tags',
  tags_to_add: 'tags',
  error_info: 'errorInfo',
  thread_id: 'string',
  environment: 'string',
  ttft: 'number',
};

export const SPAN_FIELDS: FieldSpec = {
  ...TRACE_FIELDS,
  trace_id: 'id',
  parent_span_id: 'id',
  type: 'spanType',
  model: 'string',
  provider: 'string',
  usage: 'usage',
  total_estimated_cost: 'number',
};
delete SPAN_FIELDS.thread_id;

const SCORE_VALUE_FIELDS: FieldSpec = {
  name: 'string',
  value: 'number',
  reason: 'text',
  category_name: 'string',
  source: 'scoreSource',
};
/** A feedback score's deletion names the score; a thread's names several. */
export const SCORE_DELETE_FIELDS: FieldSpec = { name: 'string' };
export const THREAD_SCORE_DELETE_FIELDS: FieldSpec = { thread_id: 'id', project_name: 'string', names: 'tags' };
export const SCORE_FIELDS: FieldSpec = { id: 'id', ...SCORE_VALUE_FIELDS };
export const THREAD_SCORE_FIELDS: FieldSpec = { thread_id: 'id', project_name: 'string', ...SCORE_VALUE_FIELDS };

// ---- traces and spans -------------------------------------------------------------------

/** `POST /v1/private/traces/batch`: `{"traces": [TraceWrite…]}`. */
export function opikTraceBatch(body: unknown): Normalised {
  return readBatch(body, 'traces', (raw, ctx) => readTrace(raw, ctx, 'create'));
}

/** `POST /v1/private/spans/batch`: `{"spans": [SpanWrite…]}`. */
export function opikSpanBatch(body: unknown): Normalised {
  return readBatch(body, 'spans', (raw, ctx) => readSpan(raw, ctx, 'create'));
}

/** `POST /v1/private/traces`: one TraceWrite. The id is generated when the body has none, as Opik does. */
export function opikTrace(body: unknown): Normalised {
  return readOne(body, 'trace', (raw, ctx) => readTrace(raw, ctx, 'create'));
}

/** `POST /v1/private/spans`: one SpanWrite. */
export function opikSpan(body: unknown): Normalised {
  return readOne(body, 'span', (raw, ctx) => readSpan(raw, ctx, 'create'));
}

/** `PATCH /v1/private/traces/{id}`: a TraceUpdate; the id comes from the path. */
export function opikTraceUpdate(id: string, body: unknown): Normalised {
  return readOne(withId(body, id), 'trace', (raw, ctx) => readTrace(raw, ctx, 'update'));
}

/** `PATCH /v1/private/spans/{id}`: a SpanUpdate (which carries `trace_id`). */
export function opikSpanUpdate(id: string, body: unknown): Normalised {
  return readOne(withId(body, id), 'span', (raw, ctx) => readSpan(raw, ctx, 'update'));
}

/** The path's id wins over one in the body, as on the Opik server. */
function withId(body: unknown, id: string): unknown {
  return isObject(body) ? { ...body, id } : body;
}

type Mode = 'create' | 'update';

function readTrace(raw: Record<string, unknown>, ctx: FieldContext, mode: Mode): Patch {
  const fields = readFields(raw, TRACE_FIELDS, ctx, mode === 'create' ? ['start_time'] : ['id']);
  return { kind: 'trace', trace: toModel(fields) as TracePatch };
}

function readSpan(raw: Record<string, unknown>, ctx: FieldContext, mode: Mode): Patch {
  const fields = readFields(raw, SPAN_FIELDS, ctx, mode === 'create' ? ['trace_id', 'start_time'] : ['id', 'trace_id']);
  return { kind: 'span', span: toModel(fields) as SpanPatch };
}

/** Opik's fields → the model's: an id for a create without one, tags_to_add, metadata kept an object. */
function toModel(fields: Record<string, unknown>): Record<string, unknown> {
  const same =
    typeof fields.id === 'string' &&
    fields.tags_to_add === undefined &&
    fields.environment === undefined &&
    fields.ttft === undefined &&
    (fields.metadata === undefined || isObject(fields.metadata)) &&
    !hasOriginalUsage(fields.usage);
  if (same) return fields; // already the model's (and, if readFields kept it, exactly what arrived)
  const { tags_to_add, environment, ttft, ...out } = fields;
  if (hasOriginalUsage(out.usage)) out.usage = withoutOriginalUsage(out.usage as Record<string, number>);
  // Generated as the Opik server does; an invalid id was reported and the patch is never applied.
  if (typeof out.id !== 'string') out.id = globalThis.crypto.randomUUID();
  // An update's `tags_to_add` merges like `tags` (the store merges tags as a set);
  // `tags_to_remove` has no counterpart in a merge-only patch and is ignored.
  if (tags_to_add) out.tags = [...((out.tags as string[] | undefined) ?? []), ...(tags_to_add as string[])];
  if (out.metadata !== undefined && !isObject(out.metadata)) out.metadata = { metadata: out.metadata };
  // Opik's time to first token (ms) is the model's; where the run happened is kept in metadata.
  if (ttft !== undefined) out.time_to_first_token_ms = ttft;
  const extra: Record<string, unknown> = {};
  if (environment !== undefined) extra.environment = environment;
  if (Object.keys(extra).length) out.metadata = { ...((out.metadata as object | undefined) ?? {}), ...extra };
  return out;
}

/**
 * Opik's OpenAI integrations copy the provider's whole usage object, flattened, under
 * `original_usage.*` beside the three canonical counters: the same tokens again, which summed
 * into a trace would count each call twice. Only the cache and reasoning details are kept,
 * under the model's names.
 */
const ORIGINAL_USAGE = 'original_usage.';
const ORIGINAL_DETAILS: Record<string, string> = {
  'prompt_tokens_details.cached_tokens': 'cached_tokens',
  'input_tokens_details.cached_tokens': 'cached_tokens',
  cache_read_input_tokens: 'cached_tokens',
  cache_creation_input_tokens: 'cache_write_tokens',
  'completion_tokens_details.reasoning_tokens': 'reasoning_tokens',
  'output_tokens_details.reasoning_tokens': 'reasoning_tokens',
};

function hasOriginalUsage(usage: unknown): boolean {
  if (!isObject(usage)) return false;
  for (const key in usage) if (key.startsWith(ORIGINAL_USAGE)) return true;
  return false;
}

function withoutOriginalUsage(usage: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(usage)) {
    if (!key.startsWith(ORIGINAL_USAGE)) out[key] = value;
  }
  for (const [key, value] of Object.entries(usage)) {
    const name = ORIGINAL_DETAILS[key.slice(ORIGINAL_USAGE.length)];
    if (key.startsWith(ORIGINAL_USAGE) && name && value > 0 && out[name] === undefined) out[name] = value;
  }
  return out;
}

// ---- feedback scores --------------------------------------------------------------------

/** `PUT /v1/private/traces/feedback-scores` and `/spans/feedback-scores`: `{"scores": [{id, name, value, …}]}`. */
export function opikScores(target: 'trace' | 'span', body: unknown): Normalised {
  return readBatch(body, 'scores', (raw, ctx) => {
    const fields = readFields(raw, SCORE_FIELDS, ctx, ['id', 'name', 'value']);
    return { kind: 'score', score: toScore(target, fields.id as string, fields) };
  });
}

/** `POST /v1/private/{traces|spans}/{id}/feedback-scores/delete`: `{"name": …}` deletes that score. */
export function opikScoreDelete(target: 'trace' | 'span', id: string, body: unknown): Normalised {
  return readOne(body, 'score', (raw, ctx) => {
    const { name } = readFields(raw, SCORE_DELETE_FIELDS, ctx, ['name']);
    return { kind: 'score', score: { target, id, name: name as string, value: null, source: 'sdk' } };
  });
}

/** Which traces belong to a thread (optionally within one project): the route asks the store. */
export type ThreadLookup = (threadId: string, project: string | undefined) => string[];

export interface ThreadScoresNormalised extends Normalised {
  /** Threads named by the body of which no trace is known; their scores were not turned into patches. */
  unmatched: string[];
}

/** `PUT /v1/private/traces/threads/feedback-scores`: `{"scores": [{thread_id, project_name, name, value, …}]}`. */
export function opikThreadScores(body: unknown, tracesOf: ThreadLookup): ThreadScoresNormalised {
  const unmatched = new Set<string>();
  const result = readBatch(body, 'scores', (raw, ctx) => {
    const fields = readFields(raw, THREAD_SCORE_FIELDS, ctx, ['thread_id', 'name', 'value']);
    if (ctx.problems.list.some((p) => p.index === ctx.index)) return undefined;
    const traceIds = tracesOf(fields.thread_id as string, fields.project_name as string | undefined);
    if (traceIds.length === 0) unmatched.add(fields.thread_id as string);
    return traceIds.map((id): Patch => ({ kind: 'score', score: toScore('trace', id, fields) }));
  });
  return { ...result, unmatched: result.problems.length ? [] : [...unmatched] };
}

/** `POST /v1/private/traces/threads/feedback-scores/delete`: `{"project_name", "thread_id", "names": […]}`. */
export function opikThreadScoreDelete(body: unknown, tracesOf: ThreadLookup): ThreadScoresNormalised {
  let unmatched: string[] = [];
  const result = readOne(body, 'thread', (raw, ctx) => {
    const fields = readFields(raw, THREAD_SCORE_DELETE_FIELDS, ctx, ['thread_id', 'names']);
    if (!ctx.problems.ok) return undefined;
    const traceIds = tracesOf(fields.thread_id as string, fields.project_name as string | undefined);
    if (traceIds.length === 0) unmatched = [fields.thread_id as string];
    return traceIds.flatMap((id) =>
      (fields.names as string[]).map(
        (name): Patch => ({ kind: 'score', score: { target: 'trace', id, name, value: null, source: 'sdk' } }),
      ),
    );
  });
  return { ...result, unmatched: result.problems.length ? [] : unmatched };
}

function toScore(target: 'trace' | 'span', id: string, fields: Record<string, unknown>): ScorePatch {
  const score: ScorePatch = {
    target,
    id,
    name: fields.name as string,
    value: fields.value as number,
    source: (fields.source as ScorePatch['source']) ?? 'sdk',
  };
  if (fields.reason !== undefined) score.reason = fields.reason as string;
  if (fields.category_name !== undefined) score.category_name = fields.category_name as string;
  return score;
}

// ---- reading untrusted JSON -------------------------------------------------------------

type Reader = (raw: Record<string, unknown>, ctx: FieldContext) => Patch | Patch[] | undefined;

/** `{"<key>": [record…]}`; problems are reported with the record's index and a path like `spans[2].start_time`. */
function readBatch(body: unknown, key: string, read: Reader): Normalised {
  if (!isObject(body) || !Array.isArray(body[key])) {
    return {
      patches: [],
      problems: [{ index: 0, path: key, message: `the body must be an object with a "${key}" array` }],
    };
  }
  const problems = new Problems();
  const patches: Patch[] = [];
  (body[key] as unknown[]).forEach((item, index) => {
    if (!isObject(item)) return problems.add(index, `${key}[${index}]`, 'must be an object');
    const patch = read(withoutNulls(item), { problems, index, prefix: `${key}[${index}]` });
    if (Array.isArray(patch)) patches.push(...patch);
    else if (patch) patches.push(patch);
  });
  return problems.ok
    ? { patches, problems: [], cut: problems.cut || undefined }
    : { patches: [], problems: problems.list };
}

/** One record as the whole body; problems have paths like `span.start_time`. */
function readOne(body: unknown, prefix: string, read: Reader): Normalised {
  if (!isObject(body))
    return { patches: [], problems: [{ index: 0, path: prefix, message: 'the body must be a JSON object' }] };
  const problems = new Problems();
  const patch = read(withoutNulls(body), { problems, index: 0, prefix });
  if (!problems.ok || !patch) return { patches: [], problems: problems.list };
  return { patches: Array.isArray(patch) ? patch : [patch], problems: [], cut: problems.cut || undefined };
}

/** The Opik SDKs leave unset fields out; other clients send null. Either way it means "not given". */
function withoutNulls(raw: Record<string, unknown>): Record<string, unknown> {
  let hasNull = false;
  for (const key in raw) if (raw[key] === null) hasNull = true;
  if (!hasNull) return raw; // kept itself: see readFields
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) if (raw[key] !== null) out[key] = raw[key];
  return out;
}
