// `trackOpenAI(client)` / `wrapOpenAI(client)`: every `chat.completions.create` and
// `responses.create` call becomes an `llm` span (model, provider, messages, reply, usage;
// the collector prices it) under whatever span is current. Duck-typed: the SDK never imports
// `openai`, it only looks for those two methods.
//
// The client is not modified: the wrapper is a Proxy that answers for `chat`,
// `chat.completions`, `responses` and their `create`, and hands everything else to the
// real objects (methods bound to them, so private fields keep working).
//
// openai's `create` returns an APIPromise, a Promise with extra methods (`withResponse()`,
// `asResponse()`). Replacing it with a plain promise would break those, so the wrapper
// chains on it with the APIPromise's own `_thenUnwrap` when it has one. Streams (`stream:
// true`) resolve to a Stream object with `tee()`, `toReadableStream()` and `controller`;
// it is kept as is, and only its iterator is observed, so the span covers the iteration and
// ends with the assembled reply.

import { nowMs } from '../clock.js';
import { AsyncTracedIterator, coverIteration, type IterationSink } from '../iteration.js';
import { errorInfoOf } from '../errors.js';
import { openSpan, type SpanImpl } from '../records.js';
import { runtime } from '../runtime.js';
import { snapshot } from '../snapshot.js';
import { record, type LlmApi, type LlmResult, type StreamAssembler } from './api.js';
import { chatApi } from './chat.js';
import { responsesApi } from './responses.js';

export interface TrackOpenAIOptions {
  /** Project of the traces these calls make when no span is current. */
  projectName?: string;
  /** Recorded as the span's `provider`; default "openai". */
  provider?: string;
}

const WRAPPED = Symbol.for('spanscope.openai.wrapped');

export function trackOpenAI<T>(client: T, options: TrackOpenAIOptions = {}): T {
  try {
    if (client === null || typeof client !== 'object' || runtime().config.disabled) return client;
    if ((client as Record<symbol, unknown>)[WRAPPED]) return client;
    const settings = { projectName: options?.projectName, provider: options?.provider ?? 'openai' };
    const chat = (client as Record<string, unknown>).chat;
    const completions = record(chat).completions;
    return overlay(client as object, {
      [WRAPPED]: () => true,
      chat: () =>
        isObject(chat)
          ? overlay(chat, {
              completions: () => (isObject(completions) ? withCreate(completions, chatApi, settings) : completions),
            })
          : chat,
      responses: () => {
        const responses = (client as Record<string, unknown>).responses;
        return isObject(responses) ? withCreate(responses, responsesApi, settings) : responses;
      },
    }) as T;
  } catch (err) {
    runtime().internalError(err);
    return client;
  }
}

/** Braintrust's name for `trackOpenAI`. */
export const wrapOpenAI = trackOpenAI;

function isObject(v: unknown): v is object {
  return v !== null && typeof v === 'object';
}

/** A view of `target` where the keys of `overrides` answer lazily (once each). */
function overlay<T extends object>(target: T, overrides: Record<string | symbol, () => unknown>): T {
  const made = new Map<string | symbol, unknown>();
  const bound = new Map<string | symbol, { fn: Function; bound: Function }>();
  return new Proxy(target, {
    get(t, key) {
      if (Object.hasOwn(overrides, key)) {
        if (!made.has(key)) made.set(key, overrides[key as string]());
        return made.get(key);
      }
      const value = Reflect.get(t, key, t);
      if (typeof value !== 'function') return value;
      const cached = bound.get(key);
      if (cached?.fn === value) return cached.bound;
      const b = value.bind(t);
      bound.set(key, { fn: value, bound: b });
      return b;
    },
  });
}

interface Settings {
  projectName: string | undefined;
  provider: string;
}

function withCreate(resource: object, api: LlmApi, settings: Settings): object {
  const original = (resource as Record<string, unknown>).create;
  if (typeof original !== 'function') return resource;
  const create = function create(this: unknown, ...args: unknown[]): unknown {
    const span = begin(api, settings, args[0], create);
    if (span === undefined) return original.apply(resource, args);
    let pending: unknown;
    try {
      pending = runtime().storage.run(span, () => original.apply(resource, args));
    } catch (error) {
      fail(span, error);
      throw error;
    }
    return observe(pending, span, api, isStreaming(args[0]));
  };
  return overlay(resource, { create: () => create });
}

