// One end of the host↔webview protocol, independent of the transport (postMessage in VS Code,
// a WebSocket or HTTP in the browser). Requests carry an id and time out; replies carry the
// same id and a result or an error message; handler errors travel back as errors rather
// than being swallowed.

import type { NotificationType, ParamsOf, RequestType, ResultOf, WireMessage } from './protocol';

type AnyRequest = RequestType<any, any>;
type AnyNotification = NotificationType<any>;

export class RpcTimeoutError extends Error {}

export class RpcEndpoint {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve(v: unknown): void; reject(e: Error): void; timer: ReturnType<typeof setTimeout> }
  >();
  private readonly requestHandlers = new Map<string, (params: any) => unknown>();
  private readonly notificationHandlers = new Map<string, Set<(params: any) => void>>();
  private disposed = false;

  constructor(
    private readonly post: (message: WireMessage) => void,
    private readonly timeoutMs = 10_000,
  ) {}

  request<T extends AnyRequest>(type: T, params: ParamsOf<T>): Promise<ResultOf<T>> {
    if (this.disposed) return Promise.reject(new Error('connection closed'));
    const id = this.nextId++;
    return new Promise<ResultOf<T>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RpcTimeoutError(`${type.method} timed out after ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.post({ kind: 'request', id, method: type.method, params });
    });
  }

  notify<T extends AnyNotification>(type: T, params: ParamsOf<T>): void {
    if (!this.disposed) this.post({ kind: 'notification', method: type.method, params });
  }

  onRequest<T extends AnyRequest>(
    type: T,
    handler: (params: ParamsOf<T>) => ResultOf<T> | Promise<ResultOf<T>>,
  ): () => void {
    this.requestHandlers.set(type.method, handler);
    return () => this.requestHandlers.delete(type.method);
  }

  onNotification<T extends AnyNotification>(type: T, handler: (params: ParamsOf<T>) => void): () => void {
    let set = this.notificationHandlers.get(type.method);
    if (!set) this.notificationHandlers.set(type.method, (set = new Set()));
    set.add(handler);
    return () => set!.delete(handler);
  }

  /** Feed every message that arrives from the other side in here. */
  async receive(message: unknown): Promise<void> {
    if (!isWireMessage(message) || this.disposed) return;
    if (message.kind === 'response') {
      const p = this.pending.get(message.id);
      if (!p) return;
      this.pending.delete(message.id);
      clearTimeout(p.timer);
      if (message.error !== undefined) p.reject(new Error(message.error));
      else p.resolve(message.result);
    } else if (message.kind === 'notification') {
      for (const h of this.notificationHandlers.get(message.method) ?? []) h(message.params);
    } else {
      const handler = this.requestHandlers.get(message.method);
      if (!handler) {
        this.post({ kind: 'response', id: message.id, error: `no handler for ${message.method}` });
        return;
      }
      try {
        const result = await handler(message.params);
        this.post({ kind: 'response', id: message.id, result: result ?? null });
      } catch (err) {
        this.post({ kind: 'response', id: message.id, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  /** Rejects everything in flight; later calls fail at once. Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error('connection closed'));
    }
    this.pending.clear();
  }
}

function isWireMessage(m: unknown): m is WireMessage {
  if (typeof m !== 'object' || m === null) return false;
  const k = (m as { kind?: unknown }).kind;
  return k === 'request' || k === 'response' || k === 'notification';
}
