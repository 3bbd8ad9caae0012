// Encodes queued records and events as the native ingest protocol (docs/protocol.md). Runs
// when a batch is flushed, never inside a user's call. Each record becomes a plain event
// object and a whole batch is one `JSON.stringify`: V8's native serialiser is several times
// faster than building the text piece by piece, and a batch is thousands of events.

import { isoFromMs } from './clock.js';
import { codeVersion } from './gitVersion.js';
import { Kind, type Rec, type SpanImpl, type TraceImpl } from './records.js';
import { SPAN_TYPES } from './recordTypes.js';
import { Encoded, LOSSY, limits } from './snapshot.js';

/** A ready event that is not a record (scores, updates for spans this process does not hold). */
export interface PlainEvent {
  event: 'score' | 'span_update' | 'trace_update';
  [key: string]: unknown;
}

export type Entry = Rec | PlainEvent;

export function isRecord(entry: Entry): entry is Rec {
  return typeof (entry as Rec).kind === 'number';
}

/**
 * One event for the record's current state: `*_end` once it has ended (a complete record
 * when no start went out before), `*_start` the first time, `*_update` after that.
 */
export function recordEvent(rec: Rec): object {
  // The collector refuses a whole batch for one ill-typed field, so every field that may
  // have come from user code is checked here, once, whatever path set it.
  const body: Record<string, unknown> = { id: rec.id };
  if (rec.kind === Kind.Span) {
    const s = rec as SpanImpl;
    body.trace_id = s.traceId;
    if (s.parentId !== undefined) body.parent_span_id = s.parentId;
    body.type = SPAN_TYPES.has(s.type) ? s.type : 'general';
    if (s.location !== undefined) body.code_location = s.location;
    if (typeof s.model === 'string') body.model = s.model;
    if (typeof s.provider === 'string') body.provider = s.provider;
    if (s.usage !== undefined) body.usage = s.usage;
    if (s.cost !== undefined) body.total_estimated_cost = s.cost;
    if (s.ttftMs !== undefined) body.time_to_first_token_ms = s.ttftMs;
  } else {
    const t = rec as TraceImpl;
    if (typeof t.threadId === 'string') body.thread_id = t.threadId;
    const version = codeVersion(); // read once per process, here in the flush
    if (version !== undefined) body.code_version = version;
  }
  if (typeof rec.projectName === 'string') body.project_name = rec.projectName;
  body.name = typeof rec.name === 'string' ? rec.name : String(rec.name);
  body.start_time = isoFromMs(rec.startMs);
  if (rec.ended) body.end_time = isoFromMs(rec.endMs);
  if (rec.argNames !== null) body.input = argsValue(rec.input as unknown[], rec.argNames.names, rec.argNames.rest);
  else if (rec.input !== undefined) body.input = plain(rec.input);
  if (rec.output !== undefined) body.output = plain(rec.output);
  if (rec.expected !== undefined) body.expected = plain(rec.expected);
  if (rec.metadata !== undefined) body.metadata = plain(rec.metadata);
  if (rec.argNames !== null && rec.kind === Kind.Span && !rec.sent)
    body.metadata = { ...(body.metadata as object), [CALL_KEY]: callShape(rec) };
  if (rec.kind === Kind.Trace && !rec.sent) {
    const replayOf = replayOfEnv();
    if (replayOf !== undefined) body.metadata = { ...(body.metadata as object), replay_of: replayOf };
  }
  if (rec.tags !== undefined) body.tags = rec.tags;
  if (rec.error !== undefined) body.error_info = rec.error;
  const kind = rec.kind === Kind.Span ? 'span' : 'trace';
  const phase = rec.ended ? 'end' : rec.sent ? 'update' : 'start';
  return rec.kind === Kind.Span
    ? { event: `${kind}_${phase}`, span: body }
    : { event: `${kind}_${phase}`, trace: body };
}

/** Plain events hold sealed values (see snapshot.ts), like records. */
export function plainEvent(event: PlainEvent): object {
  return plain(event) as object;
}

export function batchJson(events: object[]): string {
  return JSON.stringify({ events });
}

const CALL_KEY = 'spanscope.call';

/** What re-running the call needs (docs/protocol.md, metadata `spanscope.call`). */
function callShape(rec: Rec): Record<string, unknown> {
  const params = rec.argNames!;
  const shape: Record<string, unknown> = {
    qualname: (rec as SpanImpl).location?.function ?? rec.name,
    method: params.method ? 'instance' : null,
    names: params.names.map((n) => n ?? null),
    rest: params.rest,
  };
  const lossy = (rec.input as Record<symbol, number[] | undefined> | undefined)?.[LOSSY];
  if (lossy)
    shape.lossy = lossy.map((i) => params.names[params.rest ? Math.min(i, params.names.length - 1) : i] ?? `arg${i}`);
  return shape;
}

/** `SPANSCOPE_REPLAY_OF=TRACE_ID/SPAN_ID`, set by Debug This Call and saved tests; read at send time. */
export function replayOfEnv(): { trace_id: string; span_id: string } | undefined {
  const value = typeof process !== 'undefined' ? process.env.SPANSCOPE_REPLAY_OF : undefined;
  if (!value || value.length > 200) return undefined;
  const at = value.indexOf('/');
  return at > 0 && at < value.length - 1 ? { trace_id: value.slice(0, at), span_id: value.slice(at + 1) } : undefined;
}

/** A call's arguments as an object keyed by parameter name (`arg2` where there is none). */
function argsValue(args: unknown[], names: (string | undefined)[], rest: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const last = names.length - 1;
  for (let i = 0; i < args.length; i++) {
    if (rest && i === last) {
      out[names[i] ?? `arg${i}`] = args.slice(i).map(plain);
      break;
    }
    const v = args[i];
    out[names[i] ?? `arg${i}`] = v === undefined ? null : plain(v);
  }
  return out;
}

/** A sealed value as something `JSON.stringify` writes as intended. */
function plain(v: unknown): unknown {
  if (typeof v === 'string') return v.length > limits.maxValueLength ? cutString(v) : v;
  if (typeof v !== 'object' || v === null) return v;
  if (v instanceof Encoded) return v.value;
  if (Array.isArray(v)) return v.map(plain);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) out[key] = plain((v as Record<string, unknown>)[key]);
  return out;
}

function cutString(s: string): string {
  return `${s.slice(0, limits.maxValueLength)}… [truncated ${s.length - limits.maxValueLength} characters]`;
}