function isStreaming(body: unknown): boolean {
  return record(body).stream === true;
}

function begin(api: LlmApi, settings: Settings, body: unknown, entry: Function): SpanImpl | undefined {
  try {
    const rt = runtime();
    const span = openSpan(rt.storage.getStore(), api.spanName, 'llm', settings.projectName, nowMs());
    span.location = rt.location(entry);
    const request = record(body);
    const { input, metadata } = api.request(request);
    span.update({
      input,
      metadata,
      provider: settings.provider,
      model: typeof request.model === 'string' ? request.model : undefined,
    });
    rt.sender?.enqueue(span);
    return span;
  } catch (err) {
    runtime().internalError(err);
    return undefined;
  }
}

function observe(pending: unknown, span: SpanImpl, api: LlmApi, streaming: boolean): unknown {
  const onResult = (result: unknown): unknown => {
    try {
      if (!(streaming && instrumentStream(result, span, api.assembler()))) finish(span, api.response(result));
    } catch (err) {
      runtime().internalError(err);
    }
    return result;
  };
  try {
    const p = pending as { _thenUnwrap?: unknown; then?: unknown; parse?: unknown };
    if (p !== null && typeof p === 'object' && typeof p._thenUnwrap === 'function') {
      const next = (p._thenUnwrap as Function).call(p, onResult) as { parse?: unknown };
      observeRejection(next, span);
      return next;
    }
    if (p !== null && typeof p === 'object' && typeof p.then === 'function') {
      return (p.then as Function).call(p, onResult, (error: unknown) => {
        fail(span, error);
        throw error;
      });
    }
  } catch (err) {
    runtime().internalError(err);
    return pending;
  }
  return onResult(pending);
}

/**
 * An APIPromise settles through its `parse()`: chaining the error observer there, on the
 * instance, sees failures without adding a rejection handler of our own that would hide an
 * unhandled rejection from the user.
 */
function observeRejection(next: { parse?: unknown }, span: SpanImpl): void {
  const parse = next.parse;
  if (typeof parse !== 'function') return;
  next.parse = function observedParse(this: unknown) {
    return (parse.call(this) as Promise<unknown>).then(undefined, (error: unknown) => {
      fail(span, error);
      throw error;
    });
  };
}

/** Observes a stream's iteration; false when the value is not a stream. */
function instrumentStream(stream: unknown, span: SpanImpl, assembler: StreamAssembler): boolean {
  if (stream === null || typeof stream !== 'object') return false;
  const sink = new StreamSink(span, assembler);
  const s = stream as { iterator?: unknown };
  // openai's Stream iterates (for await, tee(), toReadableStream()) through `this.iterator()`.
  if (typeof s.iterator === 'function') {
    const original = s.iterator as () => AsyncIterator<unknown>;
    s.iterator = function tracedIterator(this: unknown) {
      return new AsyncTracedIterator(original.call(this), sink);
    };
    return true;
  }
  return coverIteration(stream, sink);
}

class StreamSink implements IterationSink {
  private over = false;

  constructor(
    readonly span: SpanImpl,
    private readonly assembler: StreamAssembler,
  ) {}

  add(value: unknown): void {
    try {
      // The first chunk is the first token's arrival: the time a user waited for text to start.
      if (this.span.ttftMs === undefined) this.span.ttftMs = Math.round((nowMs() - this.span.startMs) * 1000) / 1000;
      this.assembler.add(value);
    } catch (err) {
      runtime().internalError(err);
    }
  }

  finish(thrown?: { error: unknown }): void {
    if (this.over) return;
    this.over = true;
    try {
      const result = this.assembler.result();
      if (thrown) result.error = errorInfoOf(thrown.error);
      finish(this.span, result);
    } catch (err) {
      runtime().internalError(err);
    }
  }
}

function finish(span: SpanImpl, result: LlmResult): void {
  const model = result.model ?? span.model;
  span.update({
    usage: result.usage,
    model,
    metadata: result.metadata,
  });
  span.finishCall(snapshot(result.output), result.error);
}

function fail(span: SpanImpl, error: unknown): void {
  try {
    span.finishCall(undefined, errorInfoOf(error));
  } catch (err) {
    runtime().internalError(err);
  }
}
