// Where each record of a batch is in the bytes it arrived in, so that a record validation
// leaves exactly as it came (readFields returns it itself) can be stored as those bytes
// instead of being serialised again (serialising every span was, after parsing, the largest
// cost of ingest). The scan runs on bytes JSON.parse has already accepted, so it follows the
// structure without checking it; where it can not be sure JSON.parse read a key the way it
// does (a key written with escapes could spell "span" in disguise), it reports nothing, and
// the record is serialised as usual.

import type { Patch } from '../model/model';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/** Byte ranges of a list's records: record `i` is `bytes.subarray(start[i], end[i])`; start -1 when not found. */
export interface RecordRanges {
  count: number;
  start: Int32Array;
  end: Int32Array;
}

/**
 * In `{"<listKey>": [element, ...], ...}`, where each element's record is: the element
 * itself (`recordKey` undefined, e.g. Opik's `{"spans": [...]}`), or the value of its member
 * `recordKey` (e.g. `"span"` in the native `{"events": [{"event": …, "span": {...}}]}`).
 * Only objects count as records. Duplicate keys resolve as in JSON.parse: the last one wins.
 * Undefined when the list is not found or a key on the way is written with escapes.
 */
export function locateRecords(bytes: Uint8Array, listKey: string, recordKey?: string): RecordRanges | undefined {
  const list = asciiBytes(listKey);
  const record = recordKey === undefined ? undefined : asciiBytes(recordKey);
  let i = skipSpace(bytes, 0);
  if (bytes[i] !== OPEN_OBJECT) return undefined;
  let found: RecordRanges | undefined;
  i = skipSpace(bytes, i + 1);
  while (bytes[i] === QUOTE) {
    const keyEnd = stringEnd(bytes, i);
    const key = keyMatch(bytes, i, keyEnd, list);
    if (key === undefined) return undefined;
    i = skipSpace(bytes, skipSpace(bytes, keyEnd) + 1); // past the colon
    if (key && bytes[i] === OPEN_ARRAY) {
      found = { count: 0, start: new Int32Array(64), end: new Int32Array(64) };
      i = readList(bytes, i, record, found);
    } else {
      if (key) found = undefined; // a later "events" that is not a list: JSON.parse keeps that one
      i = skipValue(bytes, i);
    }
    i = skipSpace(bytes, i);
    if (bytes[i] !== COMMA) break;
    i = skipSpace(bytes, i + 1);
  }
  return found;
}

/** Reads the list that starts at `i`, noting each element's record; returns the index past it. */
function readList(bytes: Uint8Array, i: number, record: Uint8Array | undefined, out: RecordRanges): number {
  i = skipSpace(bytes, i + 1);
  if (bytes[i] === CLOSE_ARRAY) return i + 1;
  for (;;) {
    let end: number;
    if (record !== undefined && bytes[i] === OPEN_OBJECT) end = noteMember(bytes, i, record, out);
    else {
      end = skipValue(bytes, i);
      if (bytes[i] === OPEN_OBJECT) note(out, i, end);
      else note(out, -1, -1);
    }
    i = skipSpace(bytes, end);
    if (bytes[i] !== COMMA) return i + 1; // the closing bracket
    i = skipSpace(bytes, i + 1);
  }
}

/** Notes where the value of member `key` of the object at `i` is, when it is an object; returns the index past the object. */
function noteMember(bytes: Uint8Array, i: number, key: Uint8Array, out: RecordRanges): number {
  const objectStart = i;
  let start = -1;
  let end = -1;
  i = skipSpace(bytes, i + 1);
  while (bytes[i] === QUOTE) {
    const keyEnd = stringEnd(bytes, i);
    const match = keyMatch(bytes, i, keyEnd, key);
    if (match === undefined) {
      note(out, -1, -1);
      return skipValue(bytes, objectStart);
    }
    i = skipSpace(bytes, skipSpace(bytes, keyEnd) + 1);
    const valueEnd = skipValue(bytes, i);
    if (match) {
      const isObject = bytes[i] === OPEN_OBJECT;
      start = isObject ? i : -1;
      end = isObject ? valueEnd : -1;
    }
    i = skipSpace(bytes, valueEnd);
    if (bytes[i] !== COMMA) break;
    i = skipSpace(bytes, i + 1);
  }
  note(out, start, end);
  return i + 1; // the closing brace
}

function note(out: RecordRanges, start: number, end: number): void {
  if (out.count === out.start.length) {
    const grow = (a: Int32Array) => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    out.start = grow(out.start);
    out.end = grow(out.end);
  }
  out.start[out.count] = start;
  out.end[out.count++] = end;
}

/** Whether the key string at [start, end) is `want`; undefined when it has escapes (it might be). */
function keyMatch(bytes: Uint8Array, start: number, end: number, want: Uint8Array): boolean | undefined {
  let same = end - start - 2 === want.length;
  for (let i = start + 1, j = 0; i < end - 1; i++, j++) {
    const c = bytes[i];
    if (c === BACKSLASH) return undefined;
    if (same && c !== want[j]) same = false;
  }
  return same;
}

/** Index past the string that starts (with its quote) at `i`. */
function stringEnd(bytes: Uint8Array, i: number): number {
  for (let at = i + 1; ; ) {
    const q = bytes.indexOf(QUOTE, at);
    if (q < 0) return bytes.length; // not valid JSON: JSON.parse would have refused it
    // A quote preceded by an odd run of backslashes is escaped; the opening quote ends the run.
    let backslashes = 0;
    while (bytes[q - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    at = q + 1;
  }
}

/** Index past the value that starts at `i`. */
function skipValue(bytes: Uint8Array, i: number): number {
  const c = bytes[i];
  if (c === QUOTE) return stringEnd(bytes, i);
  if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
    let depth = 0;
    for (let at = i; at < bytes.length; ) {
      const b = bytes[at];
      if (b === QUOTE) {
        at = stringEnd(bytes, at);
        continue;
      }
      if (b === OPEN_OBJECT || b === OPEN_ARRAY) depth++;
      else if ((b === CLOSE_OBJECT || b === CLOSE_ARRAY) && --depth === 0) return at + 1;
      at++;
    }
    return bytes.length;
  }
  // A number, true, false or null: up to the next delimiter.
  let at = i;
  while (at < bytes.length && !isDelimiter(bytes[at])) at++;
  return at;
}

function isDelimiter(c: number): boolean {
  return c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY || c === COLON || isSpace(c);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(bytes: Uint8Array, i: number): number {
  while (isSpace(bytes[i])) i++;
  return i;
}

function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0));
}

/**
 * Gives each span patch that is its record itself (validation had nothing to change, so
 * readFields returned the record) the bytes that record arrived in. `recordOf(i)` is the
 * parsed record patch `i` was read from; patches and ranges must be one per record.
 */
export function attachArrivedBytes(patches: Patch[], recordOf: (i: number) => unknown, source: Uint8Array, ranges: RecordRanges | undefined): void {
  if (!ranges || ranges.count !== patches.length) return; // not the list JSON.parse read: trust neither
  for (let i = 0; i < patches.length; i++) {
    const patch = patches[i];
    if (patch.kind === 'span' && ranges.start[i] >= 0 && patch.span === recordOf(i)) patch.json = source.subarray(ranges.start[i], ranges.end[i]);
  }
}
