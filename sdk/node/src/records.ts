// Traces and spans as this process knows them. One object is at once the data the sender
// encodes and the handle user code holds (`span.update(…)`, `span.end()`, `trace.span(…)`),
// so a tracked call allocates one object per span and nothing else.
//
// A record is queued when it starts. If it also ends before the next flush, the sender
// writes it as a single complete `span_end` event; if the flush comes first, it goes out as
// `span_start` (so the UI shows it running) and is queued again when it ends or changes.
// Every event carries every field the record has: the collector merges, so resending is
// harmless, and nothing has to remember which fields changed.
//
// Records know neither the runtime nor the sender: what they emit goes to a `RecordSink`,
// which the runtime installs when it wires the SDK together (runtime.ts), the way an
// OpenTelemetry span is given its processor by its tracer. So this module imports nothing
// that imports it back.

import { msFromUser, nowMs } from './clock.js';
import type { CodeLocation } from './codeLocation.js';
import { normaliseErrorInfo } from './errors.js';
import { encodeExported, type ExportedSpan } from './exported.js';
import { isValidId, uuidv7 } from './ids.js';
import type { Parameters } from './params.js';
import {
  SPAN_TYPES,
  type ErrorInfo,
  type FeedbackScoreInput,
  type LogEvent,
  type SpanOptions,
  type SpanType,
  type SpanUpdate,
  type TraceUpdate,
} from './recordTypes.js';
import { snapshot, type Sealed } from './snapshot.js';

/**
 * The metadata a span gets when its trace's end closed it (docs/protocol.md, "Spans that
 * never end"): the UI says "ended with its trace" rather than showing a duration of its own.
 */
export const ENDED_BY: Readonly<Record<string, string>> = Object.freeze({ 'spanscope.ended_by': 'trace_end' });

/**
 * Where records send what they emit: their changes to the send queue, scores, internal
 * errors; and what they ask of the process (the default project, a call site's location).
 * Not part of the public API (index.ts does not export it).
 */
export interface RecordSink {
  readonly config: { readonly projectName: string | undefined };
  enqueue(rec: Rec): void;
  sendScore(target: 'span' | 'trace', id: string, traceId: string | undefined, score: FeedbackScoreInput): void;
  internalError(err: unknown): void;
  location(entry: Function): CodeLocation | undefined;
}

/** Until the runtime installs its sink (on loading runtime.ts), records emit nothing. */
const NO_SINK: RecordSink = {
  config: { projectName: undefined },
  enqueue() {},
  sendScore() {},
  internalError() {},
  location() {
    return undefined;
  },
};

let sink: () => RecordSink = () => NO_SINK;

/**
 * Called once, by runtime.ts: `get` returns the process's runtime (creating it on
 * first use), so a record reaching its sink is what brings the runtime up, as before.
 */
export function installRecordSink(get: () => RecordSink): void {
  sink = get;
}

// biome-ignore lint/suspicious/noConstEnum: internal to the SDK (Rec.kind is @internal); the bundler inlines it to a number
export const enum Kind {
  Span = 0,
  Trace = 1,
}

/** What a trace and a span share; the sender encodes both from these fields. */
export abstract class Rec {
  /** @internal */
  abstract readonly kind: Kind;
  projectName: string | undefined;
  name: string;
  /** @internal */
  startMs: number;
  /** @internal -1 while running. */
  endMs = -1;
  /** @internal */
  input: Sealed = undefined;
  /** @internal Set when `input` holds a call's raw arguments, to be written as an object by name. */
  argNames: Parameters | null = null;
  /** @internal */
  output: Sealed = undefined;
  /** @internal */
  metadata: Record<string, Sealed> | undefined = undefined;
  /** @internal Shared with other records until this one changes its metadata (copy on write). */
  metadataShared = false;
  /** @internal */
  tags: string[] | undefined = undefined;
  /** @internal */
  error: ErrorInfo | undefined = undefined;
  /** @internal */
  expected: Sealed = undefined;
  /** @internal In the sender's queue right now. */
  queued = false;
  /** @internal A start event went out: what follows must be an update or an end. */
  sent = false;

  constructor(
    readonly id: string,
    name: string,
    startMs: number,
    projectName: string | undefined,
  ) {
    this.name = name;
    this.startMs = startMs;
    this.projectName = projectName;
  }

  /** @internal */
  get ended(): boolean {
    return this.endMs >= 0;
  }

  /** @internal Queue this record so its current state goes out with the next batch. */
  touch(): void {
    if (this.sent && !this.queued) sink().enqueue(this);
  }

