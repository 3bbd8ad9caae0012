// Braintrust's merge rule for rows logged in pieces (`_is_merge: true`): objects merge key by
// key, all the way down; anything else (arrays, strings, numbers, null) is replaced by the
// later value. Applied to copies: neither argument is changed.

/** Past this depth an object is replaced rather than merged (client JSON may nest deep). */
const MAX_MERGE_DEPTH = 64;

export type Row = Record<string, unknown>;

export function isRow(v: unknown): v is Row {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `base` with `update` merged in, as a new object. */
export function deepMerge(base: Row, update: Row, depth = 0): Row {
  const out: Row = {};
  for (const key of Object.keys(base)) setOwn(out, key, base[key]);
  for (const key of Object.keys(update)) {
    const next = update[key];
    const prev = Object.hasOwn(out, key) ? out[key] : undefined;
    setOwn(out, key, isRow(prev) && isRow(next) && depth < MAX_MERGE_DEPTH ? deepMerge(prev, next, depth + 1) : next);
  }
  return out;
}

/** Assignment that keeps `__proto__` a plain key (as JSON.parse made it), never the prototype. */
function setOwn(target: Row, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
