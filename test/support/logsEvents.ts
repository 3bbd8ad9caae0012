// Native ingest events for whole traces described in one line each, for the logs and
// monitor tests: a trace, its spans (the first carries usage and cost), its scores.

export interface TraceSpec {
  id: string;
  name?: string;
  project?: string;
  start: string;
  /** Absent: the trace is still running. */
  end?: string;
  error?: boolean;
  tags?: string[];
  thread?: string;
  input?: unknown;
  output?: unknown;
  usage?: Record<string, number>;
  cost?: number;
  spans?: number;
  scores?: Record<string, number>;
}

/** The events that make one trace: the trace, `spans` spans (the first carries usage and cost), its scores. */
export function traceEvents(spec: TraceSpec): unknown[] {
  const trace: Record<string, unknown> = {
    id: spec.id,
    name: spec.name ?? 'chain',
    project_name: spec.project ?? 'Default Project',
    start_time: spec.start,
  };
  if (spec.tags) trace.tags = spec.tags;
  if (spec.thread) trace.thread_id = spec.thread;
  if (spec.input !== undefined) trace.input = spec.input;
  if (spec.output !== undefined) trace.output = spec.output;
  if (spec.end) trace.end_time = spec.end;
  if (spec.error) trace.error_info = { exception_type: 'ValueError', message: 'bad' };
  const events: unknown[] = [{ event: 'trace_start', trace }];
  for (let i = 0; i < (spec.spans ?? 1); i++) {
    const span: Record<string, unknown> = {
      id: `${spec.id}-s${i}`,
      trace_id: spec.id,
      name: `step ${i}`,
      type: i === 0 ? 'llm' : 'general',
      start_time: spec.start,
    };
    if (spec.end) span.end_time = spec.end;
    if (i === 0 && spec.usage) span.usage = spec.usage;
    if (i === 0 && spec.cost !== undefined) span.total_estimated_cost = spec.cost;
    events.push({ event: spec.end ? 'span_end' : 'span_start', span });
  }
  for (const [name, value] of Object.entries(spec.scores ?? {}))
    events.push({ event: 'score', score: { target: 'trace', id: spec.id, name, value } });
  return events;
}
