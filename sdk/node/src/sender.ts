// The queue between user code and the collector. Enqueueing is a push onto an array; the
// queue is encoded and posted from a timer (every `flushIntervalMs`, or at once when
// `batchSize` events wait), so the cost of JSON and HTTP never lands inside a tracked call.
// Bounded: past `maxQueue` events new ones are dropped and counted, and a collector that
// is down costs a warning and a backoff, never an exception or a hang.

import type { Config } from './config.js';
import { nowMs } from './clock.js';
import type { ErrorInfo } from './recordTypes.js';
import { Transport, type PostResult } from './transport.js';
import { codeVersion } from './gitVersion.js';
import { Kind, type Rec, type SpanImpl, type TraceImpl } from './records.js';
import { batchJson, isRecord, plainEvent, recordEvent, replayOfEnv, type Entry, type PlainEvent } from './wire.js';

const MAX_BATCH_CHARS = 4 * 1024 * 1024;
const MAX_RETRY_CHARS = 16 * 1024 * 1024;
const REQUEST_TIMEOUT_MS = 10_000;

export interface Batch {
  body: string;
  events: number;
}

export interface SenderHooks {
  warnOnce(key: string, message: string): void;
  internalError(err: unknown): void;
}

export class Sender {
  private queue: Entry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private readonly inflight = new Map<Batch, Promise<void>>();
  /** Batches that failed to reach the collector, sent again after the backoff. */
  private retry: Batch[] = [];
  private retryChars = 0;
  private retryAt = 0;
  private backoffMs = 0;
  /** Records that went out as running and have not ended: closed if the process exits. */
  private readonly open = new Set<Rec>();
  /** At exit, failed batches are dropped instead of kept for a retry that will never come. */
  exiting = false;
  dropped = 0;
  private transport: Transport;

  constructor(
    private readonly config: Config,
    private readonly hooks: SenderHooks,
  ) {
    this.transport = new Transport(config.url);
  }

  /** The collector this sender posts to (the config may have changed since). */
  get url(): string {
    return this.transport.baseUrl;
  }

  get ingestUrl(): URL {
    return this.transport.ingestUrl;
  }

  /** Points the sender at another collector (after `configure({ url })`). */
  retarget(): void {
    this.transport.close();
    this.transport = new Transport(this.config.url);
    this.retryAt = 0;
    this.backoffMs = 0;
  }

  enqueue(entry: Entry): void {
    const q = this.queue;
    if (q.length >= this.config.maxQueue) {
      this.dropped++;
      this.hooks.warnOnce(
        'dropped',
        `the event queue is full (${this.config.maxQueue} events); new spans are being dropped`,
      );
      return;
    }
    if (isRecord(entry)) entry.queued = true;
    q.push(entry);
    if (q.length === 1) this.schedule(this.config.flushIntervalMs);
    else if (q.length >= this.config.batchSize && this.immediate === undefined && this.retryAt === 0) {
      this.immediate = setImmediate(this.tick).unref();
    }
  }

  enqueueEvent(event: PlainEvent): void {
    this.enqueue(event);
  }

  hasPending(): boolean {
    return this.queue.length > 0 || this.inflight.size > 0 || this.retry.length > 0;
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(delayMs, this.retryAt - Date.now());
    this.timer = setTimeout(this.tick, wait);
    this.timer.unref();
  }

  private readonly tick = (): void => {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    if (this.retryAt > Date.now()) {
      if (this.hasPending()) this.schedule(0);
      return;
    }
    this.sendAll();
  };

  /** Encodes everything queued and posts it, with any batches waiting for a retry. */
  sendAll(): void {
    const batches = this.retry;
    this.retry = [];
    this.retryChars = 0;
    for (const b of this.encodeQueue()) batches.push(b);
    for (const b of batches) this.post(b);
  }

