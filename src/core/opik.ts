// Opik REST bodies → patches. The Opik SDKs (Python and TypeScript) send traces and spans
// with the model's own field names (DESIGN.md took Opik's), so this is mostly checking: each
// field is validated, times are made canonical, and the few Opik-only fields are mapped.
// Creates and updates both become patches, so a PATCH that overtakes its create, or a
// create sent twice by a retry, merges like any other upsert.
//
// Thread feedback scores: the model has no thread record, only `thread_id` on traces. A
// thread's score is the verdict on the whole conversation, so it is written onto every trace
// of that thread the store holds when it arrives; whichever turn a person opens, they see it,
// and each trace's score averages stay what they were for that name. Traces of the thread
// that arrive later do not get it (the SDKs score a thread once it is over).

import { SPAN_TYPES } from './model';
import type { ErrorInfo, Patch, ScorePatch, ScoreSource, SpanPatch, SpanType, TracePatch } from './model';
import { isPlainObject } from './merge';
import { normaliseTime } from './time';

/** One thing wrong with a request body: where (`traces[2].start_time`) and what. */
export interface Problem {
  path: string;
  message: string;
}

export interface Normalised {
  patches: Patch[];
  /** When not empty the body is rejected as a whole: nothing of it should be applied. */
  problems: Problem[];
}

const ID_MAX_LENGTH = 128;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const SCORE_SOURCES: readonly string[] = ['sdk', 'ui', 'online_scoring'];
/** Stop listing after this many: a batch of 10k bad spans should not answer with 10k lines. */
const MAX_PROBLEMS = 100;

// ---- traces and spans -------------------------------------------------------------------

/** `POST /v1/private/traces/batch`: `{"traces": [TraceWrite…]}`. */
export function opikTraceBatch(body: unknown): Normalised {
  return readBatch(body, 'traces', (item, r) => readTrace(item, r, 'create'));
}

/** `POST /v1/private/spans/batch`: `{"spans": [SpanWrite…]}`. */
export function opikSpanBatch(body: unknown): Normalised {
  return readBatch(body, 'spans', (item, r) => readSpan(item, r, 'create'));
}

/** `POST /v1/private/traces`: one TraceWrite. The id is generated when the body has none, as Opik does. */
export function opikTrace(body: unknown): Normalised {
  return readOne(body, (item, r) => readTrace(item, r, 'create'));
}

/** `POST /v1/private/spans`: one SpanWrite. */
export function opikSpan(body: unknown): Normalised {
  return readOne(body, (item, r) => readSpan(item, r, 'create'));
}

/** `PATCH /v1/private/traces/{id}`: a TraceUpdate; the id comes from the path. */
export function opikTraceUpdate(id: string, body: unknown): Normalised {
  return readOne(withId(body, id), (item, r) => readTrace(item, r, 'update'));
}

/** `PATCH /v1/private/spans/{id}`: a SpanUpdate (which carries `trace_id`). */
export function opikSpanUpdate(id: string, body: unknown): Normalised {
  return readOne(withId(body, id), (item, r) => readSpan(item, r, 'update'));
}

/** The path's id wins over one in the body, as on the Opik server. */
function withId(body: unknown, id: string): unknown {
  return isPlainObject(body) ? { ...body, id } : body;
}

type Mode = 'create' | 'update';

function readTrace(raw: Record<string, unknown>, r: FieldReader, mode: Mode): Patch | undefined {
  const trace: TracePatch = { id: r.id('id', mode === 'create' ? 'generate' : 'required') ?? '' };
  readCommon(trace, raw, r, mode);
  assign(trace, 'thread_id', r.string('thread_id'));
  return { kind: 'trace', trace };
}

function readSpan(raw: Record<string, unknown>, r: FieldReader, mode: Mode): Patch | undefined {
  const span: SpanPatch = {
    id: r.id('id', mode === 'create' ? 'generate' : 'required') ?? '',
    trace_id: r.id('trace_id', 'required') ?? '',
  };
  assign(span, 'parent_span_id', r.id('parent_span_id', 'optional'));
  readCommon(span, raw, r, mode);
  assign(span, 'type', r.spanType('type'));
  assign(span, 'model', r.string('model'));
  assign(span, 'provider', r.string('provider'));
  assign(span, 'usage', r.usage('usage'));
  assign(span, 'total_estimated_cost', r.number('total_estimated_cost'));
  return { kind: 'span', span };
}