  /** @internal */
  /** User input: anything that is not an object is taken as "no fields". */
  protected applyCommon(fields: TraceUpdate & Record<string, unknown>): void {
    if (!isObject(fields)) return;
    if (typeof fields.name === 'string') this.name = fields.name;
    if ('input' in fields) {
      this.input = snapshot(fields.input);
      this.argNames = null;
    }
    if ('output' in fields) this.output = snapshot(fields.output);
    if ('expected' in fields) this.expected = snapshot(fields.expected);
    if (isObject(fields.metadata)) this.mergeMetadata(fields.metadata);
    if (Array.isArray(fields.tags)) this.addTags(fields.tags);
    const error = fields.errorInfo ?? fields.error_info;
    if (isObject(error)) this.error = normaliseErrorInfo(error);
    const start = fields.startTime ?? fields.start_time;
    if (start !== undefined) {
      const ms = msFromUser(start);
      if (!Number.isNaN(ms)) this.startMs = ms;
    }
    const scores = fields.feedbackScores ?? fields.feedback_scores;
    if (Array.isArray(scores)) for (const s of scores) this.logFeedbackScore(s as FeedbackScoreInput);
  }

  /** @internal */
  mergeMetadata(extra: Record<string, unknown>): void {
    const own: Record<string, Sealed> = this.metadataShared || !this.metadata ? { ...this.metadata } : this.metadata;
    for (const key of Object.keys(extra)) own[key] = snapshot(extra[key]);
    this.metadata = own;
    this.metadataShared = false;
  }

  /** @internal */
  addTags(tags: unknown[]): void {
    const set = new Set(this.tags);
    for (const t of tags) set.add(String(t));
    this.tags = [...set];
  }

  logFeedbackScore(nameOrScore: string | FeedbackScoreInput, value?: number | null, reason?: string): void {
    try {
      const score = typeof nameOrScore === 'string' ? { name: nameOrScore, value: value ?? null, reason } : nameOrScore;
      sink().sendScore(
        this.kind === Kind.Span ? 'span' : 'trace',
        this.id,
        (this as unknown as SpanImpl).traceId,
        score,
      );
    } catch (err) {
      sink().internalError(err);
    }
  }

  /** @internal */
  protected finish(endMs: number): boolean {
    if (this.ended) return false;
    this.endMs = endMs;
    this.touch();
    return true;
  }
}

export class TraceImpl extends Rec {
  /** @internal */
  readonly kind = Kind.Trace;
  threadId: string | undefined = undefined;
  /** @internal Spans made through the client API, ended with the trace if still open then. */
  manualSpans: SpanImpl[] | undefined = undefined;
  /**
   * A trace that only mirrors its root span is not sent at all: the collector makes an
   * implicit trace from the root span (its name, input, output, times, project), which
   * halves what a tracked call costs to send. It is sent as soon as it has something of
   * its own (tags, metadata, a score, a thread, an update through the trace's handle).
   * @internal
   */
  implicit = false;
  /** @internal The code version of this (implicit) trace went out on its own (sender.ts). */
  versionSent = false;

  /** @internal Gives an implicit trace a record of its own, sent with the next batch. */
  makeExplicit(): void {
    if (!this.implicit) return;
    this.implicit = false;
    if (!this.queued) sink().enqueue(this);
  }

  override logFeedbackScore(nameOrScore: string | FeedbackScoreInput, value?: number | null, reason?: string): void {
    this.makeExplicit();
    super.logFeedbackScore(nameOrScore, value, reason);
  }

  update(fields: TraceUpdate): this {
    try {
      this.makeExplicit();
      this.applyCommon(fields as TraceUpdate & Record<string, unknown>);
      const thread = fields?.threadId ?? (fields as Record<string, unknown> | null)?.thread_id;
      if (typeof thread === 'string') this.threadId = thread;
      const endMs = endTimeOf(fields);
      if (endMs !== undefined) this.end({ endTime: endMs });
      else this.touch();
    } catch (err) {
      sink().internalError(err);
    }
    return this;
  }

  /** A child span of this trace (Opik's `trace.span(…)`). */
  span(options: SpanOptions = {}): SpanImpl {
    return manualSpan(this, undefined, options, TraceImpl.prototype.span);
  }

  end(fields?: TraceUpdate): void {
    try {
      this.makeExplicit();
      if (fields) this.applyCommon(fields as TraceUpdate & Record<string, unknown>);
      const endMs = endTimeOf(fields) ?? nowMs();
      this.closeAt(endMs);
    } catch (err) {
      sink().internalError(err);
    }
  }

