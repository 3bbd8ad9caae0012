// One way to clean up. Everything that holds a resource (a listener, a timer, a server) is a
// `DisposableLike` registered with its owner, and disposing the owner disposes them in
// reverse order. Structurally compatible with `vscode.Disposable`, but free of `vscode` so the
// pure modules that use it run in plain Node tests.

export interface DisposableLike {
  dispose(): unknown;
}

export function toDisposable(dispose: () => unknown): DisposableLike {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      dispose();
    },
  };
}

/** Disposes in reverse order; one failing dispose does not stop the others. */
export function disposeAll(items: DisposableLike[]): void {
  const errors: unknown[] = [];
  while (items.length) {
    try {
      items.pop()!.dispose();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'several disposables failed');
}

export abstract class Disposable implements DisposableLike {
  private readonly disposables: DisposableLike[] = [];
  private disposed = false;

  protected get isDisposed(): boolean {
    return this.disposed;
  }

  /** Registers something to dispose with this object; disposed at once if this already is. */
  protected _register<T extends DisposableLike>(value: T): T {
    if (this.disposed) value.dispose();
    else this.disposables.push(value);
    return value;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    disposeAll(this.disposables);
  }
}

/** A tiny typed event, for the pure modules (the vscode-facing ones use `vscode.EventEmitter`). */
export class Emitter<T> implements DisposableLike {
  private readonly listeners = new Set<(value: T) => void>();

  readonly event = (listener: (value: T) => void): DisposableLike => {
    this.listeners.add(listener);
    return toDisposable(() => this.listeners.delete(listener));
  };

  fire(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }

  dispose(): void {
    this.listeners.clear();
  }
}
