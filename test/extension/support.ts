// Builders for the extension's tests: trace summaries and spans as the store returns them.

import type { Span, TraceSummary } from '../../src/core/model/model';
import { at } from '../support/builders';

export function summary(id: string, fields: Partial<TraceSummary> = {}): TraceSummary {
  return {
    id,
    project_name: 'Default Project',
    name: `trace ${id}`,
    start_time: at(0),
    end_time: at(1234),
    status: 'ok',
    duration_ms: 1234,
    span_count: 2,
    error_count: 0,
    usage: {},
    score_averages: {},
    last_updated_at: at(1234),
    ...fields,
  };
}

export function span(id: string, fields: Partial<Span> = {}): Span {
  return {
    id,
    trace_id: 't',
    project_name: 'Default Project',
    name: `span ${id}`,
    type: 'general',
    start_time: at(0),
    end_time: at(250),
    status: 'ok',
    duration_ms: 250,
    ...fields,
  };
}
