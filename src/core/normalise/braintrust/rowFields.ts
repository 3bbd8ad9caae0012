// One Braintrust row (or the part of one a merge touched) → the model's patches. The row's
// fields are mapped to ours:
//
//   span_attributes.name / .type   → name / type (llm, tool; the rest general, their type kept as metadata.braintrust_type)
//   metrics.start / .end (epoch s) → start_time / end_time
//   metrics.*tokens                → usage (prompt_tokens, completion_tokens, total_tokens, and the
//                                    cached / reasoning / audio counters by OpenAI's detail names)
//   metrics.time_to_first_token    → time_to_first_token_ms; any other metric → metadata.metrics
//   input, output, expected, tags  → the same (an llm span's messages and choices in the chat shape)
//   metadata                       → metadata; its `model` and `provider` also → model / provider
//   error (text)                   → error_info (errorText.ts)
//   context.caller_*               → code_location
//   scores                         → feedback scores on the span (null deletes one)
//   _audit_metadata (logFeedback)  → metadata.feedback_metadata
//
// A root row (no span_parents) also makes the trace record: name, input, output, times.

import type {
  CodeLocation,
  Patch,
  ScorePatch,
  ScoreSource,
  SpanPatch,
  SpanType,
  TracePatch,
  Usage,
} from '../../model/model';
import { formatMicros, isInTimeRange, normaliseTime } from '../../model/time';
import { type Row, isRow } from './deepMerge';
import { parseErrorText } from './errorText';

/** Where a row's span lives, from its own ids or from an earlier row with the same `id`. */
export interface RowPlace {
  spanId: string;
  traceId: string;
  project?: string;
  /** The span has no parent: its rows also make the trace record. */
  root: boolean;
}

/**
 * Braintrust metric → our usage counter. Other `*_tokens` metrics keep their own name. Maps,
 * because the keys looked up are a client's: a metric named `constructor` must find nothing.
 */
const USAGE_NAMES = new Map(
  Object.entries({
    prompt_tokens: 'prompt_tokens',
    completion_tokens: 'completion_tokens',
    tokens: 'total_tokens',
    prompt_cached_tokens: 'prompt_tokens_details.cached_tokens',
    prompt_cache_creation_tokens: 'prompt_tokens_details.cache_creation_tokens',
    prompt_audio_tokens: 'prompt_tokens_details.audio_tokens',
    completion_reasoning_tokens: 'completion_tokens_details.reasoning_tokens',
    completion_audio_tokens: 'completion_tokens_details.audio_tokens',
  }),
);
const TIME_METRICS = new Set(['start', 'end', 'time_to_first_token']);

/** `_audit_source` of logFeedback: the app's UI is a person; an SDK or API call is the SDK. */
const SCORE_SOURCES = new Map<string, ScoreSource>([
  ['app', 'ui'],
  ['api', 'sdk'],
  ['external', 'sdk'],
]);

export interface RowPatches {
  span: SpanPatch;
  trace?: TracePatch;
  scores: ScorePatch[];
}

/** The patches for `row`, whose span is at `place`. Only the fields present in `row` are set. */
export function rowPatches(row: Row, place: RowPlace): RowPatches {
  const span: SpanPatch = { id: place.spanId, trace_id: place.traceId };
  if (place.project !== undefined) span.project_name = place.project;
  const parents = row.span_parents;
  if (Array.isArray(parents) && typeof parents[0] === 'string') span.parent_span_id = parents[0];
  let metadata: Record<string, unknown> = {};

  const attributes = isRow(row.span_attributes) ? row.span_attributes : undefined;
  if (typeof attributes?.name === 'string') span.name = attributes.name;
  if (typeof attributes?.type === 'string') {
    span.type = spanType(attributes.type);
    if (span.type === 'general') metadata.braintrust_type = attributes.type;
  }

  if (isRow(row.metrics)) readMetrics(row.metrics, span, metadata);
  if (span.start_time === undefined && row._is_merge !== true) {
    const created = normaliseTime(row.created);
    if (created) span.start_time = created;
  }

  if (row.input !== undefined) span.input = span.type === 'llm' ? chatInput(row.input) : row.input;
  if (row.output !== undefined) span.output = span.type === 'llm' ? chatOutput(row.output) : row.output;
  if (row.expected !== undefined) span.expected = row.expected;
  if (Array.isArray(row.tags)) span.tags = row.tags.filter((t): t is string => typeof t === 'string');
  if (row.metadata !== undefined && row.metadata !== null) {
    const given = isRow(row.metadata) ? row.metadata : { metadata: row.metadata };
    metadata = { ...metadata, ...given }; // spread, not assign: a "__proto__" key stays a key
    if (typeof given.model === 'string') span.model = given.model;
    if (typeof given.provider === 'string') span.provider = given.provider;
  }
  if (isRow(row._audit_metadata) && Object.keys(row._audit_metadata).length)
    metadata.feedback_metadata = row._audit_metadata;
  if (Object.keys(metadata).length) span.metadata = metadata;

  if (typeof row.error === 'string' && row.error) span.error_info = parseErrorText(row.error);
  else if (row.error !== undefined && row.error !== null)
    span.error_info = { exception_type: 'Error', message: JSON.stringify(row.error) };

  const location = isRow(row.context) ? codeLocation(row.context) : undefined;
  if (location) span.code_location = location;

  const scores = isRow(row.scores)
    ? scorePatches(row.scores, place, SCORE_SOURCES.get(String(row._audit_source)) ?? 'sdk')
    : [];
  return { span, trace: place.root ? tracePatch(span, place) : undefined, scores };
}

