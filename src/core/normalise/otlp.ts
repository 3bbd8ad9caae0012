// OTLP trace export requests → span patches. The same normaliser reads OTLP/JSON and the
// object protobufjs decodes from OTLP/protobuf, so it accepts what either gives: ids as hex
// (the OTLP/JSON rule), base64 (the protobuf JSON mapping) or bytes (from the decoder),
// 64-bit integers as numbers or strings, enums as numbers or names, camelCase or
// snake_case keys. Unknown fields are ignored.
//
// OTLP has no trace object: a span without a parent is a root, and the store makes the
// trace from it (a root span naming a conversation also sends the trace, for its thread_id).
// The project is, in order: a `spanscope.project` attribute on the span or
// its resource, OpenInference's `openinference.project.name` resource attribute, the project
// the request named (Opik's `projectName` header), the resource's `service.name` (unless it
// is the SDK's `unknown_service` placeholder), and otherwise the store's default.
//
// Every span is read at last through the native span fields (validate.ts), so it is bounded
// (limits.ts: depth, name and text lengths) exactly as native and Opik records are.

import { DEPTH_MARKER, DEPTH_MAX, setOwn } from './limits';
import type { ErrorInfo, Patch, SpanPatch, TracePatch } from '../model/model';
import { isPlainObject } from '../model/merge';
import { SPAN_FIELDS } from './native';
import { formatMicros } from '../model/time';
import { AttributeBag, MAPPED_EVENTS, readConventions } from './conventions/readConventions';
import { Problems, readFields } from './validate';

export interface OtlpOptions {
  /** A project named by the request itself (e.g. a `projectName` header). */
  project?: string;
}

export interface OtlpResult {
  patches: Patch[];
  /** Spans that could not be read (no valid ids, no start time); the rest are in `patches`. */
  rejectedSpans: number;
  /** Why, for the first few rejected spans; empty when none was. */
  errorMessage: string;
}

/** The body is not an export request at all; the route answers 400. */
export class OtlpFormatError extends Error {}

const PROJECT_ATTRIBUTE = 'spanscope.project';
const MAX_REASONS = 5;
const SPAN_KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

export function otlpToPatches(request: unknown, options: OtlpOptions = {}): OtlpResult {
  if (!isPlainObject(request)) throw new OtlpFormatError('an ExportTraceServiceRequest must be a JSON object');
  const patches: Patch[] = [];
  const reasons: string[] = [];
  let rejectedSpans = 0;
  const resourceSpans = listField(request, 'resourceSpans', 'resource_spans');
  resourceSpans.forEach((rs, r) => {
    if (!isPlainObject(rs)) throw new OtlpFormatError(`resourceSpans[${r}] must be an object`);
    const resource = field(rs, 'resource');
    const resourceAttrs = attributes(isPlainObject(resource) ? resource : {}, `resourceSpans[${r}].resource`);
    const project = resourceProject(resourceAttrs, options.project);
    const hasResource = Object.keys(resourceAttrs).length > 0;
    const scopeSpans = listField(rs, 'scopeSpans', 'scope_spans', `resourceSpans[${r}]`, 'instrumentationLibrarySpans');
    scopeSpans.forEach((ss, s) => {
      if (!isPlainObject(ss)) throw new OtlpFormatError(`resourceSpans[${r}].scopeSpans[${s}] must be an object`);
      const scope = field(ss, 'scope') ?? field(ss, 'instrumentationLibrary');
      const spans = listField(ss, 'spans', 'spans', `resourceSpans[${r}].scopeSpans[${s}]`);
      spans.forEach((span, i) => {
        const where = `resourceSpans[${r}].scopeSpans[${s}].spans[${i}]`;
        const result = isPlainObject(span)
          ? readSpan(span, where, {
              resourceAttrs: hasResource ? resourceAttrs : undefined,
              project,
              scope: isPlainObject(scope) ? scope : {},
            })
          : `${where}: must be an object`;
        if (typeof result === 'string') {
          rejectedSpans++;
          if (reasons.length < MAX_REASONS) reasons.push(result);
        } else {
          patches.push(result);
          const thread = threadTrace(result.span);
          if (thread) patches.push(thread);
        }
      });
    });
  });
  const more = rejectedSpans > reasons.length ? `; and ${rejectedSpans - reasons.length} more` : '';
  return { patches, rejectedSpans, errorMessage: reasons.length ? reasons.join('; ') + more : '' };
}