  /**
   * @internal Ends the trace, and any manual span of it still open, at `endMs`; those spans
   * are marked (`ENDED_BY`) so a reader can tell they did not end on their own.
   */
  closeAt(endMs: number): void {
    if (this.manualSpans !== undefined) {
      for (const s of this.manualSpans) if (!s.ended) s.end({ endTime: endMs, metadata: ENDED_BY });
      this.manualSpans = undefined;
    }
    this.finish(endMs);
  }
}

export class SpanImpl extends Rec {
  /** @internal */
  readonly kind = Kind.Span;
  type: SpanType;
  /** @internal */
  usage: Record<string, number> | undefined = undefined;
  /** @internal */
  model: string | undefined = undefined;
  /** @internal */
  provider: string | undefined = undefined;
  /** @internal */
  cost: number | undefined = undefined;
  /** @internal A stream's first chunk, in ms after the span's start; set by the OpenAI wrapper. */
  ttftMs: number | undefined = undefined;
  /** @internal Computed once per wrapped function and shared by its spans. */
  location: CodeLocation | undefined = undefined;
  /**
   * A root span that stands for its trace (a tracked call, a Braintrust span): its name,
   * input, output, error and end are the trace's too.
   * @internal
   */
  mirror = false;

  constructor(
    id: string,
    readonly traceId: string,
    readonly parentId: string | undefined,
    name: string,
    type: SpanType,
    startMs: number,
    projectName: string | undefined,
    /** The trace when this process owns it; undefined under a parent from elsewhere. */
    readonly trace: TraceImpl | undefined,
  ) {
    super(id, name, startMs, projectName);
    this.type = type;
  }

  update(fields: SpanUpdate): this {
    try {
      this.applySpan(fields as SpanUpdate & Record<string, unknown>);
      const endMs = endTimeOf(fields);
      if (endMs !== undefined) this.end({ endTime: endMs });
      else this.touch();
    } catch (err) {
      sink().internalError(err);
    }
    return this;
  }

  /** A child span (Opik's `span.span(…)`). */
  span(options: SpanOptions = {}): SpanImpl {
    return manualSpan(this.trace, this, options, SpanImpl.prototype.span);
  }

  /** A child span (Braintrust's `span.startSpan(…)`). */
  startSpan(options: { name?: string; type?: SpanType; event?: LogEvent } = {}): SpanImpl {
    const child = manualSpan(
      this.trace,
      this,
      { name: options?.name, type: options?.type },
      SpanImpl.prototype.startSpan,
    );
    if (options?.event) child.log(options.event);
    return child;
  }

  /** Braintrust's `span.log({ input, output, expected, scores, metadata, metrics, tags })`. */
  log(event: LogEvent): void {
    if (!isObject(event)) return;
    try {
      const fields: SpanUpdate & Record<string, unknown> = {};
      for (const key of ['input', 'output', 'expected', 'metadata', 'tags'] as const)
        if (key in event) (fields as Record<string, unknown>)[key] = event[key];
      const usage: Record<string, number> = {};
      for (const [key, value] of Object.entries(event.metrics ?? {})) {
        if (key === 'start' || key === 'end')
          fields[key === 'start' ? 'startTime' : 'endTime'] = (value as number) * 1000;
        else if (typeof value === 'number') usage[key] = value;
      }
      if (Object.keys(usage).length) fields.usage = usage;
      this.update(fields);
      for (const [name, value] of Object.entries(event.scores ?? {})) this.logFeedbackScore(name, value);
    } catch (err) {
      sink().internalError(err);
    }
  }

  /** A string that, passed as `parent`, puts a later span (even in another process) under this one. */
  export(): string {
    const handle: ExportedSpan = {
      traceId: this.traceId,
      spanId: this.id,
      projectName: this.projectName ?? this.trace?.projectName,
    };
    return encodeExported(handle);
  }

  end(fields?: SpanUpdate): number {
    try {
      if (fields) this.applySpan(fields as SpanUpdate & Record<string, unknown>);
      const endMs = endTimeOf(fields) ?? nowMs();
      if (this.finish(endMs) && this.mirror && this.trace) mirrorEnd(this, this.trace);
      return endMs / 1000;
    } catch (err) {
      sink().internalError(err);
      return nowMs() / 1000;
    }
  }

  /** @internal Ends a tracked call: its value or its error. Called by the SDK only. */
  finishCall(output: Sealed, error: ErrorInfo | undefined): void {
    if (error !== undefined) this.error = error;
    if (output !== undefined) this.output = output;
    if (this.finish(nowMs()) && this.mirror && this.trace) mirrorEnd(this, this.trace);
  }

