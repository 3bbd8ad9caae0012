// `track(fn)` (Opik's name) and `traced` (Braintrust's): wrap a function so every call is a
// span, nested under the span it was called from, the outermost call making the trace.
//
// The hot path is a tracked call, so everything that can be done once is done when the
// function is wrapped: its name, its parameter names, its code location (as JSON text) and
// its options. A call then costs two timestamps, an id, one span object (and a trace object
// for an outermost call), an AsyncLocalStorage frame and a push onto the send queue. No
// stack is captured and nothing is serialised unless an argument or the result is an
// object, which must be snapshotted before the caller can change it.

import type { AsyncLocalStorage } from 'node:async_hooks';
import { nowMs } from './clock.js';
import type { CodeLocation } from './codeLocation.js';
import { AsyncTracedIterator, coverIteration, TracedIterator, YieldLog } from './iteration.js';
import { parameterNames, type Parameters } from './params.js';
import { errorInfoOf } from './errors.js';
import { openSpan, type SpanImpl } from './records.js';
import { SPAN_TYPES, type SpanType } from './recordTypes.js';
import { runtime, type Runtime } from './runtime.js';
import { snapshot, snapshotArgs, type Sealed } from './snapshot.js';

export interface TrackOptions {
  /** Span name; defaults to the function's name. */
  name?: string;
  type?: SpanType;
  /** Project of the trace an outermost call makes; defaults to SPANSCOPE_PROJECT. */
  projectName?: string;
  tags?: string[];
  metadata?: Record<string, unknown>;
  /** Record the arguments (default true). */
  captureInput?: boolean;
  /** Record the return value (default true). */
  captureOutput?: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: the constraint every function meets; unknown[] parameters would refuse typed ones
type AnyFunction = (...args: any[]) => any;

/** What a wrapped function knows about itself, computed once. */
interface Site {
  name: string;
  type: SpanType;
  projectName: string | undefined;
  tags: string[] | undefined;
  metadata: Record<string, Sealed> | undefined;
  captureInput: boolean;
  captureOutput: boolean;
  params: Parameters;
  location: CodeLocation | undefined;
}

export function track<F extends AnyFunction>(fn: F): F;
export function track<F extends AnyFunction>(options: TrackOptions, fn: F): F;
export function track(options: TrackOptions): <F extends AnyFunction>(fn: F, context?: unknown) => F;
export function track(a: unknown, b?: unknown, c?: unknown): unknown {
  if (typeof a === 'function') return wrapAt(a as AnyFunction, {}, track, decoratedName(b));
  if (typeof b === 'function') return wrapAt(b as AnyFunction, (a ?? {}) as TrackOptions, track);
  if (isLegacyDecorator(b, c)) return decorateDescriptor(c as PropertyDescriptor, {}, track, String(b));
  const options = (a ?? {}) as TrackOptions;
  return function decorate(fn: unknown, context?: unknown, descriptor?: unknown): unknown {
    if (typeof fn === 'function') return wrapAt(fn as AnyFunction, options, decorate, decoratedName(context));
    if (isLegacyDecorator(context, descriptor))
      return decorateDescriptor(descriptor as PropertyDescriptor, options, decorate, String(context));
    return fn;
  };
}

/** The method name when `track` is applied as a standard (TC39) decorator. */
function decoratedName(context: unknown): string | undefined {
  const name = (context as { kind?: unknown; name?: unknown } | undefined)?.name;
  return typeof name === 'string' && typeof (context as { kind?: unknown }).kind === 'string' ? name : undefined;
}

/** Braintrust's name for `track`. */
export const traced = track;

/** Braintrust's `wrapTraced(fn, args)`: `track` with the function first. */
export function wrapTraced<F extends AnyFunction>(fn: F, options: TrackOptions = {}): F {
  return wrapAt(fn, options, wrapTraced);
}

function isLegacyDecorator(key: unknown, descriptor: unknown): boolean {
  return (
    (typeof key === 'string' || typeof key === 'symbol') &&
    typeof (descriptor as PropertyDescriptor | undefined)?.value === 'function'
  );
}

function decorateDescriptor(
  descriptor: PropertyDescriptor,
  options: TrackOptions,
  entry: Function,
  name: string,
): PropertyDescriptor {
  descriptor.value = wrapAt(descriptor.value as AnyFunction, options, entry, name);
  return descriptor;
}

function wrapAt<F extends AnyFunction>(fn: F, options: TrackOptions, entry: Function, methodName?: string): F {
  try {
    const rt = runtime();
    if (rt.config.disabled) return fn;
    const name = typeof options.name === 'string' ? options.name : fn.name || methodName || 'anonymous';
    const site: Site = {
      name,
      type: SPAN_TYPES.has(options.type as string) ? (options.type as SpanType) : 'general',
      projectName: typeof options.projectName === 'string' ? options.projectName : undefined,
      tags: Array.isArray(options.tags) ? options.tags.map(String) : undefined,
      metadata: sealMetadata(options.metadata),
      captureInput: options.captureInput !== false,
      captureOutput: options.captureOutput !== false,
      params: methodName !== undefined ? { ...parameterNames(fn), method: true } : parameterNames(fn),
      location: rt.location(entry, fn.name || methodName || name, methodName !== undefined),
    };
    return makeTracked(fn, site, rt);
  } catch (err) {
    runtime().internalError(err);
    return fn;
  }
}

function sealMetadata(metadata: Record<string, unknown> | undefined): Record<string, Sealed> | undefined {
  if (metadata === null || typeof metadata !== 'object') return undefined;
  const out: Record<string, Sealed> = {};
  for (const key of Object.keys(metadata)) out[key] = snapshot(metadata[key]);
  return out;
}

function makeTracked<F extends AnyFunction>(fn: F, site: Site, rt: Runtime): F {
  const storage = rt.storage;
  const tracked = function (this: unknown, ...args: unknown[]): unknown {
    const span = begin(rt, storage, site, args);
    if (span === undefined) return fn.apply(this, args);
    let result: unknown;
    try {
      result = storage.run(span, invoke, fn, this, args);
    } catch (error) {
      finishError(span, error);
      throw error;
    }
    return settle(span, site, result);
  };
  try {
    Object.defineProperty(tracked, 'name', { value: fn.name, configurable: true });
    Object.defineProperty(tracked, 'length', { value: fn.length, configurable: true });
  } catch {
    // Cosmetic only.
  }
  return tracked as unknown as F;
}

function invoke(fn: AnyFunction, self: unknown, args: unknown[]): unknown {
  return fn.apply(self, args);
}

function begin(rt: Runtime, storage: AsyncLocalStorage<SpanImpl>, site: Site, args: unknown[]): SpanImpl | undefined {
  try {
    const span = openSpan(storage.getStore(), site.name, site.type, site.projectName, nowMs());
    span.location = site.location;
    if (site.captureInput) {
      span.input = snapshotArgs(args);
      span.argNames = site.params;
    }
    if (site.metadata !== undefined) {
      span.metadata = site.metadata;
      span.metadataShared = true;
    }
    span.tags = site.tags;
    const trace = span.trace;
    if (span.mirror && trace !== undefined) {
      trace.input = span.input;
      trace.argNames = span.argNames;
      trace.metadata = span.metadata;
      trace.metadataShared = true;
      trace.tags = span.tags;
      if (site.metadata !== undefined || site.tags !== undefined) trace.makeExplicit();
    }
    rt.sender?.enqueue(span);
    return span;
  } catch (err) {
    rt.internalError(err);
    return undefined;
  }
}

/** What the call returned decides when the span ends. */
function settle(span: SpanImpl, site: Site, result: unknown): unknown {
  if ((typeof result === 'object' && result !== null) || typeof result === 'function') {
    try {
      const then = (result as { then?: unknown }).then;
      if (typeof then === 'function') {
        return (then as Function).call(
          result,
          (value: unknown) => settleResolved(span, site, value),
          (error: unknown) => {
            finishError(span, error);
            throw error;
          },
        );
      }
      const iterated = coverIfIterable(span, site, result);
      if (iterated !== undefined) return iterated;
    } catch (err) {
      runtime().internalError(err);
    }
  }
  finishOk(span, site, result);
  return result;
}

function settleResolved(span: SpanImpl, site: Site, value: unknown): unknown {
  if (typeof value === 'object' && value !== null) {
    try {
      const iterated = coverIfIterable(span, site, value);
      if (iterated !== undefined) return iterated;
    } catch (err) {
      runtime().internalError(err);
    }
  }
  finishOk(span, site, value);
  return value;
}

/** A generator, async generator or async iterable: the span covers its iteration. */
function coverIfIterable(span: SpanImpl, site: Site, value: object): unknown {
  const tag = (value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag];
  if (tag === 'Generator')
    return new TracedIterator(value as Iterator<unknown>, new YieldLog(span, site.captureOutput));
  if (tag === 'AsyncGenerator')
    return new AsyncTracedIterator(value as AsyncIterator<unknown>, new YieldLog(span, site.captureOutput));
  if (!Array.isArray(value) && typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function') {
    if (coverIteration(value, new YieldLog(span, site.captureOutput))) return value;
  }
  return undefined;
}

function finishOk(span: SpanImpl, site: Site, value: unknown): void {
  try {
    span.finishCall(site.captureOutput ? snapshot(value) : undefined, undefined);
  } catch (err) {
    runtime().internalError(err);
  }
}

function finishError(span: SpanImpl, error: unknown): void {
  try {
    span.finishCall(undefined, errorInfoOf(error));
  } catch (err) {
    runtime().internalError(err);
  }
}