  /** Sends now and waits for every batch in flight, at most `timeoutMs`. Never rejects. */
  async flush(timeoutMs: number, abortAtDeadline = false): Promise<void> {
    this.retryAt = 0;
    this.sendAll();
    if (this.inflight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<boolean>((resolve) => {
      // Ref'd on purpose: while a flush is awaited, or the process is draining at exit, this
      // timer is what keeps the event loop (and so the unref'd sockets) alive.
      timer = setTimeout(() => resolve(false), Math.max(0, timeoutMs));
    });
    const all = Promise.all([...this.inflight.values()]).then(() => true);
    const finished = await Promise.race([all, deadline]);
    clearTimeout(timer);
    if (!finished && abortAtDeadline) {
      this.transport.abortAll();
      await all;
    }
  }

  /**
   * Everything not yet delivered, as batches: for the synchronous send in the 'exit' event.
   * Batches in flight are included too; the collector merges, so a duplicate is harmless.
   */
  takePending(): Batch[] {
    const batches = [...this.retry, ...this.inflight.keys(), ...this.encodeQueue()];
    this.retry = [];
    this.retryChars = 0;
    this.inflight.clear();
    return batches;
  }

  /** Ends every record still running, as the process goes away. */
  closeOpen(error: ErrorInfo | undefined): void {
    const end = nowMs();
    const running = [...this.open];
    for (const entry of this.queue) if (isRecord(entry)) running.push(entry);
    for (const rec of running) {
      if (rec.ended) continue;
      if (error && !rec.error) rec.error = error;
      rec.endMs = end;
      if (!rec.queued) this.enqueue(rec);
    }
    this.open.clear();
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    this.transport.close();
  }

  private encodeQueue(): Batch[] {
    const entries = this.queue;
    if (entries.length === 0) return [];
    this.queue = [];
    const batches: Batch[] = [];
    let events: object[] = [];
    for (const entry of entries) {
      try {
        if (isRecord(entry)) {
          const replay = replayTraceToSend(entry);
          if (replay !== undefined) events.push(this.recordEntry(replay));
          const version = codeVersionEvent(entry);
          if (version !== undefined) events.push(version);
          events.push(this.recordEntry(entry));
        } else {
          events.push(plainEvent(entry));
        }
      } catch (err) {
        this.hooks.internalError(err);
        continue;
      }
      if (events.length >= this.config.batchSize) {
        this.pushBatches(batches, events);
        events = [];
      }
    }
    if (events.length > 0) this.pushBatches(batches, events);
    return batches;
  }

  /** One batch, or halves of it while it is over the size cap (large inputs and outputs). */
  private pushBatches(batches: Batch[], events: object[]): void {
    let body: string;
    try {
      body = batchJson(events);
    } catch (err) {
      this.hooks.internalError(err);
      this.dropped += events.length;
      return;
    }
    if (body.length > MAX_BATCH_CHARS && events.length > 1) {
      const half = events.length >> 1;
      this.pushBatches(batches, events.slice(0, half));
      this.pushBatches(batches, events.slice(half));
      return;
    }
    batches.push({ body, events: events.length });
  }

  private recordEntry(rec: Rec): object {
    rec.queued = false;
    const event = recordEvent(rec);
    if (rec.ended) {
      if (rec.sent) this.open.delete(rec);
    } else {
      this.open.add(rec);
    }
    rec.sent = true;
    return event;
  }

  private post(batch: Batch): void {
    const sent = this.transport.post(batch.body, REQUEST_TIMEOUT_MS).then(
      (result) => this.settle(batch, result),
      (err) => this.hooks.internalError(err),
    );
    this.inflight.set(batch, sent);
  }

  private settle(batch: Batch, result: PostResult): void {
    if (!this.inflight.delete(batch)) return; // taken by the exit path already
    if (result.status !== undefined && result.status < 300) {
      this.backoffMs = 0;
      this.retryAt = 0;
      return;
    }
    if (result.status !== undefined && result.status < 500) {
      // The collector refused the batch: resending it would fail the same way.
      this.dropped += batch.events;
      this.hooks.warnOnce(
        `status${result.status}`,
        `the collector rejected a batch (HTTP ${result.status}): ${result.body?.slice(0, 500) ?? ''}`,
      );
      return;
    }
    const why = result.error ? (result.error.code ?? result.error.message) : `HTTP ${result.status}`;
    this.hooks.warnOnce(
      'unreachable',
      `cannot reach the collector at ${this.config.url} (${why}); traces are not being recorded. Start it (\`spanscope serve\` or the VS Code extension) or set SPANSCOPE_URL.`,
    );
    if (this.exiting || this.retryChars + batch.body.length > MAX_RETRY_CHARS) {
      this.dropped += batch.events;
      return;
    }
    this.retry.push(batch);
    this.retryChars += batch.body.length;
    this.backoffMs = Math.min(Math.max(250, this.backoffMs * 2), 10_000);
    this.retryAt = Date.now() + this.backoffMs;
    this.schedule(this.backoffMs);
  }
}

/**
 * The code version of a trace left to the collector. A trace that only mirrors its root span
 * is not sent (records.ts): the collector makes it from the span. It still needs the code
 * version, so it gets a `trace_update` of just that, once, which the collector notes without
 * turning it into a trace of its own (docs/protocol.md, "Code version"). Far cheaper than
 * sending the whole trace, which would repeat the root span's input and output.
 */
function codeVersionEvent(rec: Rec): PlainEvent | undefined {
  if (rec.kind !== Kind.Span || !(rec as SpanImpl).mirror) return undefined;
  const trace = (rec as SpanImpl).trace;
  if (trace === undefined || !trace.implicit || trace.versionSent) return undefined;
  const version = codeVersion();
  if (version === undefined) return undefined;
  trace.versionSent = true;
  return { event: 'trace_update', trace: { id: trace.id, code_version: version } };
}

/**
 * The trace of a re-run's root span (SPANSCOPE_REPLAY_OF set: Debug This Call, a saved test),
 * sent after all, once, before that span: only a trace of its own can carry the `replay_of`
 * mark (docs/protocol.md, "Re-running a call"). Its code version then goes with it.
 */
function replayTraceToSend(rec: Rec): TraceImpl | undefined {
  if (rec.kind !== Kind.Span || !(rec as SpanImpl).mirror) return undefined;
  const trace = (rec as SpanImpl).trace;
  if (trace === undefined || !trace.implicit || replayOfEnv() === undefined) return undefined;
  trace.implicit = false;
  return trace;
}
