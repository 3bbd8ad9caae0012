// Braintrust's idiom: `initLogger({ projectName })`, `logger.startSpan({ name, parent })`,
// `span.log({…})`, `span.export()`, `logger.logFeedback({ id, scores, … })` and
// `logger.traced(callback)`, which runs the callback inside a new span.

import { msFromUser, nowMs } from './clock.js';
import { decodeExported } from './exported.js';
import { isValidId, uuidv7 } from './ids.js';
import { errorInfoOf } from './errors.js';
import { NOOP_SPAN } from './noop.js';
import { detachedSpan, manualSpan, openSpan, SpanImpl } from './records.js';
import { SPAN_TYPES, type LogEvent, type SpanType } from './recordTypes.js';
import { runtime } from './runtime.js';
import { snapshot } from './snapshot.js';
import { flush } from './client.js';

export interface StartSpanArgs {
  name?: string;
  type?: SpanType;
  /** A span, or the string from `span.export()` (possibly made in another process). */
  parent?: string | SpanImpl;
  /** Logged on the new span at once, as with `span.log(event)`. */
  event?: LogEvent;
  startTime?: Date | number | string;
}

export interface FeedbackEvent {
  /** The span's id, or its `export()` string. */
  id: string;
  scores?: Record<string, number | null>;
  expected?: unknown;
  comment?: string;
  metadata?: Record<string, unknown>;
  source?: string;
}

export interface InitLoggerOptions {
  projectName?: string;
  /** Braintrust's Python spelling. */
  project?: string;
}

export function initLogger(options: InitLoggerOptions = {}): Logger {
  return new Logger(options?.projectName ?? options?.project);
}

export class Logger {
  constructor(readonly projectName: string | undefined) {}

  /**
   * A span under `parent`, else under the current span, else at the top of a new trace. End
   * it with `span.end()`.
   */
  startSpan(args: StartSpanArgs = {}): SpanImpl {
    return this.open(args, Logger.prototype.startSpan);
  }

  /** Runs `callback(span)` inside a new span, ending it when the callback (or its promise) is done. */
  traced<R>(callback: (span: SpanImpl) => R, args: StartSpanArgs = {}): R {
    if (typeof callback !== 'function') {
      runtime().warnOnce('tracedCallback', 'logger.traced() needs a function to run; nothing was run');
      return undefined as R;
    }
    if (disabled()) return callback(NOOP_SPAN);
    const span = this.open({ name: callback?.name || undefined, ...args }, Logger.prototype.traced);
    let result: R;
    try {
      result = runtime().storage.run(span, callback, span);
    } catch (error) {
      span.finishCall(undefined, errorInfoOf(error));
      throw error;
    }
    if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
      return (result as unknown as Promise<unknown>).then(
        (value) => {
          span.end();
          return value;
        },
        (error: unknown) => {
          span.finishCall(undefined, errorInfoOf(error));
          throw error;
        },
      ) as R;
    }
    span.end();
    return result;
  }

  /** Scores, a correction (`expected`), a comment and metadata for a span, by id. */
  logFeedback(event: FeedbackEvent): void {
    try {
      const rt = runtime();
      if (rt.config.disabled) return;
      const id = event !== null && typeof event === 'object' ? event.id : undefined;
      const exported = typeof id === 'string' ? decodeExported(id) : undefined;
      const spanId = exported?.spanId ?? id;
      const traceId = exported?.traceId;
      if (!isValidId(spanId)) {
        rt.warnOnce('feedbackId', 'logFeedback() needs the id of a span; nothing was logged');
        return;
      }
      const scores = Object.entries(event.scores ?? {});
      for (const [name, value] of scores) rt.sendScore('span', spanId, traceId, { name, value, reason: event.comment });
      const metadata: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(event.metadata ?? {})) metadata[key] = snapshot(value);
      if (event.comment !== undefined && scores.length === 0) metadata.comment = String(event.comment);
      const span: Record<string, unknown> = { id: spanId };
      if (traceId) span.trace_id = traceId;
      if (event.expected !== undefined) span.expected = snapshot(event.expected);
      if (Object.keys(metadata).length) span.metadata = metadata;
      if (Object.keys(span).length > (traceId ? 2 : 1)) rt.sender?.enqueueEvent({ event: 'span_update', span });
    } catch (err) {
      runtime().internalError(err);
    }
  }

  flush(options: { timeoutMs?: number } = {}): Promise<void> {
    return flush(options);
  }

  private open(args: StartSpanArgs, entry: Function): SpanImpl {
    try {
      if (disabled()) return NOOP_SPAN;
      return this.openUnguarded(args !== null && typeof args === 'object' ? args : {}, entry);
    } catch (err) {
      runtime().internalError(err);
      return detachedSpan();
    }
  }

  private openUnguarded(args: StartSpanArgs, entry: Function): SpanImpl {
    const rt = runtime();
    const name = typeof args.name === 'string' ? args.name : 'root';
    const type = SPAN_TYPES.has(args.type as string) ? (args.type as SpanType) : 'general';
    const parent = args.parent ?? rt.storage.getStore();
    let span: SpanImpl;
    if (parent instanceof SpanImpl || (typeof parent === 'object' && parent !== null)) {
      span = manualSpan(
        (parent as SpanImpl).trace,
        parent as SpanImpl,
        { name, type, startTime: args.startTime },
        entry,
      );
    } else {
      const given = args.startTime !== undefined ? msFromUser(args.startTime) : NaN;
      const start = Number.isNaN(given) ? nowMs() : given;
      const exported = typeof parent === 'string' ? decodeExported(parent) : undefined;
      if (typeof parent === 'string' && !exported)
        rt.warnOnce(
          'badParent',
          `startSpan(): parent "${parent.slice(0, 80)}" is not a span.export() string; starting a new trace`,
        );
      span = exported
        ? new SpanImpl(
            uuidv7(start),
            exported.traceId,
            exported.spanId,
            name,
            type,
            start,
            exported.projectName ?? this.projectName,
            undefined,
          )
        : openSpan(undefined, name, type, this.projectName, start);
      span.location = rt.location(entry);
      rt.sender?.enqueue(span);
    }
    if (args.event) span.log(args.event);
    return span;
  }
}

function disabled(): boolean {
  try {
    return runtime().config.disabled;
  } catch {
    return false;
  }
}
