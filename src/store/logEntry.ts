// One entry of the store's log: what one `apply` stored, as it arrived. An entry is the
// request body itself when normalising that body again gives the same patches (a native
// batch, an Opik batch whose records all carry ids), so ingest neither serialises nor even
// looks inside what it stores; otherwise (OTLP, updates found by span id alone, updates that
// waited for their span) it is the patches that were applied, each with the trace it went to.
//
//   {"lens":"<entry bytes, 10 digits>,<head bytes, 10 digits>,<crc32, 8 hex>","head":{"seq":…,"at":…,"traces":[…]},"native":<body>}
//
// The CRC-32 covers everything after the prefix (head, body, closing brace): decoding an
// entry checks it, so one changed character is found when the entry is read, never served
// (a CorruptEntryError, which the store reports with the pack). Entries written before
// checksums (no `,<crc32>` in `lens`) still read, unchecked. The two fixed-width lengths let a reader hop from entry to entry and read a head (which
// traces the entry touched) without parsing the body: reading one trace parses only the
// entries that hold its events. `at` is the time the entry was applied: replaying it gives
// scores and summaries the same times they had. `seq` orders entries across packs.
//
// A deletion is an entry too, `"deleted":true` in its head and no patches: the packs keep a
// deleted trace's events until they go whole, and an index rebuilt from the packs (a lost or
// damaged segment) must not bring the trace back.

import { crc32 } from 'node:zlib';
import { normaliseNativeBatch } from '../core/normalise/native';
import { opikSpanBatch, opikTraceBatch } from '../core/normalise/opik';
import type { Patch } from '../core/model/model';
import { isObject } from '../core/normalise/validate';
import type { PatchSource } from './types';

export type EntryFormat = PatchSource['format'] | 'patches' | 'deleted';

export interface EntryHead {
  seq: number;
  at: string;
  /** Every trace the entry changed. */
  traces: string[];
  /** The entry deletes `traces` (their events before it are not theirs any more). */
  deleted?: true;
}

/** Where an entry is: pack id and its byte range in the pack's file. */
export interface EntryLoc {
  pack: number;
  start: number;
  end: number;
}

export interface DecodedEntry {
  head: EntryHead;
  patches: Patch[];
  /** The trace each patch went to. */
  traceOf: string[];
}

const LENS_START = Buffer.from('{"lens":"');
/** `{"lens":"` + 10 digits + `,` + 10 digits + `",` + `"head":`: an entry written before checksums. */
const OLD_PREFIX = LENS_START.length + 21 + 2 + 7;
const CRC_DIGITS = 8;
/** The same with `,` + 8 hex digits of CRC-32 after the lengths: every entry written now. */
export const ENTRY_PREFIX = OLD_PREFIX + 1 + CRC_DIGITS;
const DIGITS = 10;

/** The pieces of an entry, to be copied into a pack; `size` is their length in bytes. */
export interface EncodedEntry {
  parts: (Uint8Array | string)[];
  size: number;
}

/** `body`: the source's bytes, or the patches serialised (patchesJson). */
export function encodeEntry(head: EntryHead, format: EntryFormat, body: EncodedEntry): EncodedEntry {
  const headJson = JSON.stringify(head);
  const headBytes = Buffer.byteLength(headJson);
  const middle = `,"${format}":`;
  const size = ENTRY_PREFIX + headBytes + middle.length + body.size + 1;
  let crc = crc32(middle, crc32(headJson));
  for (const part of body.parts) crc = crc32(part, crc);
  crc = crc32('}', crc);
  const prefix = `{"lens":"${pad(size)},${pad(headBytes)},${crc.toString(16).padStart(CRC_DIGITS, '0')}","head":`;
  return { parts: [prefix, headJson, middle, ...body.parts, '}'], size };
}

/** Where an entry's head starts (its prefix's length), from the byte after its second length. */
function prefixAt(bytes: Buffer, at: number): number {
  return bytes[at + LENS_START.length + 2 * DIGITS + 1] === 0x2c ? ENTRY_PREFIX : OLD_PREFIX;
}

/** Throws CorruptEntryError when the entry (exactly its bytes) carries a checksum its bytes do not match. */
export function verifyEntry(bytes: Buffer): void {
  if (prefixAt(bytes, 0) === OLD_PREFIX) return;
  const at = LENS_START.length + 2 * DIGITS + 2;
  const stored = bytes.toString('latin1', at, at + CRC_DIGITS);
  if (crc32(bytes.subarray(ENTRY_PREFIX)).toString(16).padStart(CRC_DIGITS, '0') !== stored)
    throw new CorruptEntryError('an entry does not match its checksum');
}

function pad(n: number): string {
  const text = String(n);
  if (text.length > DIGITS) throw new Error('a store entry over 10 GB');
  return '0'.repeat(DIGITS - text.length) + text;
}

/**
 * The applied patches as a JSON list of `[traceId, patch]`. A span patch that carries the
 * bytes it arrived in (Patch.json) is written as those bytes.
 */
/** An entry that deletes `head.traces`. */
export function encodeDeletion(head: EntryHead): EncodedEntry {
  return encodeEntry({ ...head, deleted: true }, 'deleted', { parts: ['true'], size: 4 });
}

