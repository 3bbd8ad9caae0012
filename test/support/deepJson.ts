// Deeply nested JSON and OTLP values for the limits tests and the fuzzer, built as text and
// bytes directly: JSON.stringify itself overflows the stack on a few thousand levels, which
// is the very thing these tests send.

import { DEPTH_MARKER } from '../../src/core/normalise/limits';

/** `{"a":{"a":…{}…}}` with `levels` objects; `inner` (JSON text) at the bottom instead of `{}` when given. */
export function deepObjectJson(levels: number, inner = '{}'): string {
  return '{"a":'.repeat(levels - 1) + inner + '}'.repeat(levels - 1);
}

/** `body` as JSON, with every string value equal to a key of `raws` replaced by that raw JSON text. */
export function withRaw(body: unknown, raws: Record<string, string>): string {
  let text = JSON.stringify(body);
  for (const [marker, raw] of Object.entries(raws)) text = text.split(JSON.stringify(marker)).join(raw);
  return text;
}

/** The value `{"a":{"a":…}}` cut as the collector cuts it: `levels` objects kept, the marker below. */
export function cutObject(keptLevels: number): unknown {
  let value: unknown = DEPTH_MARKER;
  for (let i = 0; i < keptLevels; i++) value = { a: value };
  return value;
}

/** How many objects deep `value` goes along `key`, and what is at the bottom. */
export function depthAlong(value: unknown, key = 'a'): { levels: number; bottom: unknown } {
  let levels = 0;
  let v = value;
  while (v !== null && typeof v === 'object' && key in (v as object)) {
    levels++;
    v = (v as Record<string, unknown>)[key];
  }
  if (v !== null && typeof v === 'object') levels++; // the innermost `{}`
  return { levels, bottom: v };
}

/** OTLP/JSON AnyValue text: a kvlist with key `k`, `levels` deep, a string at the bottom. */
export function deepKvlistJson(levels: number): string {
  return (
    '{"kvlistValue":{"values":[{"key":"k","value":'.repeat(levels) + '{"stringValue":"bottom"}' + '}]}}'.repeat(levels)
  );
}

// ---- protobuf, by hand: protobufjs's own encoder refuses past 100 nested messages --------

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

function lengthDelimited(field: number, body: Uint8Array): Uint8Array {
  return concat([Uint8Array.from([(field << 3) | 2, ...varint(body.length)]), body]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const utf8 = (s: string) => new TextEncoder().encode(s);

/**
 * AnyValue bytes of a kvlist `levels` deep (key `k`), a string at the bottom: what
 * deepKvlistJson says. Sizes first, then one buffer written outside in (wrapping level by
 * level would copy the inside once per level).
 */
export function deepKvlistProto(levels: number): Uint8Array {
  const bottom = lengthDelimited(1, utf8('bottom')); // AnyValue.stringValue
  // Level i: AnyValue{6: KeyValueList{1: KeyValue{1: "k", 2: AnyValue(level i - 1)}}}.
  const inner = [bottom.length];
  const kv: number[] = [0];
  const kvl: number[] = [0];
  for (let i = 1; i <= levels; i++) {
    kv[i] = 3 + 1 + varint(inner[i - 1]).length + inner[i - 1];
    kvl[i] = 1 + varint(kv[i]).length + kv[i];
    inner[i] = 1 + varint(kvl[i]).length + kvl[i];
  }
  const out = new Uint8Array(inner[levels]);
  let at = 0;
  const put = (bytes: number[]) => {
    out.set(bytes, at);
    at += bytes.length;
  };
  for (let i = levels; i >= 1; i--)
    put([0x32, ...varint(kvl[i]), 0x0a, ...varint(kv[i]), 0x0a, 0x01, 0x6b, 0x12, ...varint(inner[i - 1])]);
  out.set(bottom, at);
  return out;
}

/** KeyValue bytes: `key` → the AnyValue bytes given. */
export function keyValueProto(key: string, anyValueBytes: Uint8Array): Uint8Array {
  return concat([lengthDelimited(1, utf8(key)), lengthDelimited(2, anyValueBytes)]);
}

/**
 * `request` (encoded by protobufjs, one span) with one more attribute on its span, given as
 * KeyValue bytes. Repeated fields may come in any order, so it is appended to the span's bytes.
 */
export function protoRequestWithAttribute(request: Uint8Array, keyValue: Uint8Array): Uint8Array {
  return spliceIntoOnlySpan(request, lengthDelimited(9, keyValue)); // Span.attributes = 9
}

/** Reads a length-delimited field header at `at`: [field, start of body, end of body]. */
function readHeader(bytes: Uint8Array, at: number): [number, number, number] {
  const field = bytes[at] >> 3;
  let n = 0;
  let shift = 0;
  let i = at + 1;
  for (;;) {
    const b = bytes[i++];
    n += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
    shift += 7;
  }
  return [field, i, i + n];
}

/** Request{1: ResourceSpans{2: ScopeSpans{2: Span}}}: appends `extra` to the first span's bytes. */
function spliceIntoOnlySpan(request: Uint8Array, extra: Uint8Array): Uint8Array {
  const path = [1, 2, 2];
  const rewrap = (bytes: Uint8Array, depth: number): Uint8Array => {
    if (depth === path.length) return concat([bytes, extra]);
    const parts: Uint8Array[] = [];
    let at = 0;
    let done = false;
    while (at < bytes.length) {
      const wire = bytes[at] & 7;
      if (wire !== 2) throw new Error('the test request holds only length-delimited fields on the path');
      const [field, start, end] = readHeader(bytes, at);
      if (!done && field === path[depth]) {
        parts.push(lengthDelimited(field, rewrap(bytes.subarray(start, end), depth + 1)));
        done = true;
      } else parts.push(bytes.subarray(at, end));
      at = end;
    }
    return concat(parts);
  };
  return rewrap(request, 0);
}
