// How a patch merges into a stored record. Every wire format is an upsert stream: a span's
// end may arrive before its start, an Opik PATCH before its create, a retry twice. The rule
// is "later data wins, field by field", with the few fields that accumulate merged instead
// of replaced, so the order of arrival changes nothing that a user could see.

import type { FeedbackScore, ScorePatch, SpanPatch, SpanRecord, TracePatch, TraceRecord } from './model';
import { compareTimes } from './time';

type AnyPatch = TracePatch | SpanPatch;
type AnyRecord = TraceRecord | SpanRecord;

/** Fields that merge key by key (objects) or as a set (tags) rather than being replaced. */
const MERGED_OBJECTS = new Set(['metadata', 'usage']);

export function mergeRecord<R extends AnyRecord>(existing: R | undefined, patch: AnyPatch, defaults: Partial<R>): R {
  // Copied key by key: object spread of records of many shapes is an order of magnitude
  // slower in V8 here, and this runs once per span on the ingest path.
  const out: Record<string, unknown> = {};
  const base = (existing ?? defaults) as Record<string, unknown>;
  for (const key in base) out[key] = base[key];
  const fields = patch as Record<string, unknown>;
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined) continue;
    if (key === 'tags') {
      out.tags = mergeTags(out.tags as string[] | undefined, value as string[]);
    } else if (MERGED_OBJECTS.has(key) && isPlainObject(value) && isPlainObject(out[key])) {
      out[key] = { ...(out[key] as object), ...value };
    } else if (key === 'start_time' && existing && typeof out.start_time === 'string' && out.start_time) {
      // A record first seen through its end event gets a provisional start; the real one,
      // whenever it arrives, is the earlier of the two.
      out.start_time = earlier(out.start_time, value as string);
    } else {
      out[key] = value;
    }
  }
  return out as R;
}

function mergeTags(a: string[] | undefined, b: string[]): string[] {
  if (!a || a.length === 0) return [...new Set(b)];
  const set = new Set(a);
  for (const t of b) set.add(t);
  return [...set];
}

function earlier(a: string, b: string): string {
  return compareTimes(b, a) < 0 ? b : a;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Scores are kept one per (name, source): a re-score replaces the earlier value, an SDK
 * score and a person's score of the same name stand side by side. `value: null` deletes.
 */
export function applyScore(
  scores: FeedbackScore[] | undefined,
  patch: ScorePatch,
  now: string,
): FeedbackScore[] | undefined {
  const source = patch.source ?? 'sdk';
  const rest = (scores ?? []).filter((s) => !(s.name === patch.name && s.source === source));
  if (patch.value === null) return rest.length ? rest : undefined;
  const score: FeedbackScore = { name: patch.name, value: patch.value, source, created_at: now };
  if (patch.reason !== undefined) score.reason = patch.reason;
  if (patch.category_name !== undefined) score.category_name = patch.category_name;
  rest.push(score);
  return rest;
}