export function patchesJson(traces: string[], patches: Patch[], count: number): EncodedEntry {
  const parts: (Uint8Array | string)[] = [];
  let text = '[';
  for (let i = 0; i < count; i++) {
    const patch = patches[i];
    text += `${i ? ',' : ''}[${JSON.stringify(traces[i])},`;
    if (patch.kind === 'span' && patch.json) {
      parts.push(`${text}{"kind":"span","span":`, patch.json);
      text = '}]';
    } else {
      text += `${JSON.stringify(patch.kind === 'span' ? { kind: 'span', span: patch.span } : patch)}]`;
    }
  }
  parts.push(`${text}]`);
  let size = 0;
  for (const part of parts) size += typeof part === 'string' ? Buffer.byteLength(part) : part.length;
  return { parts, size };
}

export class CorruptEntryError extends Error {}

/**
 * Walks the entries in `bytes` (which start with an entry and end with one, or are empty),
 * calling `visit` with each one's head and range. Throws CorruptEntryError when the bytes are
 * not entries as encodeEntry writes them.
 */
export function scanEntries(
  bytes: Buffer,
  base: number,
  visit: (head: EntryHead, start: number, end: number) => void,
): void {
  let at = 0;
  while (at < bytes.length) {
    const size = lengthAt(bytes, at + LENS_START.length);
    const headBytes = lengthAt(bytes, at + LENS_START.length + DIGITS + 1);
    const prefix = prefixAt(bytes, at);
    if (
      !bytes.subarray(at, at + LENS_START.length).equals(LENS_START) ||
      size <= prefix + headBytes ||
      at + size > bytes.length
    )
      throw new CorruptEntryError('an entry is cut short or not an entry');
    let head: unknown;
    try {
      head = JSON.parse(bytes.toString('utf8', at + prefix, at + prefix + headBytes));
    } catch {
      throw new CorruptEntryError('an entry head does not parse');
    }
    if (!isHead(head)) throw new CorruptEntryError('an entry head is not one');
    visit(head, base + at, base + at + size);
    at += size;
    if (at === bytes.length) return;
    if (bytes[at] !== 0x2c || bytes[at + 1] !== 0x0a)
      throw new CorruptEntryError('entries are not separated as written');
    at += 2;
  }
}

function lengthAt(bytes: Buffer, at: number): number {
  let n = 0;
  for (let i = at; i < at + DIGITS; i++) {
    const d = bytes[i] - 48;
    if (!(d >= 0 && d <= 9)) return -1;
    n = n * 10 + d;
  }
  return n;
}

function isHead(h: unknown): h is EntryHead {
  return (
    isObject(h) &&
    Number.isInteger(h.seq) &&
    typeof h.at === 'string' &&
    Array.isArray(h.traces) &&
    h.traces.every((t) => typeof t === 'string') &&
    (h.deleted === undefined || h.deleted === true)
  );
}

/** Reads one entry's patches (the bytes of exactly one entry). Throws CorruptEntryError. */
export function decodeEntry(bytes: Buffer): DecodedEntry {
  verifyEntry(bytes);
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new CorruptEntryError('an entry does not parse');
  }
  const head = entry.head;
  if (!isHead(head)) throw new CorruptEntryError('an entry head is not one');
  if (head.deleted) return { head, patches: [], traceOf: [] };
  if (entry.patches !== undefined) return decodePatches(head, entry.patches);
  const result =
    entry.native !== undefined
      ? nativePatches(entry.native)
      : entry.opik_spans !== undefined
        ? opikSpanBatch(entry.opik_spans).patches
        : entry.opik_traces !== undefined
          ? opikTraceBatch(entry.opik_traces).patches
          : undefined;
  if (!result || result.length === 0) throw new CorruptEntryError('an entry holds no patches');
  return { head, patches: result, traceOf: result.map(traceOfPatch) };
}

function nativePatches(body: unknown): Patch[] | undefined {
  const result = normaliseNativeBatch(body);
  return result.ok ? result.patches : undefined;
}

/** The trace a patch of a stored body goes to: such bodies name it in every patch (see TraceStore.apply). */
function traceOfPatch(patch: Patch): string {
  const id =
    patch.kind === 'trace'
      ? patch.trace.id
      : patch.kind === 'span'
        ? patch.span.trace_id
        : patch.score.target === 'trace'
          ? patch.score.id
          : patch.score.trace_id;
  if (id === undefined) throw new CorruptEntryError('a stored body has an event without its trace');
  return id;
}

function decodePatches(head: EntryHead, list: unknown): DecodedEntry {
  if (!Array.isArray(list)) throw new CorruptEntryError('patches are not a list');
  const patches: Patch[] = [];
  const traceOf: string[] = [];
  for (const item of list) {
    if (!Array.isArray(item) || typeof item[0] !== 'string' || !isPatch(item[1]))
      throw new CorruptEntryError('a stored patch is not one');
    traceOf.push(item[0]);
    patches.push(item[1]);
  }
  return { head, patches, traceOf };
}

function isPatch(p: unknown): p is Patch {
  if (!isObject(p)) return false;
  const record = p.kind === 'trace' ? p.trace : p.kind === 'span' ? p.span : p.kind === 'score' ? p.score : undefined;
  return isObject(record) && typeof record.id === 'string';
}
