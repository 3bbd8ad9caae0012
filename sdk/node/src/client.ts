// Opik's manual idiom: `new Client({ projectName })`, `client.trace({…})`, `trace.span({…})`,
// `span.span({…})`, `.end()`, feedback scores by id, `flush()`.

import { msFromUser, nowMs } from './clock.js';
import { isValidId, uuidv7 } from './ids.js';
import { NOOP_TRACE } from './noop.js';
import { TraceImpl } from './records.js';
import type { FeedbackScoreInput, TraceOptions } from './recordTypes.js';
import { runtime } from './runtime.js';

export interface ClientOptions {
  /** Project for this client's traces; defaults to SPANSCOPE_PROJECT. */
  projectName?: string;
}

export interface ScoreById extends FeedbackScoreInput {
  /** The trace's or span's id. */
  id: string;
  /** A span's trace, when known; the collector finds it otherwise. */
  traceId?: string;
}

export class Client {
  readonly projectName: string | undefined;

  constructor(options: ClientOptions = {}) {
    this.projectName = options?.projectName;
  }

  /** Starts a trace; add spans with `trace.span(…)` and finish it with `trace.end()`. */
  trace(options: TraceOptions = {}): TraceImpl {
    if (isDisabled()) return NOOP_TRACE;
    const o: TraceOptions = options !== null && typeof options === 'object' ? options : {};
    const given = o.startTime !== undefined ? msFromUser(o.startTime) : NaN;
    const start = Number.isNaN(given) ? nowMs() : given;
    const trace = new TraceImpl(
      isValidId(o.id) ? o.id : uuidv7(start),
      typeof o.name === 'string' ? o.name : 'trace',
      start,
      undefined,
    );
    try {
      const rt = runtime();
      trace.projectName = o.projectName ?? this.projectName ?? rt.config.projectName;
      trace.update({ ...o, startTime: undefined });
      rt.sender?.enqueue(trace);
    } catch (err) {
      runtime().internalError(err);
    }
    return trace;
  }

  logTracesFeedbackScores(scores: ScoreById[]): void {
    this.logScores('trace', scores);
  }

  logSpansFeedbackScores(scores: ScoreById[]): void {
    this.logScores('span', scores);
  }

  /** Sends everything queued and waits for it, at most `timeoutMs` (default 2 s). */
  flush(options: { timeoutMs?: number } = {}): Promise<void> {
    return flush(options);
  }

  private logScores(target: 'trace' | 'span', scores: ScoreById[]): void {
    try {
      const rt = runtime();
      if (rt.config.disabled) return;
      for (const s of Array.isArray(scores) ? scores : []) {
        if (s === null || typeof s !== 'object') {
          rt.warnOnce('scoreId', `a feedback score needs the id of its ${target}; one was not sent`);
          continue;
        }
        rt.sendScore(target, s.id, s.traceId ?? (s as unknown as Record<string, string>).trace_id, s);
      }
    } catch (err) {
      runtime().internalError(err);
    }
  }
}

/** Sends everything queued and waits for it, at most `timeoutMs` (default 2 s). Never rejects. */
export async function flush(options: { timeoutMs?: number } = {}): Promise<void> {
  try {
    const rt = runtime();
    await rt.sender?.flush(options?.timeoutMs ?? rt.config.exitTimeoutMs);
  } catch (err) {
    runtime().internalError(err);
  }
}

function isDisabled(): boolean {
  try {
    return runtime().config.disabled;
  } catch {
    return false;
  }
}
