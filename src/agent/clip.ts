// Keeping what the tools return inside the sizes the caller chose. A span's input or output
// can be megabytes; an agent's context is not. A value that fits is returned as it is (its
// structure helps the model); one that does not becomes the start of its JSON text with a
// marker saying how much was cut and how to read the rest, so nothing is cut silently.

/** Every result is at most this many characters, whatever the arguments asked for. */
export const RESULT_CAP = 60_000;

export interface Clipped {
  value: unknown;
  /** True when the value was cut. */
  cut: boolean;
}

/**
 * `value` when its JSON has at most `max` characters, else its JSON text cut at `max` with
 * `…[cut: N more characters]` after it. `max` 0 leaves only the marker (how big it is).
 */
export function clipValue(value: unknown, max: number): Clipped {
  if (value === undefined) return { value: undefined, cut: false };
  const text = typeof value === 'string' ? value : jsonText(value);
  if (text.length <= max) return { value, cut: false };
  return { value: `${text.slice(0, max)}…[cut: ${text.length - max} more characters]`, cut: true };
}

/** A page of a value's text from `offset`: what get_span returns for one field read in full. */
export function pageOfText(
  value: unknown,
  offset: number,
  max: number,
): { text: string; total: number; next?: number } {
  const text = typeof value === 'string' ? value : jsonText(value);
  const page = text.slice(offset, offset + max);
  const end = offset + page.length;
  return end < text.length ? { text: page, total: text.length, next: end } : { text: page, total: text.length };
}

/** JSON of user data; a value too deep to serialise says so instead of throwing. */
export function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return '[a value too deeply nested (or cyclic) to show]';
  }
}

/** Up to `max` characters of `text` around `at` (a match), with … where it was cut. */
export function snippetAround(text: string, at: number, length: number, max: number): string {
  const room = Math.max(0, max - length);
  const start = Math.max(0, at - Math.floor(room / 2));
  const end = Math.min(text.length, start + Math.max(max, length));
  return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
}

/**
 * The result as compact JSON within `cap` characters. When the items of `list` do not all
 * fit, the last ones are left out and `note` says how many; the other fields are kept.
 */
export function fitJson<T>(
  head: Record<string, unknown>,
  listKey: string,
  list: T[],
  cap = RESULT_CAP,
): { text: string; shown: number } {
  const whole = JSON.stringify({ ...head, [listKey]: list });
  if (whole.length <= cap) return { text: whole, shown: list.length };
  // Each item's size, to find how many fit without serialising the whole list again and again.
  const sizes = list.map((item) => jsonText(item).length + 1);
  const note = (shown: number) =>
    `${list.length - shown} of ${list.length} ${listKey} left out to keep this result under ${cap} characters: ask for fewer, or smaller fields`;
  const fixed = JSON.stringify({ ...head, truncated: note(list.length), [listKey]: [] }).length;
  let shown = 0;
  let used = fixed;
  while (shown < list.length && used + sizes[shown] <= cap) used += sizes[shown++];
  const text = JSON.stringify({ ...head, truncated: note(shown), [listKey]: list.slice(0, shown) });
  // The head alone can be too big only if a caller put something unbounded in it: cut hard then.
  return { text: text.length <= cap ? text : `${text.slice(0, cap - 40)}…[result cut at ${cap} characters]`, shown };
}