interface SpanContext {
  /** Undefined when the resource has no attributes. */
  resourceAttrs: Record<string, unknown> | undefined;
  project: string | undefined;
  scope: Record<string, unknown>;
}

/** One OTLP span → a span patch, or why it was rejected. */
function readSpan(
  raw: Record<string, unknown>,
  where: string,
  ctx: SpanContext,
): { kind: 'span'; span: SpanPatch } | string {
  const traceId = hexId(field(raw, 'traceId'), 16);
  if (!traceId) return `${where}: traceId must be 16 bytes, as 32 hex characters or base64`;
  const spanId = hexId(field(raw, 'spanId'), 8);
  if (!spanId) return `${where}: spanId must be 8 bytes, as 16 hex characters or base64`;
  const start = nanosToIso(field(raw, 'startTimeUnixNano'));
  if (!start) return `${where}: startTimeUnixNano must be a positive integer of nanoseconds`;

  const attrs = new AttributeBag(attributes(raw, where));
  const span: SpanPatch = { id: spanId, trace_id: traceId, name: '', start_time: start };
  const parent = hexId(field(raw, 'parentSpanId'), 8);
  if (parent) span.parent_span_id = parent;
  const end = nanosToIso(field(raw, 'endTimeUnixNano'));
  if (end) span.end_time = end;

  const spanProject = attrs.takeString(PROJECT_ATTRIBUTE);
  const project = spanProject ?? ctx.project;
  if (project) span.project_name = project;

  const fields = readConventions(attrs);
  const conventionMetadata = fields.metadata;
  fields.metadata = undefined;
  // The app's own name for the span (a function id, a tool's name) over the instrumentation's.
  if (!fields.name && typeof raw.name === 'string') fields.name = raw.name;
  for (const key in fields) {
    const value = fields[key as keyof typeof fields];
    if (value !== undefined) (span as Record<string, unknown>)[key] = value;
  }

  const listed = listField(raw, 'events', 'events', where);
  const events = listed.length ? listed.filter(isPlainObject) : NO_EVENTS;
  const error = errorInfo(field(raw, 'status'), events, where);
  if (error) span.error_info = error;

  const metadata = attrs.rest();
  if (conventionMetadata) Object.assign(metadata, conventionMetadata);
  const kind = spanKind(field(raw, 'kind'));
  if (kind) metadata['otel.span.kind'] = kind;
  if (typeof ctx.scope.name === 'string' && ctx.scope.name) metadata['otel.scope.name'] = ctx.scope.name;
  if (typeof ctx.scope.version === 'string' && ctx.scope.version) metadata['otel.scope.version'] = ctx.scope.version;
  if (events.length) {
    const otherEvents = events
      .filter((e) => !(error && e.name === 'exception') && !MAPPED_EVENTS.has(e.name as string))
      .map((e) => eventRecord(e, where));
    if (otherEvents.length) metadata.events = otherEvents;
  }
  // The resource describes the process, the same for all its spans: kept once per trace, on
  // the root, rather than copied into every span (a Node SDK resource is often half a KB).
  if (ctx.resourceAttrs && !span.parent_span_id) metadata.resource = ctx.resourceAttrs;
  if (Object.keys(metadata).length) span.metadata = metadata;
  const problems = new Problems(1);
  const bounded = readFields(span as Record<string, unknown>, SPAN_FIELDS, { problems, index: 0, prefix: where });
  if (!problems.ok) return `${problems.list[0].path}: ${problems.list[0].message}`;
  return { kind: 'span', span: bounded as SpanPatch };
}

const NO_EVENTS: Record<string, unknown>[] = [];

/** Attributes that name the conversation a span belongs to (OpenInference, OTel GenAI). */
const THREAD_ATTRIBUTES = ['session.id', 'gen_ai.conversation.id'];
const TRACE_FIELDS_FROM_ROOT = [
  'project_name',
  'name',
  'start_time',
  'end_time',
  'input',
  'output',
  'tags',
  'error_info',
] as const;

/**
 * OTLP has no trace record to carry `thread_id`, so a root span that names its conversation
 * also sends the trace, made from that root span's own fields (what the store would show for
 * an implicit trace) plus the thread. Other spans leave the trace implicit.
 */
