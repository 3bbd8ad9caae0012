// The `llm` span of one call through the proxy, written to the store as native events (the
// same validation and limits as any SDK's): started when the call arrives, so it shows as
// running at once, ended with the reply. Its parent is the span a header named; when the
// store does not know that span yet (its SDK flushes every few tens of milliseconds), the
// span waits for it until the call ends and up to PARENT_WAIT_MS after, and is written whole
// then, or else as a trace of its own with the id it waited for in its metadata.

import { randomUUID } from 'node:crypto';
import type { ErrorInfo, Usage } from '../../core/model/model';
import { setOwn } from '../../core/normalise/limits';
import { HttpError } from '../httpError';
import { ingestBatch } from '../nativeRoutes';
import type { CollectorDeps } from '../router';
import { huntable } from './callerCredentials';
import type { ParentRef } from './proxyParent';

export const PARENT_WAIT_MS = 2000;
const PARENT_POLL_MS = 50;

export interface CallStart {
  name: string;
  input?: unknown;
  model?: string;
  provider: string;
  metadata: Record<string, unknown>;
  parent: ParentRef;
  /** The request's credentials: a reply that echoes one (an error quoting the key) is recorded without it. */
  secrets: string[];
}

export interface CallEnd {
  output?: unknown;
  usage?: Usage;
  model?: string;
  metadata: Record<string, unknown>;
  error?: ErrorInfo;
  timeToFirstTokenMs?: number;
  /** Answered from the cache: it cost nothing. */
  cached: boolean;
}

type Events = Record<string, unknown>[];

export class CallSpan {
  readonly id = randomUUID();
  private readonly startMs = Date.now();
  private traceId?: string;
  private ownTrace = false;
  private started = false;
  private ended = false;

  constructor(
    private readonly deps: CollectorDeps,
    private readonly call: CallStart,
  ) {}

  /** Writes the running span, unless its parent is not known yet. */
  start(): void {
    const parent = this.call.parent;
    if (parent.spanId && !parent.traceId) {
      const traceId = this.deps.store.findSpanTrace?.(parent.spanId);
      if (traceId === undefined) return; // written whole when the call ends
      this.traceId = traceId;
    } else {
      this.traceId = parent.traceId ?? randomUUID();
      this.ownTrace = !parent.spanId;
    }
    this.started = true;
    this.write(this.startEvents());
  }

  /** Ends the span once; later calls do nothing. */
  end(result: CallEnd): void {
    if (this.ended) return;
    this.ended = true;
    const endMs = Date.now();
    if (this.started) return this.write(this.endEvents(result, endMs));
    void this.waitForParent().then((traceId) => {
      const metadata = { ...result.metadata };
      if (traceId === undefined) metadata.parent_span_id_not_found = this.call.parent.spanId;
      this.traceId = traceId ?? randomUUID();
      this.ownTrace = traceId === undefined;
      this.write([...this.startEvents(), ...this.endEvents({ ...result, metadata }, endMs)]);
    });
  }

  get durationMs(): number {
    return Date.now() - this.startMs;
  }

  private async waitForParent(): Promise<string | undefined> {
    const spanId = this.call.parent.spanId!;
    const deadline = Date.now() + PARENT_WAIT_MS;
    for (;;) {
      const traceId = this.deps.store.findSpanTrace?.(spanId);
      if (traceId !== undefined || Date.now() >= deadline) return traceId;
      await new Promise((resolve) => setTimeout(resolve, PARENT_POLL_MS).unref());
    }
  }

  private startEvents(): Events {
    const { name, input, model, provider, metadata, parent } = this.call;
    const events: Events = [];
    if (this.ownTrace) {
      events.push({
        event: 'trace_start',
        trace: {
          id: this.traceId,
          name,
          project_name: parent.projectName,
          start_time: this.startMs,
          input,
          metadata: { proxy: true },
        },
      });
    }
    const span: Record<string, unknown> = {
      id: this.id,
      trace_id: this.traceId,
      name,
      type: 'llm',
      start_time: this.startMs,
      input,
      model,
      provider,
      metadata,
    };
    if (!this.ownTrace && parent.spanId) span.parent_span_id = parent.spanId;
    events.push({ event: 'span_start', span });
    return events;
  }

  private endEvents(result: CallEnd, endMs: number): Events {
    const span: Record<string, unknown> = {
      id: this.id,
      trace_id: this.traceId,
      end_time: endMs,
      output: result.output,
      usage: result.usage,
      model: result.model,
      metadata: { ...result.metadata, cached: result.cached },
      error_info: result.error,
      time_to_first_token_ms: result.timeToFirstTokenMs,
    };
    if (result.cached) span.total_estimated_cost = 0;
    const events: Events = [{ event: 'span_end', span }];
    if (this.ownTrace)
      events.push({
        event: 'trace_end',
        trace: { id: this.traceId, end_time: endMs, output: result.output, error_info: result.error },
      });
    return events;
  }

  /** A span the store refuses (a value past a limit) is written again without its input and output, and the reason said. */
  private write(events: Events): void {
    events = redact(events, this.call.secrets);
    try {
      ingestBatch(this.deps.store, { events });
    } catch (err) {
      if (!(err instanceof HttpError))
        return this.deps.log(`Spanscope proxy: recording a call failed: ${(err as Error).message}`);
      const note = `${err.message}: ${JSON.stringify(err.details ?? []).slice(0, 500)}`;
      for (const e of events) {
        const record = (e.span ?? e.trace) as Record<string, unknown>;
        delete record.input;
        delete record.output;
        record.metadata = { ...(record.metadata as object | undefined), spanscope_dropped: note };
      }
      try {
        ingestBatch(this.deps.store, { events });
      } catch (again) {
        this.deps.log(`Spanscope proxy: recording a call failed: ${(again as Error).message}`);
      }
    }
  }
}

/**
 * Every credential replaced wherever it appears in the span: in any string, key or value, at
 * any depth. Walked with a stack, not recursion, and not through JSON.stringify: a request or
 * reply nested 20,000 deep overflowed both (the normaliser cuts such values later, at
 * DEPTH_MAX). Changed containers are copied, so the caller's values stay as they were.
 */
function redact(events: Events, secrets: string[]): Events {
  const wanted = huntable(secrets);
  if (!wanted.length) return events;
  const clean = (text: string) =>
    wanted.some((s) => text.includes(s)) ? wanted.reduce((t, s) => t.split(s).join('[redacted]'), text) : text;
  const root: { value: unknown } = { value: events };
  const stack: { holder: Record<string, unknown> | unknown[]; key: string | number }[] = [
    { holder: root as Record<string, unknown>, key: 'value' },
  ];
  while (stack.length) {
    const { holder, key } = stack.pop()!;
    const value = (holder as Record<string | number, unknown>)[key];
    if (typeof value === 'string') {
      const text = clean(value);
      if (text !== value) (holder as Record<string | number, unknown>)[key] = text;
    } else if (Array.isArray(value)) {
      const copy = value.slice();
      (holder as Record<string | number, unknown>)[key] = copy;
      for (let i = 0; i < copy.length; i++) stack.push({ holder: copy, key: i });
    } else if (value !== null && typeof value === 'object') {
      const copy: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) setOwn(copy, clean(k), v);
      (holder as Record<string | number, unknown>)[key] = copy;
      for (const k of Object.keys(copy)) stack.push({ holder: copy, key: k });
    }
  }
  return root.value as Events;
}
