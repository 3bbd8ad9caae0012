// The one piece of process-wide state: configuration, the context storage that nests spans,
// and the sender. Created on first use, not on import, so importing the SDK has no side
// effects. Kept on `globalThis` under a versioned key: when a process loads both the ESM and
// the CommonJS build (a dual-package app), both share one queue, one set of exit hooks and
// one span context instead of splitting a trace in two.
//
// This is the SDK's one wiring point: the runtime makes the sender, installs the exit hooks
// around it, and is itself the sink that records emit to (records.ts imports none of this).

import { AsyncLocalStorage } from 'node:async_hooks';
import { configFromEnv, type Config } from './config.js';
import { callerLocation, type CodeLocation } from './codeLocation.js';
import { installExitHooks } from './exitHooks.js';
import { installRecordSink, type Rec, type RecordSink, type SpanImpl } from './records.js';
import type { FeedbackScoreInput } from './recordTypes.js';
import { isValidId } from './ids.js';
import { Sender } from './sender.js';
import { limits } from './snapshot.js';

const VERSION = '0.1.0';
const KEY = Symbol.for(`spanscope.runtime@${VERSION}`);

export class Runtime implements RecordSink {
  readonly config: Config;
  readonly storage = new AsyncLocalStorage<SpanImpl>();
  sender: Sender | undefined;
  private removeHooks: (() => void) | undefined;
  private readonly warned = new Set<string>();

  constructor(overrides: Partial<Config>) {
    this.config = { ...configFromEnv(), ...overrides };
    this.apply();
  }

  /** Settings changed: start, stop or re-point the sender. */
  apply(): void {
    limits.maxValueLength = this.config.maxValueLength;
    if (this.config.disabled) {
      this.stop();
      return;
    }
    if (!isHttpUrl(this.config.url)) {
      this.warnOnce('url', `"${this.config.url}" is not an http(s) URL (SPANSCOPE_URL); nothing will be recorded`);
      this.stop();
      return;
    }
    if (this.sender) {
      if (this.sender.url !== this.config.url) this.sender.retarget();
      return;
    }
    this.sender = new Sender(this.config, this);
    this.removeHooks = installExitHooks({
      sender: this.sender,
      timeoutMs: this.config.exitTimeoutMs,
      warnOnce: (k, m) => this.warnOnce(k, m),
    });
  }

  /** A record changed: its current state goes out with the next batch (while a sender runs). */
  enqueue(rec: Rec): void {
    this.sender?.enqueue(rec);
  }

  stop(): void {
    this.removeHooks?.();
    this.removeHooks = undefined;
    this.sender?.close();
    this.sender = undefined;
  }

  warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    try {
      process.stderr.write(`spanscope: ${message}\n`);
    } catch {
      // stderr closed: nowhere left to say it.
    }
  }

  /** A bug of ours must never reach user code; it is reported once and swallowed. */
  internalError(err: unknown): void {
    this.warnOnce(
      'internal',
      `internal error (please report it): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
  }

  /** `code_location` of the code that called `entry`, or undefined. */
  location(entry: Function, functionName?: string, decorator = false): CodeLocation | undefined {
    const loc = callerLocation(entry, decorator);
    if (loc && functionName !== undefined) loc.function = functionName;
    return loc;
  }

  sendScore(target: 'span' | 'trace', id: string, traceId: string | undefined, score: FeedbackScoreInput): void {
    if (this.config.disabled) return; // nothing would be sent: nothing to check or warn about
    if (!score || typeof score.name !== 'string' || !(Number.isFinite(score.value) || score.value === null)) {
      this.warnOnce(
        'score',
        `a feedback score needs a name and a finite number as its value (got ${safeText(score)}); it was not sent`,
      );
      return;
    }
    if (!isValidId(id) || (traceId !== undefined && !isValidId(traceId))) {
      this.warnOnce('scoreId', `a feedback score names no valid ${target} id (got ${safeText(id)}); it was not sent`);
      return;
    }
    const body: Record<string, unknown> = { target, id, name: score.name, value: score.value };
    if (target === 'span' && traceId) body.trace_id = traceId;
    if (typeof score.reason === 'string') body.reason = score.reason;
    const category = score.categoryName ?? (score as unknown as Record<string, unknown>).category_name;
    if (typeof category === 'string') body.category_name = category;
    this.sender?.enqueueEvent({ event: 'score', score: body });
  }
}

let current: Runtime | undefined;

/** The process's runtime, created on first use. */
export function runtime(): Runtime {
  if (current !== undefined) return current;
  const g = globalThis as unknown as Record<symbol, Runtime | undefined>;
  current = g[KEY] ??= new Runtime({});
  return current;
}

installRecordSink(runtime);

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function safeText(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 200) ?? String(value);
  } catch {
    return String(value);
  }
}
