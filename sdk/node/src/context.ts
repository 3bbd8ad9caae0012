// The span a piece of code runs in, for the counterparts of Opik's `opik_context` and
// Braintrust's `currentSpan()`. Nesting follows AsyncLocalStorage, so concurrent requests
// each see their own span even when they interleave on one event loop.
//
// Outside any span, `getCurrentSpan()`/`getCurrentTrace()` give undefined, as Opik's do
// (code written for Opik tests for it), while Braintrust's `currentSpan()` gives a span
// that records nothing, as Braintrust's does. While tracing is disabled both give the
// do-nothing handles: tracked functions are not wrapped then, so code inside one (the seeds'
// `getCurrentTrace().update(…)`) finds no span, and must still run as it would traced.

import { NOOP_SPAN, NOOP_TRACE } from './noop.js';
import type { SpanImpl, TraceImpl } from './records.js';
import type { FeedbackScoreInput, SpanUpdate, TraceUpdate } from './recordTypes.js';
import { runtime } from './runtime.js';

function stored(): SpanImpl | undefined {
  try {
    return runtime().storage.getStore();
  } catch {
    return undefined;
  }
}

function disabled(): boolean {
  try {
    return runtime().config.disabled;
  } catch {
    return false;
  }
}

/** The span the calling code runs in; undefined outside any (a do-nothing span while disabled). */
export function getCurrentSpan(): SpanImpl | undefined {
  const span = stored();
  return span === undefined && disabled() ? NOOP_SPAN : span;
}

/** The trace the calling code runs in, when this process holds it (a do-nothing trace while disabled). */
export function getCurrentTrace(): TraceImpl | undefined {
  const span = stored();
  if (span !== undefined) return span.trace;
  return disabled() ? NOOP_TRACE : undefined;
}

/** Braintrust's `currentSpan()`: the span the calling code runs in, or a span that records nothing. */
export function currentSpan(): SpanImpl {
  return stored() ?? NOOP_SPAN;
}

/** Merges fields into the current span; outside any span it warns once and does nothing. */
export function updateCurrentSpan(fields: SpanUpdate & { feedbackScores?: FeedbackScoreInput[] }): void {
  const span = stored();
  if (span) span.update(fields);
  else if (!disabled())
    runtime().warnOnce('noSpan', 'updateCurrentSpan() was called outside a tracked function; nothing was updated');
}

/** Merges fields into the current trace; outside any trace it warns once and does nothing. */
export function updateCurrentTrace(fields: TraceUpdate): void {
  const trace = stored()?.trace;
  if (trace) trace.update(fields);
  else if (!disabled())
    runtime().warnOnce('noTrace', 'updateCurrentTrace() was called outside a tracked function; nothing was updated');
}

/** Runs `fn` with `span` as the current span, so tracked calls inside nest under it. */
export function withCurrent<R>(span: SpanImpl, fn: () => R): R {
  if (typeof fn !== 'function') {
    runtime().warnOnce('withCurrentFn', 'withCurrent() needs a function to run; nothing was run');
    return undefined as R;
  }
  let storage;
  try {
    storage = runtime().storage;
  } catch {
    return fn();
  }
  return storage.run(span, fn);
}
