// The bounds every ingest route puts on what a client sends (docs/protocol.md, "Limits").
// Values past a bound are stored cut, with a marker, never refused: one odd value in a batch
// of a hundred spans should not cost the other ninety-nine, and every route (native, Opik,
// OTLP JSON and protobuf, scores) cuts the same way because they all read fields through
// validate.ts. Ids are the exception: a cut id would name another record, so a long one is
// refused (validate.ts, ID_MAX_LENGTH).
//
// Bounding depth here, once, is what lets everything downstream (JSON.stringify in the live
// socket and the store, summaries, replay, the webview) walk a value recursively: nothing
// deeper than DEPTH_MAX ever enters the store. The walkers below recurse at most DEPTH_MAX
// frames themselves, which is well inside Node's stack.

/** Levels of nesting a JSON value (input, output, metadata, an OTLP attribute) may have; a container is one level. */
export const DEPTH_MAX = 1000;
/** What stands in for a container nested deeper than DEPTH_MAX. */
export const DEPTH_MARKER = `[nested deeper than ${DEPTH_MAX} levels: cut by Spanscope]`;
/** Characters of a name or label: names, project, model, provider, thread id, tags, score names, exception type, function. */
export const NAME_MAX = 1000;
/** Characters of free text outside the JSON fields: error message and traceback, a score's reason, a source file path. */
export const TEXT_MAX = 64 * 1024;
/** What ends a string that was cut. */
export const CUT_MARKER = '…';

/** True when `value` nests containers more than `levels` deep. Recurses at most `levels` + 1 frames. */
export function tooDeep(value: unknown, levels = DEPTH_MAX): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (levels === 0) return true;
  const below = levels - 1;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (typeof v === 'object' && v !== null && tooDeep(v, below)) return true;
    }
    return false;
  }
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (typeof v === 'object' && v !== null && tooDeep(v, below)) return true;
  }
  return false;
}

/** A copy of `value` whose containers below `levels` levels are DEPTH_MARKER. Recurses at most `levels` + 1 frames. */
export function cutDepth(value: unknown, levels = DEPTH_MAX): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (levels === 0) return DEPTH_MARKER;
  const below = levels - 1;
  if (Array.isArray(value)) return value.map((v) => cutDepth(v, below));
  const out: Record<string, unknown> = {};
  for (const key in value) setOwn(out, key, cutDepth((value as Record<string, unknown>)[key], below));
  return out;
}

/** `out[key] = value`, but a `__proto__` key (which JSON.parse makes an own field) stays a field instead of setting the prototype. */
export function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/** `text` cut to at most `max` characters, ending with CUT_MARKER, never between the halves of a surrogate pair. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - CUT_MARKER.length;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // a high surrogate whose low half would be cut off
  return text.slice(0, end) + CUT_MARKER;
}