/** Fields traces and spans share, in Opik's names and the model's. */
function readCommon(out: TracePatch | SpanPatch, raw: Record<string, unknown>, r: FieldReader, mode: Mode): void {
  assign(out, 'project_name', r.string('project_name'));
  assign(out, 'name', r.string('name'));
  assign(out, 'start_time', r.time('start_time', mode === 'create'));
  assign(out, 'end_time', r.time('end_time', false));
  if (raw.input !== undefined && raw.input !== null) out.input = raw.input;
  if (raw.output !== undefined && raw.output !== null) out.output = raw.output;
  assign(out, 'metadata', r.metadata('metadata'));
  // An update's `tags_to_add` merges like `tags` does (the store merges tags as a set);
  // `tags_to_remove` has no counterpart in a merge-only patch and is ignored.
  const tags = [...(r.tags('tags') ?? []), ...(r.tags('tags_to_add') ?? [])];
  if (tags.length) out.tags = tags;
  assign(out, 'error_info', r.errorInfo('error_info'));
  // Opik-only fields worth keeping: where the run happened and the time to first token.
  const extra: Record<string, unknown> = {};
  const environment = r.string('environment');
  if (environment !== undefined) extra.environment = environment;
  const ttft = r.number('ttft');
  if (ttft !== undefined) extra.ttft_ms = ttft;
  if (Object.keys(extra).length) out.metadata = { ...(out.metadata ?? {}), ...extra };
}

// ---- feedback scores --------------------------------------------------------------------

/** `PUT /v1/private/traces/feedback-scores` and `/spans/feedback-scores`: `{"scores": [{id, name, value, …}]}`. */
export function opikScores(target: 'trace' | 'span', body: unknown): Normalised {
  return readBatch(body, 'scores', (_item, r) => {
    const score = readScore(r, target, r.id('id', 'required') ?? '');
    return score && { kind: 'score', score };
  });
}

