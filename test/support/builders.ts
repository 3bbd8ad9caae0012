// Small builders for test data: native ingest events and span records, with times derived
// from one base so tests can say "starts 5 ms after the trace" instead of spelling ISO text.

import type { SpanRecord } from '../../src/core/model/model';
import { formatMicros } from '../../src/core/model/time';

export const BASE_MS = Date.UTC(2026, 0, 2, 3, 4, 5);

/** Canonical ISO time `ms` milliseconds after BASE_MS. */
export function at(ms: number): string {
  return formatMicros((BASE_MS + ms) * 1000);
}

type Fields = Record<string, unknown>;

export function traceStart(id: string, fields: Fields = {}): Fields {
  return { event: 'trace_start', trace: { id, name: `trace ${id}`, start_time: at(0), ...fields } };
}

export function traceEnd(id: string, fields: Fields = {}): Fields {
  return { event: 'trace_end', trace: { id, end_time: at(1000), ...fields } };
}

export function spanStart(id: string, traceId: string, fields: Fields = {}): Fields {
  return { event: 'span_start', span: { id, trace_id: traceId, name: `span ${id}`, start_time: at(1), ...fields } };
}

export function spanEnd(id: string, traceId: string, fields: Fields = {}): Fields {
  return { event: 'span_end', span: { id, trace_id: traceId, end_time: at(900), ...fields } };
}

export function score(
  target: 'trace' | 'span',
  id: string,
  name: string,
  value: number | null,
  fields: Fields = {},
): Fields {
  return { event: 'score', score: { target, id, name, value, ...fields } };
}

export function batch(...events: unknown[]): { events: unknown[] } {
  return { events };
}

/**
 * One whole trace as a batch: a trace with `spans` finished spans under one root, each
 * carrying about `payloadBytes` of input (the benchmark's ~1 KB spans).
 */
export function traceBatch(traceId: string, spans: number, payloadBytes = 0): { events: Fields[] } {
  const text = 'x'.repeat(payloadBytes);
  const events: Fields[] = [traceStart(traceId)];
  for (let i = 0; i < spans; i++) {
    const span: Fields = {
      id: `${traceId}-s${i}`,
      trace_id: traceId,
      name: `step ${i}`,
      type: i % 3 === 0 ? 'llm' : 'general',
      start_time: at(i),
      end_time: at(i + 1),
      input: { text },
    };
    if (i > 0) span.parent_span_id = `${traceId}-s0`;
    if (i % 3 === 0) span.usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
    events.push({ event: 'span_end', span });
  }
  events.push(traceEnd(traceId));
  return { events };
}

/** A span record for core tests (tree, aggregates). */
export function spanRecord(id: string, fields: Partial<SpanRecord> = {}): SpanRecord {
  return { id, trace_id: 't', project_name: 'p', name: id, type: 'general', start_time: at(0), ...fields };
}
