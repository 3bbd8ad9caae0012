// What user code passes to traces and spans: the shapes of `update(…)`, of manual trace and
// span options, and of Braintrust's log event. Field names are camelCase, as in Opik's and
// Braintrust's TypeScript SDKs; the model's snake_case names are accepted too.

export type SpanType = 'general' | 'llm' | 'tool' | 'guardrail';
export const SPAN_TYPES = new Set<string>(['general', 'llm', 'tool', 'guardrail']);

export interface ErrorInfo {
  exception_type: string;
  message?: string;
  traceback?: string;
}

export interface FeedbackScoreInput {
  name: string;
  value: number | null;
  reason?: string;
  categoryName?: string;
}

/** Fields `update()` accepts on a trace (camelCase; the snake_case model names work too). */
export interface TraceUpdate {
  name?: string;
  input?: unknown;
  output?: unknown;
  metadata?: Record<string, unknown>;
  tags?: string[];
  expected?: unknown;
  threadId?: string;
  errorInfo?: ErrorInfo | { exceptionType: string; message?: string; traceback?: string };
  feedbackScores?: FeedbackScoreInput[];
  startTime?: Date | number | string;
  endTime?: Date | number | string;
}

/** Fields `update()` accepts on a span. */
export interface SpanUpdate extends TraceUpdate {
  type?: SpanType;
  usage?: Record<string, number>;
  model?: string;
  provider?: string;
  totalEstimatedCost?: number;
}

/** Options for a manual trace (`client.trace(…)`). */
export interface TraceOptions extends TraceUpdate {
  id?: string;
  projectName?: string;
}

/** Options for a manual span (`trace.span(…)`, `span.span(…)`). */
export interface SpanOptions extends SpanUpdate {
  id?: string;
  projectName?: string;
}

/** Braintrust's log event. */
export interface LogEvent {
  input?: unknown;
  output?: unknown;
  expected?: unknown;
  scores?: Record<string, number | null>;
  metadata?: Record<string, unknown>;
  metrics?: Record<string, number>;
  tags?: string[];
}
