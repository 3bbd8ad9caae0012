// How a span's state is shown, as opposed to what the read API says it is. The API's
// `status` stays `running` for any span without an end, but a span that is still without an
// end once its trace has ended is not running: nothing will end it (an older SDK, Opik or
// OTLP left it open, or its process died). Shown as "running" it would spin, and its
// duration bar would grow to now, for ever. The panel and the sidebar both ask this one rule.
// Pure: no DOM, no Node I/O.

import type { Status } from '../model/model';

/** `not_ended`: no end time, under a trace that has ended. */
export type SpanDisplayState = 'running' | 'not_ended' | 'ok' | 'error';

/** What a display needs to know of the trace. */
export interface TraceEndFacts {
  end_time?: string;
}

/** The metadata our SDKs set on a span that the end of its trace closed (docs/protocol.md). */
export const ENDED_BY_KEY = 'spanscope.ended_by';
export const ENDED_BY_TRACE = 'trace_end';

export function traceHasEnded(trace: TraceEndFacts | undefined): boolean {
  return Boolean(trace?.end_time);
}

export function spanDisplayState(span: { status: Status }, trace: TraceEndFacts | undefined): SpanDisplayState {
  if (span.status === 'running') return traceHasEnded(trace) ? 'not_ended' : 'running';
  return span.status;
}

/**
 * True when the span has no end and never will (its trace has ended): it is drawn with no
 * time past its start, whatever its status (an errored span may have no end either), rather
 * than a duration that ticks and a bar that grows to now.
 */
export function neverEnds(span: { end_time?: string }, trace: TraceEndFacts | undefined): boolean {
  return !span.end_time && traceHasEnded(trace);
}

/** True when the span's end is the one its trace's end gave it, not its own. */
export function endedByTrace(span: { metadata?: Record<string, unknown> }): boolean {
  return span.metadata?.[ENDED_BY_KEY] === ENDED_BY_TRACE;
}

/** Words for the state, as the UI shows them. */
export const DISPLAY_STATE_TEXT: Record<SpanDisplayState, string> = {
  running: 'running',
  not_ended: 'not ended',
  ok: 'ok',
  error: 'error',
};