  /** @internal */
  private applySpan(fields: SpanUpdate & Record<string, unknown>): void {
    if (!isObject(fields)) return;
    this.applyCommon(fields);
    if (typeof fields.type === 'string' && SPAN_TYPES.has(fields.type)) this.type = fields.type;
    if (isObject(fields.usage)) this.mergeUsage(fields.usage);
    if (typeof fields.model === 'string') this.model = fields.model;
    if (typeof fields.provider === 'string') this.provider = fields.provider;
    const cost = fields.totalEstimatedCost ?? fields.total_estimated_cost;
    if (typeof cost === 'number' && Number.isFinite(cost)) this.cost = cost;
    if (this.mirror && this.trace) mirrorFields(this, this.trace, fields);
  }

  /** @internal */
  mergeUsage(usage: Record<string, unknown>): void {
    const own = { ...this.usage };
    for (const key of Object.keys(usage)) {
      const n = usage[key];
      if (typeof n === 'number' && Number.isFinite(n)) own[key] = n;
    }
    this.usage = own;
  }
}

function mirrorFields(span: SpanImpl, trace: TraceImpl, fields: Record<string, unknown>): void {
  if (typeof fields.name === 'string') trace.name = span.name;
  if ('input' in fields) {
    trace.input = span.input;
    trace.argNames = span.argNames;
  }
  if ('output' in fields) trace.output = span.output;
  if ('expected' in fields) trace.expected = span.expected;
  if (isObject(fields.metadata)) trace.mergeMetadata(fields.metadata as Record<string, unknown>);
  if (Array.isArray(fields.tags)) trace.addTags(fields.tags);
  if (fields.errorInfo !== undefined || fields.error_info !== undefined) trace.error = span.error;
  // What an implicit trace can not take from its root span.
  if (isObject(fields.metadata) || Array.isArray(fields.tags) || 'expected' in fields) trace.makeExplicit();
  trace.touch();
}

function mirrorEnd(span: SpanImpl, trace: TraceImpl): void {
  trace.output = span.output;
  trace.error = span.error;
  trace.closeAt(span.endMs);
}

/**
 * Starts a span under the current one, or, outside any, a new (implicit) trace with this
 * span at its top standing for it. The caller queues the span. The shared start of tracked calls, LLM calls and
 * Braintrust spans.
 */
export function openSpan(
  parent: SpanImpl | undefined,
  name: string,
  type: SpanType,
  projectName: string | undefined,
  now: number,
): SpanImpl {
  const rt = sink();
  let span: SpanImpl;
  if (parent === undefined) {
    const project = projectName ?? rt.config.projectName;
    const trace = new TraceImpl(uuidv7(now), name, now, project);
    trace.implicit = true;
    span = new SpanImpl(uuidv7(now), trace.id, undefined, name, type, now, project, trace);
    span.mirror = true;
  } else {
    span = new SpanImpl(uuidv7(now), parent.traceId, parent.id, name, type, now, projectName, parent.trace);
  }
  return span;
}

/**
 * Starts a manual span under `parent` (or at the top of `trace`), with the call site of
 * `entry` as its code location.
 */
export function manualSpan(
  trace: TraceImpl | undefined,
  parent: SpanImpl | undefined,
  options: SpanOptions,
  entry: Function,
): SpanImpl {
  const rt = sink();
  try {
    const o: SpanOptions = isObject(options) ? options : {};
    const startGiven = o.startTime !== undefined ? msFromUser(o.startTime) : NaN;
    const start = Number.isNaN(startGiven) ? nowMs() : startGiven;
    const span = new SpanImpl(
      isValidId(o.id) ? o.id : uuidv7(start),
      parent ? parent.traceId : trace!.id,
      parent?.id,
      typeof o.name === 'string' ? o.name : 'span',
      SPAN_TYPES.has(o.type as string) ? (o.type as SpanType) : 'general',
      start,
      typeof o.projectName === 'string' ? o.projectName : parent?.projectName,
      trace,
    );
    span.location = rt.location(entry);
    span.update({ ...o, startTime: undefined });
    if (trace) (trace.manualSpans ??= []).push(span);
    rt.enqueue(span);
    return span;
  } catch (err) {
    rt.internalError(err);
    return detachedSpan();
  }
}

/**
 * What an SDK entry point returns when it failed inside: a working handle that records
 * nothing, so the user's code goes on as if tracing had worked.
 */
export function detachedSpan(): SpanImpl {
  const now = nowMs();
  return new SpanImpl(uuidv7(now), uuidv7(now), undefined, 'span', 'general', now, undefined, undefined);
}

/** The end time given in update fields, as epoch milliseconds. */
function endTimeOf(fields: TraceUpdate | undefined): number | undefined {
  const given = fields?.endTime ?? (fields as Record<string, unknown> | undefined)?.end_time;
  if (given === undefined) return undefined;
  const ms = msFromUser(given);
  return Number.isNaN(ms) ? undefined : ms;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