/** `POST /v1/private/{traces|spans}/{id}/feedback-scores/delete`: `{"name": …}` deletes that score. */
export function opikScoreDelete(target: 'trace' | 'span', id: string, body: unknown): Normalised {
  return readOne(body, (_item, r) => {
    const name = r.string('name', true);
    return name === undefined ? undefined : { kind: 'score', score: { target, id, name, value: null, source: 'sdk' } };
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
  const result = readBatch(body, 'scores', (_item, r) => {
    const threadId = r.id('thread_id', 'required');
    const project = r.string('project_name');
    const template = readScore(r, 'trace', '');
    if (threadId === undefined || !template) return undefined;
    const traceIds = tracesOf(threadId, project);
    if (traceIds.length === 0) unmatched.add(threadId);
    return traceIds.map((id): Patch => ({ kind: 'score', score: { ...template, id } }));
  });
  return { ...result, unmatched: result.problems.length ? [] : [...unmatched] };
}

/** `POST /v1/private/traces/threads/feedback-scores/delete`: `{"project_name", "thread_id", "names": […]}`. */
export function opikThreadScoreDelete(body: unknown, tracesOf: ThreadLookup): ThreadScoresNormalised {
  let unmatched: string[] = [];
  const result = readOne(body, (_raw, r) => {
    const threadId = r.id('thread_id', 'required');
    const project = r.string('project_name');
    const names = r.tags('names', true);
    if (threadId === undefined || names === undefined) return undefined;
    const traceIds = tracesOf(threadId, project);
    if (traceIds.length === 0) unmatched = [threadId];
    return traceIds.flatMap((id) => names.map((name): Patch => ({ kind: 'score', score: { target: 'trace', id, name, value: null, source: 'sdk' } })));
  });
  return { ...result, unmatched: result.problems.length ? [] : unmatched };
}

function readScore(r: FieldReader, target: 'trace' | 'span', id: string): ScorePatch | undefined {
  const name = r.string('name', true);
  const value = r.number('value', true);
  const score: ScorePatch = { target, id, name: name ?? '', value: value ?? 0, source: r.scoreSource('source') ?? 'sdk' };
  assign(score, 'reason', r.string('reason'));
  assign(score, 'category_name', r.string('category_name'));
  return name === undefined || value === undefined ? undefined : score;
}

// ---- reading untrusted JSON -------------------------------------------------------------

function readBatch(body: unknown, key: string, read: (item: Record<string, unknown>, r: FieldReader) => Patch | Patch[] | undefined): Normalised {
  const problems: Problem[] = [];
  if (!isPlainObject(body) || !Array.isArray(body[key])) {
    return { patches: [], problems: [{ path: key, message: `the body must be an object with a "${key}" array` }] };
  }
  const patches: Patch[] = [];
  (body[key] as unknown[]).forEach((item, i) => {
    if (problems.length >= MAX_PROBLEMS) return;
    if (!isPlainObject(item)) {
      problems.push({ path: `${key}[${i}]`, message: 'must be an object' });
      return;
    }
    const patch = read(item, new FieldReader(item, `${key}[${i}].`, problems));
    if (Array.isArray(patch)) patches.push(...patch);
    else if (patch) patches.push(patch);
  });
  return problems.length ? { patches: [], problems } : { patches, problems };
}

function readOne(body: unknown, read: (item: Record<string, unknown>, r: FieldReader) => Patch | Patch[] | undefined): Normalised {
  if (!isPlainObject(body)) return { patches: [], problems: [{ path: '', message: 'the body must be a JSON object' }] };
  const problems: Problem[] = [];
  const patch = read(body, new FieldReader(body, '', problems));
  if (problems.length || !patch) return { patches: [], problems };
  return { patches: Array.isArray(patch) ? patch : [patch], problems };
}

/** Sets `out[key]` only when there is a value, so patches carry only the fields a client sent. */
function assign<T extends object, K extends keyof T>(out: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) out[key] = value;
}

/**
 * Reads one field at a time from an untrusted object, recording a problem for each bad one.
 * `null` counts as absent: the Opik SDKs leave unset fields out, other clients send null.
 */
class FieldReader {
  constructor(
    private readonly raw: Record<string, unknown>,
    private readonly prefix: string,
    private readonly problems: Problem[],
  ) {}

  private fail(key: string, message: string): undefined {
    this.problems.push({ path: this.prefix + key, message });
    return undefined;
  }

  private present(key: string, required: boolean): unknown {
    const value = this.raw[key];
    if (value === undefined || value === null) {
      if (required) this.fail(key, 'is required');
      return undefined;
    }
    return value;
  }

  id(key: string, when: 'required' | 'optional' | 'generate'): string | undefined {
    const value = this.present(key, when === 'required');
    if (value === undefined) return when === 'generate' ? globalThis.crypto.randomUUID() : undefined;
    if (typeof value !== 'string' || value.length === 0 || value.length > ID_MAX_LENGTH || CONTROL_CHARS.test(value)) {
      return this.fail(key, `must be a string of 1 to ${ID_MAX_LENGTH} characters without control characters`);
    }
    return value;
  }

  string(key: string, required = false): string | undefined {
    const value = this.present(key, required);
    if (value === undefined) return undefined;
    return typeof value === 'string' ? value : this.fail(key, 'must be a string');
  }

  number(key: string, required = false): number | undefined {
    const value = this.present(key, required);
    if (value === undefined) return undefined;
    return typeof value === 'number' && Number.isFinite(value) ? value : this.fail(key, 'must be a number');
  }

  time(key: string, required: boolean): string | undefined {
    const value = this.present(key, required);
    if (value === undefined) return undefined;
    return normaliseTime(value) ?? this.fail(key, 'must be an ISO 8601 date-time');
  }

  tags(key: string, required = false): string[] | undefined {
    const value = this.present(key, required);
    if (value === undefined) return undefined;
    return Array.isArray(value) && value.every((t) => typeof t === 'string') ? value : this.fail(key, 'must be an array of strings');
  }

  /** Opik takes any JSON as metadata; the model keeps an object, so anything else is wrapped. */
  metadata(key: string): Record<string, unknown> | undefined {
    const value = this.present(key, false);
    if (value === undefined) return undefined;
    return isPlainObject(value) ? value : { [key]: value };
  }

  usage(key: string): Record<string, number> | undefined {
    const value = this.present(key, false);
    if (value === undefined) return undefined;
    if (!isPlainObject(value)) return this.fail(key, 'must be an object of numbers');
    for (const [name, n] of Object.entries(value)) {
      if (typeof n !== 'number' || !Number.isFinite(n)) return this.fail(`${key}.${name}`, 'must be a number');
    }
    return value as Record<string, number>;
  }

  spanType(key: string): SpanType | undefined {
    const value = this.present(key, false);
    if (value === undefined) return undefined;
    return SPAN_TYPES.includes(value as SpanType) ? (value as SpanType) : this.fail(key, `must be one of ${SPAN_TYPES.join(', ')}`);
  }

  scoreSource(key: string): ScoreSource | undefined {
    const value = this.present(key, false);
    if (value === undefined) return undefined;
    return SCORE_SOURCES.includes(value as string) ? (value as ScoreSource) : this.fail(key, `must be one of ${SCORE_SOURCES.join(', ')}`);
  }

  errorInfo(key: string): ErrorInfo | undefined {
    const value = this.present(key, false);
    if (value === undefined) return undefined;
    if (!isPlainObject(value) || typeof value.exception_type !== 'string') {
      return this.fail(key, 'must be an object with a string "exception_type"');
    }
    const info: ErrorInfo = { exception_type: value.exception_type };
    for (const field of ['message', 'traceback'] as const) {
      const text = value[field];
      if (text === undefined || text === null) continue;
      if (typeof text !== 'string') return this.fail(`${key}.${field}`, 'must be a string');
      info[field] = text;
    }
    return info;
  }
}
