// Do-nothing trace and span handles, handed out while tracing is off (SPANSCOPE_DISABLE).
//
// Disabled must mean "the script runs exactly as before": code written for tracing
// (`getCurrentTrace().update({ tags })` inside a tracked function, `logger.startSpan()` then
// `span.log(…)`, `client.trace(…).span(…).end()`) keeps working and records nothing. So every
// entry point that would give a trace or a span gives one of these rather than undefined:
// each method accepts anything and does nothing, `span()`/`startSpan()` give a span back,
// and the ids are empty strings, as Braintrust's no-op span has. They are the real classes'
// subclasses so the public types stay one.

import { SpanImpl, TraceImpl } from './records.js';
import type { FeedbackScoreInput, LogEvent, SpanOptions, SpanUpdate, TraceUpdate } from './recordTypes.js';

class NoopTrace extends TraceImpl {
  override update(_fields?: TraceUpdate): this {
    return this;
  }
  override span(_options?: SpanOptions): SpanImpl {
    return NOOP_SPAN;
  }
  override end(_fields?: TraceUpdate): void {}
  override closeAt(_endMs: number): void {}
  override makeExplicit(): void {}
  override logFeedbackScore(
    _nameOrScore?: string | FeedbackScoreInput,
    _value?: number | null,
    _reason?: string,
  ): void {}
  override touch(): void {}
}

class NoopSpan extends SpanImpl {
  override update(_fields?: SpanUpdate): this {
    return this;
  }
  override span(_options?: SpanOptions): SpanImpl {
    return this;
  }
  override startSpan(_options?: unknown): SpanImpl {
    return this;
  }
  override log(_event?: LogEvent): void {}
  override export(): string {
    return '';
  }
  override end(_fields?: SpanUpdate): number {
    return Date.now() / 1000;
  }
  override finishCall(): void {}
  override logFeedbackScore(
    _nameOrScore?: string | FeedbackScoreInput,
    _value?: number | null,
    _reason?: string,
  ): void {}
  override touch(): void {}
}

/** The trace every disabled entry point gives. */
export const NOOP_TRACE: TraceImpl = new NoopTrace('', '', 0, undefined);
/** The span every disabled entry point gives (and Braintrust's `currentSpan()` outside any span). */
export const NOOP_SPAN: SpanImpl = new NoopSpan('', '', undefined, '', 'general', 0, undefined, NOOP_TRACE);