function threadTrace(span: SpanPatch): Patch | undefined {
  if (span.parent_span_id || !span.metadata) return undefined;
  const thread = THREAD_ATTRIBUTES.map((key) => span.metadata![key]).find((v) => typeof v === 'string' && v);
  if (typeof thread !== 'string') return undefined;
  const trace: TracePatch = { id: span.trace_id!, thread_id: thread };
  for (const key of TRACE_FIELDS_FROM_ROOT) if (span[key] !== undefined) Object.assign(trace, { [key]: span[key] });
  return { kind: 'trace', trace };
}

function resourceProject(attrs: Record<string, unknown>, requested: string | undefined): string | undefined {
  for (const value of [attrs[PROJECT_ATTRIBUTE], attrs['openinference.project.name'], requested]) {
    if (typeof value === 'string' && value) return value;
  }
  const service = attrs['service.name'];
  return typeof service === 'string' && service && !service.startsWith('unknown_service') ? service : undefined;
}

/**
 * OTel sets status ERROR when a span failed; its `exception` event (the last, if several)
 * says with what. An exception event on a span that did not fail was handled by the code,
 * so it stays an event in metadata rather than marking the span as an error.
 */
function errorInfo(status: unknown, events: Record<string, unknown>[], where: string): ErrorInfo | undefined {
  if (!isPlainObject(status)) return undefined;
  const code = status.code;
  if (!(code === 2 || code === '2' || code === 'STATUS_CODE_ERROR')) return undefined;
  const exception = events.filter((e) => e.name === 'exception').pop();
  const attrs = exception ? attributes(exception, where) : {};
  const message = typeof status.message === 'string' && status.message ? status.message : undefined;
  const info: ErrorInfo = {
    exception_type: typeof attrs['exception.type'] === 'string' ? attrs['exception.type'] : 'Error',
  };
  const text = typeof attrs['exception.message'] === 'string' ? attrs['exception.message'] : message;
  if (text) info.message = text;
  if (typeof attrs['exception.stacktrace'] === 'string') info.traceback = attrs['exception.stacktrace'];
  return info;
}

function eventRecord(event: Record<string, unknown>, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = { name: typeof event.name === 'string' ? event.name : '' };
  const time = nanosToIso(field(event, 'timeUnixNano'));
  if (time) out.time = time;
  const attrs = attributes(event, where);
  if (Object.keys(attrs).length) out.attributes = attrs;
  return out;
}

function spanKind(kind: unknown): string | undefined {
  if (typeof kind === 'number') return kind > 0 ? SPAN_KINDS[kind] : undefined;
  if (typeof kind === 'string' && kind.startsWith('SPAN_KIND_')) {
    const name = kind.slice('SPAN_KIND_'.length).toLowerCase();
    return name === 'unspecified' ? undefined : name;
  }
  return undefined;
}

// ---- OTLP value encodings ---------------------------------------------------------------

const snakeNames = new Map<string, string>();

/** A field under its OTLP/JSON (camelCase) name or its proto (snake_case) name. */
function field(obj: Record<string, unknown>, camel: string): unknown {
  const value = obj[camel];
  if (value !== undefined) return value;
  let snake = snakeNames.get(camel);
  if (snake === undefined) snakeNames.set(camel, (snake = camel.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())));
  return snake === camel ? undefined : obj[snake];
}

/** A repeated field; absent means empty, anything but a list is a malformed request. */
function listField(obj: Record<string, unknown>, camel: string, snake: string, where = '', legacy?: string): unknown[] {
  const value = obj[camel] ?? obj[snake] ?? (legacy ? obj[legacy] : undefined);
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpFormatError(`${where ? where + '.' : ''}${camel} must be a list`);
  return value;
}

/** A `KeyValue` list → a plain object; later duplicates win. */
function attributes(owner: Record<string, unknown>, where: string): Record<string, unknown> {
  const list = listField(owner, 'attributes', 'attributes', where);
  const out: Record<string, unknown> = {};
  for (const kv of list) {
    if (!isPlainObject(kv) || typeof kv.key !== 'string') continue;
    const value = anyValue(kv.value);
    if (value !== undefined) setOwn(out, kv.key, value);
  }
  return out;
}

/** AnyValue's cases in the order they are tried; a case's rank is 2·index, +1 under its snake_case name. */
const ANY_VALUE_CASES = [
  'stringValue',
  'boolValue',
  'intValue',
  'doubleValue',
  'arrayValue',
  'kvlistValue',
  'bytesValue',
] as const;
const ANY_VALUE_RANKS = new Map(
  ANY_VALUE_CASES.flatMap((camel, i) => [
    [camel, 2 * i] as const,
    [camel.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase()), 2 * i + 1] as const,
  ]),
);

