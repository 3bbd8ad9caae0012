// Opik's manual idiom: `new Client({ projectName })`, `client.trace({…})`, `trace.span({…})`,
// `span.span({…})`, `.end()`, feedback scores by id, `flush()`.

import { msFromUser, nowMs } from './clock.js';
import { uuidv7 } from './ids.js';
import { TraceImpl, type FeedbackScoreInput, type TraceOptions } from './records.js';
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
    const rt = runtime();
    const given = options.startTime !== undefined ? msFromUser(options.startTime) : NaN;
    const start = Number.isNaN(given) ? nowMs() : given;
    const trace = new TraceImpl(
      typeof options.id === 'string' && options.id ? options.id : uuidv7(start),
      typeof options.name === 'string' ? options.name : 'trace',
      start,
      options.projectName ?? this.projectName ?? rt.config.projectName,
    );
    trace.update({ ...options, startTime: undefined });
    rt.sender?.enqueue(trace);
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
      for (const s of Array.isArray(scores) ? scores : []) rt.sendScore(target, s.id, s.traceId ?? (s as unknown as Record<string, string>).trace_id, s);
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
