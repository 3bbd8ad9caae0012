// The package's public surface. Everything a user imports is named here; the modules behind
// it are internal.

export { track, traced, wrapTraced, type TrackOptions } from './track.js';
export {
  currentSpan,
  getCurrentSpan,
  getCurrentTrace,
  updateCurrentSpan,
  updateCurrentTrace,
  withCurrent,
} from './context.js';
export { Client, flush, type ClientOptions, type ScoreById } from './client.js';
export { initLogger, Logger, type FeedbackEvent, type InitLoggerOptions, type StartSpanArgs } from './logger.js';
export { trackOpenAI, wrapOpenAI, type TrackOpenAIOptions } from './openai/wrap.js';
export { configure } from './configure.js';
export type { Config } from './config.js';
export type { SpanImpl as Span, TraceImpl as Trace } from './records.js';
export type {
  SpanType,
  SpanUpdate,
  TraceUpdate,
  SpanOptions,
  TraceOptions,
  LogEvent,
  ErrorInfo,
  FeedbackScoreInput,
} from './recordTypes.js';
