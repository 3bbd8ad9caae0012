// The span a piece of code runs in, for the counterparts of Opik's `opik_context`. Nesting
// follows AsyncLocalStorage, so concurrent requests each see their own span even when they
// interleave on one event loop.

import type { SpanImpl, TraceImpl } from './records.js';
import type { FeedbackScoreInput, SpanUpdate, TraceUpdate } from './recordTypes.js';
import { runtime } from './runtime.js';

/** The span the calling code runs in, or undefined outside any. */
export function getCurrentSpan(): SpanImpl | undefined {
  try {
    return runtime().storage.getStore();
  } catch {
    return undefined;
  }
}

/** The trace the calling code runs in, when this process holds it. */
export function getCurrentTrace(): TraceImpl | undefined {
  return getCurrentSpan()?.trace;
}

/** Merges fields into the current span; outside any span it warns once and does nothing. */
export function updateCurrentSpan(fields: SpanUpdate & { feedbackScores?: FeedbackScoreInput[] }): void {
  const span = getCurrentSpan();
  if (span) span.update(fields);
  else runtime().warnOnce('noSpan', 'updateCurrentSpan() was called outside a tracked function; nothing was updated');
}

/** Merges fields into the current trace; outside any trace it warns once and does nothing. */
export function updateCurrentTrace(fields: TraceUpdate): void {
  const trace = getCurrentTrace();
  if (trace) trace.update(fields);
  else runtime().warnOnce('noTrace', 'updateCurrentTrace() was called outside a tracked function; nothing was updated');
}

/** Runs `fn` with `span` as the current span, so tracked calls inside nest under it. */
export function withCurrent<R>(span: SpanImpl, fn: () => R): R {
  let storage;
  try {
    storage = runtime().storage;
  } catch {
    return fn();
  }
  return storage.run(span, fn);
}
