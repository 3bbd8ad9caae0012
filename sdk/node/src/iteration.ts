// Generators, async generators and streams: a tracked function that returns one has not
// done its work yet when it returns, so its span stays open while the caller iterates and
// ends when the iteration does (exhausted, broken out of, or thrown). The span's output is
// what was yielded: strings joined into one, anything else as a list.

import type { AsyncLocalStorage } from 'node:async_hooks';
import { errorInfoOf } from './errors.js';
import type { SpanImpl } from './records.js';
import { runtime } from './runtime.js';
import { snapshot } from './snapshot.js';

const MAX_ITEMS = 10_000;

type Method = 'next' | 'return' | 'throw';

/** Where a traced iteration reports what it yields and how it ended. */
export interface IterationSink {
  readonly span: SpanImpl;
  add(value: unknown): void;
  finish(thrown?: { error: unknown }): void;
}

/** Collects what an iteration yields and ends the span when it is over. */
export class YieldLog implements IterationSink {
  private items: unknown[] = [];
  private allStrings = true;
  private skipped = 0;
  private over = false;

  constructor(
    readonly span: SpanImpl,
    private readonly capture: boolean,
  ) {}

  add(value: unknown): void {
    if (!this.capture || this.over) return;
    if (this.items.length >= MAX_ITEMS) {
      this.skipped++;
      return;
    }
    if (typeof value !== 'string') this.allStrings = false;
    this.items.push(snapshot(value));
  }

  finish(thrown?: { error: unknown }): void {
    if (this.over) return;
    this.over = true;
    try {
      if (thrown) {
        this.span.finishCall(undefined, errorInfoOf(thrown.error));
        return;
      }
      let output: unknown;
      if (this.capture) {
        output = this.allStrings && this.items.length > 0 ? this.items.join('') : this.items;
        if (this.skipped > 0 && Array.isArray(output)) output.push(`… ${this.skipped} more items not kept`);
      }
      this.span.finishCall(output, undefined);
    } catch (err) {
      runtime().internalError(err);
    }
  }
}

function call(method: Function, target: object, arg: unknown): unknown {
  return method.call(target, arg);
}

/** Stands in for a generator: forwards next/return/throw, each run inside the span. */
export class TracedIterator implements Iterator<unknown>, Iterable<unknown> {
  private readonly storage: AsyncLocalStorage<SpanImpl>;

  constructor(
    private readonly inner: Iterator<unknown>,
    private readonly log: IterationSink,
  ) {
    this.storage = runtime().storage;
  }

  next(arg?: unknown): IteratorResult<unknown> {
    return this.step('next', arg);
  }

  return(arg?: unknown): IteratorResult<unknown> {
    return this.step('return', arg);
  }

  throw(arg?: unknown): IteratorResult<unknown> {
    return this.step('throw', arg);
  }

  [Symbol.iterator](): this {
    return this;
  }

  get [Symbol.toStringTag](): string {
    return 'Generator';
  }

  private step(method: Method, arg: unknown): IteratorResult<unknown> {
    const fn = this.inner[method];
    if (typeof fn !== 'function') return missing(method, arg, this.log);
    let result: IteratorResult<unknown>;
    try {
      result = this.storage.run(this.log.span, call, fn, this.inner, arg) as IteratorResult<unknown>;
    } catch (error) {
      this.log.finish({ error });
      throw error;
    }
    observe(result, method, this.log);
    return result;
  }
}

/** The async counterpart, for async generators and async iterables. */
export class AsyncTracedIterator implements AsyncIterator<unknown>, AsyncIterable<unknown> {
  private readonly storage: AsyncLocalStorage<SpanImpl>;

  constructor(
    private readonly inner: AsyncIterator<unknown>,
    private readonly log: IterationSink,
  ) {
    this.storage = runtime().storage;
  }

  next(arg?: unknown): Promise<IteratorResult<unknown>> {
    return this.step('next', arg);
  }

  return(arg?: unknown): Promise<IteratorResult<unknown>> {
    return this.step('return', arg);
  }

  throw(arg?: unknown): Promise<IteratorResult<unknown>> {
    return this.step('throw', arg);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  get [Symbol.toStringTag](): string {
    return 'AsyncGenerator';
  }

  private async step(method: Method, arg: unknown): Promise<IteratorResult<unknown>> {
    const fn = this.inner[method];
    if (typeof fn !== 'function') return missing(method, arg, this.log);
    let result: IteratorResult<unknown>;
    try {
      result = await (this.storage.run(this.log.span, call, fn, this.inner, arg) as Promise<IteratorResult<unknown>>);
    } catch (error) {
      this.log.finish({ error });
      throw error;
    }
    observe(result, method, this.log);
    return result;
  }
}

function observe(result: IteratorResult<unknown>, method: Method, log: IterationSink): void {
  try {
    if (result === null || typeof result !== 'object') return;
    if (result.done || method === 'return') log.finish();
    else log.add(result.value);
  } catch (err) {
    runtime().internalError(err);
  }
}

/** An iterator without `return`/`throw`: behave as the language does for generators. */
function missing(method: Method, arg: unknown, log: IterationSink): IteratorResult<unknown> {
  if (method === 'throw') {
    log.finish({ error: arg });
    throw arg;
  }
  log.finish();
  return { value: arg, done: true };
}

/**
 * Makes `for await` over an async iterable object (a stream, a web ReadableStream, an SDK's
 * stream object) run through a traced iterator, without replacing the object: its other
 * methods keep working. A Node stream consumed by `pipe` or events ends the span on 'close'.
 */
export function coverIteration(target: object, log: IterationSink): boolean {
  const original = (target as Record<symbol, unknown>)[Symbol.asyncIterator];
  if (typeof original !== 'function') return false;
  try {
    Object.defineProperty(target, Symbol.asyncIterator, {
      configurable: true,
      writable: true,
      value: function tracedAsyncIterator(this: object) {
        return new AsyncTracedIterator(original.call(this) as AsyncIterator<unknown>, log);
      },
    });
  } catch {
    return false; // frozen: the caller ends the span now instead
  }
  const stream = target as { once?: unknown; pipe?: unknown };
  if (typeof stream.once === 'function' && typeof stream.pipe === 'function') {
    (stream.once as (e: string, f: () => void) => void).call(stream, 'close', () => {
      const errored = (stream as { errored?: unknown }).errored;
      log.finish(errored ? { error: errored } : undefined);
    });
  }
  return true;
}