/** Everything as one list, in an order the store applies well (trace, span, then its scores). */
export function patchList(p: RowPatches): Patch[] {
  const out: Patch[] = [];
  if (p.trace) out.push({ kind: 'trace', trace: p.trace });
  out.push({ kind: 'span', span: p.span });
  for (const score of p.scores) out.push({ kind: 'score', score });
  return out;
}

function spanType(type: string): SpanType {
  return type === 'llm' ? 'llm' : type === 'tool' ? 'tool' : 'general';
}

function readMetrics(metrics: Row, span: SpanPatch, metadata: Record<string, unknown>): void {
  const seconds = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  // normaliseLogs3 refuses a start or end outside the years 0001–9999; checked again here because
  // formatMicros throws on such a time, and a throw here would be a 500 for the whole body.
  const epoch = (v: unknown) => (typeof v === 'number' && isInTimeRange(v * 1e6) ? v : undefined);
  const start = epoch(metrics.start);
  const end = epoch(metrics.end);
  if (start !== undefined) span.start_time = formatMicros(start * 1e6);
  if (end !== undefined) span.end_time = formatMicros(end * 1e6);
  const ttft = seconds(metrics.time_to_first_token);
  if (ttft !== undefined) span.time_to_first_token_ms = Math.round(ttft * 1e6) / 1e3;
  const usage: Usage = {};
  const other: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metrics)) {
    if (TIME_METRICS.has(key) || typeof value !== 'number' || !Number.isFinite(value)) continue;
    const name = USAGE_NAMES.get(key);
    if (name) usage[name] = value;
    else if (key.endsWith('_tokens')) usage[key] = value;
    else other[key] = value;
  }
  if (Object.keys(usage).length) span.usage = usage;
  if (Object.keys(other).length) metadata.metrics = other;
}

/** wrapOpenAI logs the messages array as the input: the model's chat shape wraps it. */
function chatInput(input: unknown): unknown {
  return Array.isArray(input) && input.every((m) => isRow(m) && typeof m.role === 'string')
    ? { messages: input }
    : input;
}

/** …and the choices array as the output: one choice is its message, several are `{choices}`. */
function chatOutput(output: unknown): unknown {
  if (!Array.isArray(output) || output.length === 0 || !output.every((c) => isRow(c) && isRow(c.message)))
    return output;
  const messages = output.map((c) => (c as Row).message);
  return messages.length === 1 ? messages[0] : { choices: messages };
}

function codeLocation(context: Row): CodeLocation | undefined {
  const file = typeof context.caller_filename === 'string' ? filePath(context.caller_filename) : '';
  const line = context.caller_lineno;
  if (!file || typeof line !== 'number' || !Number.isInteger(line) || line < 1) return undefined;
  const location: CodeLocation = { file, line };
  if (typeof context.caller_functionname === 'string' && context.caller_functionname)
    location.function = context.caller_functionname.replace(/^async /, '');
  return location;
}

/** The JS SDK reports ES modules by URL (`file:///app/main.mjs`); the model wants the path. */
function filePath(name: string): string {
  if (!name.startsWith('file://')) return name;
  try {
    const path = decodeURIComponent(new URL(name).pathname);
    return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path; // file:///C:/x → C:/x
  } catch {
    return name;
  }
}

function scorePatches(scores: Row, place: RowPlace, source: ScoreSource): ScorePatch[] {
  const out: ScorePatch[] = [];
  for (const [name, value] of Object.entries(scores)) {
    if (value !== null && (typeof value !== 'number' || !Number.isFinite(value))) continue;
    out.push({ target: 'span', id: place.spanId, trace_id: place.traceId, name, value, source });
  }
  return out;
}

function tracePatch(span: SpanPatch, place: RowPlace): TracePatch {
  const trace: TracePatch = { id: place.traceId };
  for (const key of [
    'project_name',
    'name',
    'start_time',
    'end_time',
    'input',
    'output',
    'expected',
    'tags',
    'error_info',
  ] as const) {
    if (span[key] !== undefined) (trace as Record<string, unknown>)[key] = span[key];
  }
  return trace;
}
