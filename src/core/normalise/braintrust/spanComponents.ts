// Reading what Braintrust's `span.export()` returns (its "span components" string), so a
// Braintrust parent can be resolved to the span it names: here for rows, and in the AI proxy
// for the `x-bt-parent` header. The string is base64 of: a version byte, an object-type
// byte, a count of binary id fields, each field as a one-byte tag and its bytes, then an
// optional JSON object with the rest (ids that did not fit the binary form, the project name
// when the id was not known yet, the propagated event).
//
//   version 3: tagged ids are 16-byte UUIDs (object, row, span, root span).
//   version 4: the span id is 8 bytes and the root span id 16 bytes, written as lower-case hex
//              (the OpenTelemetry-compatible ids the JS SDK 3.x makes); others go in the JSON.
//
// Older encodings (1, 2) and anything malformed give undefined: the caller decides what a
// parent it cannot read means. Pure: no Node APIs (atob and TextDecoder are globals).

import { projectNameOf } from './projectIds';

export type SpanObjectType = 'experiment' | 'project_logs' | 'playground_logs';

export interface SpanComponents {
  version: 3 | 4;
  objectType: SpanObjectType;
  /** The project's (or experiment's) id, when the exporter knew it. */
  objectId?: string;
  /** When the id was not known yet, what it would be computed from, e.g. `{project_name}`. */
  computeObjectMetadataArgs?: Record<string, unknown>;
  /** The row, span and root span (= trace) of the exporting span; absent when a logger exported itself. */
  rowId?: string;
  spanId?: string;
  rootSpanId?: string;
  propagatedEvent?: Record<string, unknown>;
}

const OBJECT_TYPES: Record<number, SpanObjectType> = { 1: 'experiment', 2: 'project_logs', 3: 'playground_logs' };
const FIELD_NAMES: Record<number, 'objectId' | 'rowId' | 'spanId' | 'rootSpanId'> = {
  1: 'objectId',
  2: 'rowId',
  3: 'spanId',
  4: 'rootSpanId',
};
/** Exported strings are short; a longer header value is not one (and not worth decoding). */
const MAX_LENGTH = 64 * 1024;

/** The parts of an exported span string, or undefined when it is not a version 3 or 4 one. */
export function parseSpanComponents(text: string): SpanComponents | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_LENGTH) return undefined;
  const bytes = base64Bytes(text.trim());
  if (!bytes || bytes.length < 3) return undefined;
  const version = bytes[0];
  const objectType = OBJECT_TYPES[bytes[1]];
  if ((version !== 3 && version !== 4) || !objectType) return undefined;
  const out: SpanComponents = { version, objectType };
  let at = 3;
  for (let i = 0; i < bytes[2]; i++) {
    const tag = bytes[at];
    const field = FIELD_NAMES[tag];
    if (!field) return undefined;
    const size = version === 4 && tag === 3 ? 8 : 16;
    if (at + 1 + size > bytes.length) return undefined;
    const raw = bytes.subarray(at + 1, at + 1 + size);
    // Version 4 writes hex ids as hex; version 3 writes UUIDs (object and row ids too).
    out[field] = version === 4 ? hex(raw) : uuid(raw);
    at += 1 + size;
  }
  if (at < bytes.length && !readJsonTail(bytes.subarray(at), out)) return undefined;
  const rowIds = [out.rowId, out.spanId, out.rootSpanId].filter((v) => v !== undefined).length;
  if (rowIds !== 0 && rowIds !== 3) return undefined; // the SDKs write all three or none
  return out;
}

function readJsonTail(bytes: Uint8Array, out: SpanComponents): boolean {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return false;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return false;
  const j = json as Record<string, unknown>;
  const strings: [string, 'objectId' | 'rowId' | 'spanId' | 'rootSpanId'][] = [
    ['object_id', 'objectId'],
    ['row_id', 'rowId'],
    ['span_id', 'spanId'],
    ['root_span_id', 'rootSpanId'],
  ];
  for (const [key, field] of strings) {
    if (j[key] === undefined || j[key] === null) continue;
    if (typeof j[key] !== 'string') return false;
    out[field] = j[key] as string;
  }
  for (const [key, field] of [
    ['compute_object_metadata_args', 'computeObjectMetadataArgs'],
    ['propagated_event', 'propagatedEvent'],
  ] as const) {
    const v = j[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'object' || Array.isArray(v)) return false;
    out[field] = v as Record<string, unknown>;
  }
  return true;
}

function base64Bytes(text: string): Uint8Array | undefined {
  // Standard base64 as the SDKs write it; base64url is accepted too (a header may carry either).
  const standard = text.replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(standard)) return undefined;
  try {
    const binary = atob(standard);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += (b + 0x100).toString(16).slice(1);
  return s;
}

function uuid(bytes: Uint8Array): string {
  const h = hex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Where a Braintrust parent puts a new span: under a span of a trace, or only in a project. */
export interface BraintrustParent {
  /** Both set when the parent is a span (its `root_span_id` and `span_id`). */
  traceId?: string;
  spanId?: string;
  /** The project's name when the parent says it (by name, or by one of our project ids, see projectIds.ts). */
  projectName?: string;
  /** An id of a project that is not one of ours, or an experiment's id: what the parent named, as is. */
  objectId?: string;
}

/**
 * A parent as Braintrust passes one around (`parent` arguments, the `x-bt-parent` header): an
 * exported span string, or `project_name:<name>`, `project_id:<id>`, `experiment_id:<id>`.
 * Undefined when it is none of these.
 */
export function parseBraintrustParent(value: string): BraintrustParent | undefined {
  const prefixed = /^(project_name|project_id|experiment_id):(.+)$/s.exec(value);
  if (prefixed) {
    if (prefixed[1] === 'project_name') return { projectName: prefixed[2] };
    if (prefixed[1] === 'project_id') return { projectName: projectNameOf(prefixed[2]) };
    return { objectId: prefixed[2] };
  }
  const parts = parseSpanComponents(value);
  if (!parts) return undefined;
  const out: BraintrustParent = {};
  if (parts.spanId && parts.rootSpanId) {
    out.traceId = parts.rootSpanId;
    out.spanId = parts.spanId;
  }
  const named = parts.computeObjectMetadataArgs?.project_name;
  if (typeof named === 'string') out.projectName = named;
  else if (parts.objectId && parts.objectType === 'project_logs') out.projectName = projectNameOf(parts.objectId);
  else if (parts.objectId) out.objectId = parts.objectId;
  return out;
}
