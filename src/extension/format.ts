// Score badges and copied text for the sidebar. Pure. Numbers are formatted by
// core/display/format.ts, as in the panel.

import { formatScore } from '../core/display/format';
import type { FeedbackScore, ScoreAverages } from '../core/model/model';
import { byName } from '../core/model/aggregates';

/**
 * Score badges: the thumbs score as 👍/👎 counts, every other name as `name value`. Averages
 * of 0/1 thumbs split back into counts exactly: ups = avg × count.
 */
export function scoreBadges(averages: ScoreAverages | undefined, thumbsName: string): string[] {
  if (!averages) return [];
  const out: string[] = [];
  const thumbs = averages[thumbsName];
  if (thumbs) {
    const ups = Math.round(thumbs.avg * thumbs.count);
    const downs = thumbs.count - ups;
    if (ups > 0) out.push(`👍 ${ups}`);
    if (downs > 0) out.push(`👎 ${downs}`);
  }
  for (const name of Object.keys(averages).sort()) {
    if (name === thumbsName) continue;
    out.push(`${name} ${formatScore(averages[name].avg)}`);
  }
  return out;
}

/** A record's own scores as averages per name (a span has an SDK and a UI score of one name side by side). */
export function ownAverages(scores: FeedbackScore[] | undefined): ScoreAverages {
  const acc = byName<{ sum: number; count: number }>();
  for (const s of scores ?? []) {
    const a = (acc[s.name] ??= { sum: 0, count: 0 });
    a.sum += s.value;
    a.count++;
  }
  const out: ScoreAverages = byName();
  for (const [k, v] of Object.entries(acc)) out[k] = { avg: v.sum / v.count, count: v.count };
  return out;
}

/** A value to copy: strings as they are (a copied prompt pastes as text), the rest as indented JSON. */
export function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}
