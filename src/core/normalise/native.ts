// The native ingest protocol (docs/protocol.md) → patches. A batch is all or nothing: every
// event is checked, every problem is reported, and patches are returned only when there is
// none, so a rejected batch leaves the store exactly as it was.

import { codeVersionProblem } from '../model/codeVersion';
import type { Patch, ScorePatch, SpanPatch, TracePatch } from '../model/model';
import { type FieldContext, type FieldSpec, type Problem, Problems, isObject, readFields } from './validate';

export const TRACE_FIELDS: FieldSpec = {
  id: 'id',
  project_name: 'string',
  name: 'string',
  start_time: 'time',
  end_time: 'time',
  input: 'json',
  output: 'json',
  expected: 'json',
  metadata: 'object',
  tags: 'tags',
  error_info: 'errorInfo',
  thread_id: 'string',
  // Its shape is checked below (codeVersionProblem), past the generic object check.
  code_version: 'object',
};

const { thread_id: _traceOnly, code_version: _traceOnlyToo, ...SHARED_FIELDS } = TRACE_FIELDS;

/** A span's fields; OTLP spans are read through them too (otlp.ts), for the same bounds. */
export const SPAN_FIELDS: FieldSpec = {
  ...SHARED_FIELDS,
  trace_id: 'id',
  parent_span_id: 'id',
  type: 'spanType',
  usage: 'usage',
  model: 'string',
  provider: 'string',
  total_estimated_cost: 'number',
  time_to_first_token_ms: 'number',
  code_location: 'codeLocation',
};

export const SCORE_FIELDS: FieldSpec = {
  id: 'id',
  trace_id: 'id',
  name: 'string',
  value: 'scoreValue',
  reason: 'text',
  category_name: 'string',
  source: 'scoreSource',
};

/** For each event: which record it carries and which of its fields must be there. */
const EVENTS: Record<string, { carries: 'trace' | 'span' | 'score'; required: string[] }> = {
  trace_start: { carries: 'trace', required: ['id', 'start_time'] },
  trace_update: { carries: 'trace', required: ['id'] },
  trace_end: { carries: 'trace', required: ['id', 'end_time'] },
  span_start: { carries: 'span', required: ['id', 'trace_id', 'start_time'] },
  span_update: { carries: 'span', required: ['id'] },
  span_end: { carries: 'span', required: ['id', 'trace_id', 'end_time'] },
  score: { carries: 'score', required: ['target', 'id', 'name', 'value'] },
};
const EVENT_NAMES = Object.keys(EVENTS).join(', ');

export type NativeBatchResult =
  | { ok: true; patches: Patch[]; seq?: number; cut?: boolean }
  | { ok: false; error: string; details: Problem[]; seq?: number };

/**
 * Checks and converts one batch (`{"events": [...], "seq"?: n}`).
 * `cut`: some value was cut to the limits (limits.ts), so the body's bytes are not worth
 * keeping as they came (a 10 MB name would be stored whole, to be cut again on every read).
 */
export function normaliseNativeBatch(body: unknown): NativeBatchResult {
  if (!isObject(body) || !Array.isArray(body.events)) {
    return { ok: false, error: 'a batch must be a JSON object with an "events" array', details: [] };
  }
  const seq = typeof body.seq === 'number' ? body.seq : undefined;
  const problems = new Problems();
  const patches: Patch[] = [];
  const events = body.events as unknown[];
  for (let i = 0; i < events.length; i++) {
    const patch = readEvent(events[i], i, problems);
    if (patch) patches.push(patch);
  }
  if (!problems.ok) {
    const rejected = new Set(problems.list.map((p) => p.index)).size;
    const more = problems.truncated ? ' (only the first problems are listed)' : '';
    return {
      ok: false,
      error: `invalid batch: ${rejected}${problems.truncated ? '+' : ''} of ${events.length} events rejected${more}`,
      details: problems.list,
      seq,
    };
  }
  return { ok: true, patches, seq, cut: problems.cut || undefined };
}

function readEvent(raw: unknown, index: number, problems: Problems): Patch | undefined {
  if (!isObject(raw)) {
    problems.add(index, '', 'must be an object');
    return undefined;
  }
  // Looked up only once known to be a string: a list as a key is joined into one first,
  // which recurses as deep as the list nests (a stack overflow at a few thousand levels).
  const kind = typeof raw.event === 'string' && Object.hasOwn(EVENTS, raw.event) ? EVENTS[raw.event] : undefined;
  if (!kind) {
    problems.add(index, 'event', `must be one of ${EVENT_NAMES}`);
    return undefined;
  }
  const record = raw[kind.carries];
  if (!isObject(record)) {
    problems.add(index, kind.carries, 'is required (an object)');
    return undefined;
  }
  const ctx: FieldContext = { problems, index, prefix: kind.carries };
  if (kind.carries === 'trace') {
    const trace = readFields(record, TRACE_FIELDS, ctx, kind.required) as TracePatch;
    if (trace.code_version !== undefined) {
      const problem = codeVersionProblem(trace.code_version as unknown as Record<string, unknown>);
      if (problem) problems.add(index, 'trace.code_version', problem);
    }
    return { kind: 'trace', trace };
  }
  if (kind.carries === 'span')
    return { kind: 'span', span: readFields(record, SPAN_FIELDS, ctx, kind.required) as SpanPatch };
  const score = readScore(record, ctx);
  return score && { kind: 'score', score };
}

/**
 * A score as the `score` event and `POST /api/scores` carry it. Returns undefined (with the
 * problems reported) when it is not valid.
 */
export function readScore(raw: Record<string, unknown>, ctx: FieldContext): ScorePatch | undefined {
  const before = ctx.problems.list.length;
  const fields = readFields(raw, SCORE_FIELDS, ctx, ['id', 'name', 'value']);
  if (raw.target !== 'trace' && raw.target !== 'span')
    ctx.problems.add(ctx.index, `${ctx.prefix}.target`, 'must be "trace" or "span"');
  if (fields.name === '') ctx.problems.add(ctx.index, `${ctx.prefix}.name`, 'must not be empty');
  if (ctx.problems.list.length > before || ctx.problems.truncated) return undefined;
  return { ...fields, target: raw.target } as ScorePatch;
}
