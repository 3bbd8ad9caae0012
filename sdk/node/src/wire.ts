// Encodes queued records and events as the native ingest protocol (docs/protocol.md). Runs
// when a batch is flushed, never inside a user's call. Inputs and outputs were sealed when
// captured (see snapshot.ts), so this only writes JSON text; it builds strings directly
// because the sealed values carry ready-made JSON fragments that `JSON.stringify` would
// quote again.

import { isoFromMs } from './clock.js';
import { Kind, type Rec, type SpanImpl, type TraceImpl } from './records.js';
import { Encoded, stringJson } from './snapshot.js';

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
export function encodeRecord(rec: Rec): string {
  const kind = rec.kind === Kind.Span ? 'span' : 'trace';
  const phase = rec.ended ? 'end' : rec.sent ? 'update' : 'start';
  let j = `{"event":"${kind}_${phase}","${kind}":{"id":${JSON.stringify(rec.id)}`;
  if (rec.kind === Kind.Span) {
    const s = rec as SpanImpl;
    j += `,"trace_id":${JSON.stringify(s.traceId)}`;
    if (s.parentId !== undefined) j += `,"parent_span_id":${JSON.stringify(s.parentId)}`;
    j += `,"type":"${s.type}"`;
    if (s.location !== undefined) j += `,"code_location":${s.location}`;
    if (s.model !== undefined) j += `,"model":${JSON.stringify(s.model)}`;
    if (s.provider !== undefined) j += `,"provider":${JSON.stringify(s.provider)}`;
    if (s.usage !== undefined) j += `,"usage":${JSON.stringify(s.usage)}`;
    if (s.cost !== undefined) j += `,"total_estimated_cost":${JSON.stringify(s.cost)}`;
  } else {
    const t = rec as TraceImpl;
    if (t.threadId !== undefined) j += `,"thread_id":${JSON.stringify(t.threadId)}`;
  }
  if (rec.projectName !== undefined) j += `,"project_name":${JSON.stringify(rec.projectName)}`;
  j += `,"name":${JSON.stringify(rec.name)},"start_time":"${isoFromMs(rec.startMs)}"`;
  if (rec.ended) j += `,"end_time":"${isoFromMs(rec.endMs)}"`;
  if (rec.argNames !== null) j += `,"input":${argsJson(rec.input as unknown[], rec.argNames.names, rec.argNames.rest)}`;
  else if (rec.input !== undefined) j += `,"input":${valueJson(rec.input)}`;
  if (rec.output !== undefined) j += `,"output":${valueJson(rec.output)}`;
  if (rec.expected !== undefined) j += `,"expected":${valueJson(rec.expected)}`;
  if (rec.metadata !== undefined) j += `,"metadata":${valueJson(rec.metadata)}`;
  if (rec.tags !== undefined) j += `,"tags":${JSON.stringify(rec.tags)}`;
  if (rec.error !== undefined) j += `,"error_info":${JSON.stringify(rec.error)}`;
  return `${j}}}`;
}

/** Plain events hold sealed values (see snapshot.ts), like records. */
export function encodePlain(event: PlainEvent): string {
  return valueJson(event);
}

export function batchJson(events: string[]): string {
  return `{"events":[${events.join(',')}]}`;
}

/** A call's arguments as an object keyed by parameter name (`arg2` where there is none). */
function argsJson(args: unknown[], names: (string | undefined)[], rest: boolean): string {
  const last = names.length - 1;
  let j = '{';
  let n = 0;
  for (let i = 0; i < args.length; i++) {
    if (rest && i === last) {
      j += `${n++ ? ',' : ''}${JSON.stringify(names[i] ?? `arg${i}`)}:${valueJson(args.slice(i))}`;
      break;
    }
    const name = names[i] ?? `arg${i}`;
    j += `${n++ ? ',' : ''}${JSON.stringify(name)}:${args[i] === undefined ? 'null' : valueJson(args[i])}`;
  }
  return `${j}}`;
}

/** JSON text of a sealed value. */
export function valueJson(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return stringJson(v);
    case 'number':
    case 'boolean':
      return JSON.stringify(v);
    case 'undefined':
      return 'null';
    case 'object': {
      if (v === null) return 'null';
      if (v instanceof Encoded) return v.json;
      if (Array.isArray(v)) return `[${v.map(valueJson).join(',')}]`;
      let j = '{';
      let n = 0;
      for (const key of Object.keys(v)) {
        const item = (v as Record<string, unknown>)[key];
        if (item === undefined) continue;
        j += `${n++ ? ',' : ''}${JSON.stringify(key)}:${valueJson(item)}`;
      }
      return `${j}}`;
    }
    default:
      return JSON.stringify(String(v));
  }
}