/**
 * An `AnyValue` → its JSON value: kvlists become objects, 64-bit ints numbers when exact. A
 * list or kvlist `levels` deep is DEPTH_MARKER (otlpProto.ts stops decoding protobuf at the
 * same level), so a value nested thousands deep neither overflows the stack here nor differs
 * between OTLP/JSON and OTLP/protobuf.
 */
export function anyValue(value: unknown, levels = DEPTH_MAX): unknown {
  if (!isPlainObject(value)) return undefined;
  // One pass over its keys (a oneof: usually one), keeping the case tried first.
  let rank = Infinity;
  let found: unknown;
  for (const key in value) {
    const r = ANY_VALUE_RANKS.get(key);
    if (r !== undefined && r < rank && value[key] !== undefined) (rank = r), (found = value[key]);
  }
  switch (ANY_VALUE_CASES[rank >> 1]) {
    case 'stringValue':
    case 'boolValue':
      return found;
    case 'intValue':
      return intValue(found);
    case 'doubleValue':
      // Not Number(found) for anything else: a list is joined to text first, recursing as deep as it nests.
      return typeof found === 'number' ? found : typeof found === 'string' ? Number(found) : undefined;
    case 'arrayValue':
      if (levels === 0) return DEPTH_MARKER;
      return isPlainObject(found) && Array.isArray(found.values)
        ? found.values.map((v) => anyValue(v, levels - 1))
        : [];
    case 'kvlistValue': {
      if (levels === 0) return DEPTH_MARKER;
      const out: Record<string, unknown> = {};
      if (isPlainObject(found) && Array.isArray(found.values)) {
        for (const kv of found.values)
          if (isPlainObject(kv) && typeof kv.key === 'string') setOwn(out, kv.key, anyValue(kv.value, levels - 1));
      }
      return out;
    }
    case 'bytesValue':
      return found instanceof Uint8Array ? bytesToBase64(found) : found;
    default:
      return undefined;
  }
}

function intValue(value: unknown): number | string | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value;
  }
  return undefined;
}

/**
 * An id of `bytes` bytes as lowercase hex, from hex text, base64 text, or bytes; undefined
 * when it is none of these, or all zeros (OTLP's "no id").
 */
export function hexId(value: unknown, bytes: number): string | undefined {
  let hex: string | undefined;
  if (value instanceof Uint8Array) hex = value.length === bytes ? bytesToHex(value) : undefined;
  else if (typeof value === 'string') {
    if (value.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(value)) hex = value.toLowerCase();
    else hex = base64ToHex(value, bytes);
  }
  return hex && /[^0]/.test(hex) ? hex : undefined;
}

function base64ToHex(text: string, bytes: number): string | undefined {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return undefined;
  let binary: string;
  try {
    binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return undefined;
  }
  if (binary.length !== bytes) return undefined;
  let hex = '';
  for (let i = 0; i < binary.length; i++) hex += binary.charCodeAt(i).toString(16).padStart(2, '0');
  return hex;
}

/** Bytes values are kept as base64 text, as OTLP/JSON carries them. */
function bytesToBase64(b: Uint8Array): string {
  let binary = '';
  for (const byte of b) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The two hex digits of every byte value, made once (an id costs 8 or 16 look-ups, not as many number formats). */
const HEX_PAIRS = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

function bytesToHex(b: Uint8Array): string {
  let hex = '';
  for (let i = 0; i < b.length; i++) hex += HEX_PAIRS[b[i]];
  return hex;
}

/** Nanoseconds since the epoch (number or decimal string) → canonical time; undefined for 0 or garbage. */
export function nanosToIso(value: unknown): string | undefined {
  let micros: number;
  // Whole microseconds are the decimal text without its last three digits (no BigInt needed).
  if (typeof value === 'string' && /^\d+$/.test(value)) micros = value.length > 3 ? Number(value.slice(0, -3)) : 0;
  else if (typeof value === 'number' && Number.isFinite(value) && value >= 0) micros = Math.floor(value / 1000);
  else return undefined;
  // Zero is OTLP's "not set"; before 1970 or beyond year 9999 is not a time anyone recorded.
  // The bound is the first microsecond of year 10000: the last one of 9999 has no exact double.
  if (micros <= 0 || micros >= 253_402_300_800_000_000) return undefined;
  return formatMicros(micros);
}
