// Builds trace summaries as the store would hand them out, with only the fields a test
// cares about spelled out.

import type { TraceSummary } from '../../src/core/model/model';
import { durationMs, formatMicros, parseTimeMicros } from '../../src/core/model/time';

let seq = 0;

export interface SummaryInput extends Partial<TraceSummary> {
  /** Shorthand: name → average (count 1). */
  scores?: Record<string, number>;
  /** Shorthand for end_time: milliseconds after start. */
  durationMs?: number;
}

export function summary(input: SummaryInput = {}): TraceSummary {
  const { scores, durationMs: dur, ...fields } = input;
  const start = fields.start_time ?? '2026-01-02T03:00:00.000000Z';
  const end = fields.end_time ?? (dur !== undefined ? formatMicros(parseTimeMicros(start) + dur * 1000) : undefined);
  const status = fields.status ?? (end ? 'ok' : 'running');
  const t: TraceSummary = {
    id: `trace-${String(++seq).padStart(5, '0')}`,
    project_name: 'Default Project',
    name: 'chain',
    span_count: 1,
    error_count: status === 'error' ? 1 : 0,
    usage: {},
    last_updated_at: start,
    ...fields,
    start_time: start,
    status,
    duration_ms: end ? durationMs(start, end) : null,
    score_averages:
      fields.score_averages ??
      Object.fromEntries(Object.entries(scores ?? {}).map(([k, v]) => [k, { avg: v, count: 1 }])),
  };
  if (end) t.end_time = end;
  return t;
}

/** Canonical ISO time `minutes` after 2026-01-02T03:00Z. */
export function at(minutes: number): string {
  return formatMicros((Date.UTC(2026, 0, 2, 3, 0, 0) + minutes * 60_000) * 1000);
}
