// The panel as a web page served by the collector: the protocol's requests become calls to the
// read API (the token travels in the HttpOnly cookie that `/?token=` set, so the page's script
// never holds it), and changes arrive over the `/api/live` WebSocket, which reconnects after
// the collector restarts and then catches up on what it missed.

import type {
  Changes,
  NotificationType,
  ParamsOf,
  ReadyResult,
  RequestType,
  ResultOf,
  SourceLocation,
} from '../../src/shared/protocol';
import {
  ChangesNotification,
  CopyText,
  DeleteTraces,
  FindSymbol,
  GetTrace,
  ListTraces,
  OpenSource,
  Ready,
  SetScore,
  WatchTraces,
} from '../../src/shared/protocol';
import type { TraceDetail, TraceSummary } from '../../src/core/model/model';
import { editorFileLink } from './stackFrames';
import type { ConnectionStatus, HostConnection } from './connection';
import { logsBrowserHandlers } from './logsHttp';

export interface BrowserOptions {
  /** Which editor `vscode://` links open. */
  editorScheme?: 'vscode' | 'vscode-insiders';
  win?: Window;
}

const RETRY_MS = [250, 500, 1000, 2000, 5000];
const WATCH_WAIT_MS = 2000;
const INITIAL_TRACES = 200;

export function connectBrowser(options: BrowserOptions = {}): HostConnection {
  return new BrowserConnection(options.win ?? window, options.editorScheme ?? 'vscode');
}

class BrowserConnection implements HostConnection {
  private readonly listeners = new Map<string, Set<(params: any) => void>>();
  private readonly statusListeners = new Set<(status: ConnectionStatus) => void>();
  private readonly handlers: Record<string, (params: any) => Promise<unknown>>;
  private socket: WebSocket | undefined;
  private openWaiters: Array<() => void> = [];
  private watched: string[] = [];
  private attempts = 0;
  private connectedOnce = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(
    private readonly win: Window,
    private readonly scheme: 'vscode' | 'vscode-insiders',
  ) {
    this.handlers = {
      [Ready.method]: (p: ParamsOf<typeof Ready>) => this.ready(p),
      [ListTraces.method]: (p: ParamsOf<typeof ListTraces>) => this.listTraces(p),
      [GetTrace.method]: (p: ParamsOf<typeof GetTrace>) => this.getTrace(p.traceId),
      [WatchTraces.method]: async (p: ParamsOf<typeof WatchTraces>) => {
        this.watched = [...p.traceIds];
        // Resolves once the collector has the watch (or the socket is down and will send it
        // on reconnect), so a fetch made after it misses no change.
        await this.whenOpen(WATCH_WAIT_MS);
        this.sendWatch();
      },
      [SetScore.method]: async (p: ParamsOf<typeof SetScore>) => {
        await this.call('POST', '/api/scores', { ...p, source: p.source ?? 'ui' });
      },
      [DeleteTraces.method]: async (p: ParamsOf<typeof DeleteTraces>) => {
        await this.call('POST', '/api/traces/delete', { trace_ids: p.traceIds });
      },
      [OpenSource.method]: async (p: ParamsOf<typeof OpenSource>) => this.openSource(p),
      // A browser has no workspace symbols to search.
      [FindSymbol.method]: async () => ({ found: false }),
      [CopyText.method]: (p: ParamsOf<typeof CopyText>) => this.copy(p.text),
      ...logsBrowserHandlers((method, path, body) => this.call(method, path, body), win),
    };
  }

  request<T extends RequestType<any, any>>(type: T, params: ParamsOf<T>): Promise<ResultOf<T>> {
    const handler = this.handlers[type.method];
    if (!handler) return Promise.reject(new Error(`${type.method} is not available in the browser`));
    return handler(params) as Promise<ResultOf<T>>;
  }

  onNotification<T extends NotificationType<any>>(type: T, handler: (params: ParamsOf<T>) => void): () => void {
    let set = this.listeners.get(type.method);
    if (!set) this.listeners.set(type.method, (set = new Set()));
    set.add(handler);
    return () => set!.delete(handler);
  }

  sourceHref(location: SourceLocation): string | undefined {
    return editorFileLink(location, this.scheme);
  }

  onStatus(handler: (status: ConnectionStatus) => void): void {
    this.statusListeners.add(handler);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    this.socket?.close();
  }

  private emit<T extends NotificationType<any>>(type: T, params: ParamsOf<T>): void {
    for (const h of this.listeners.get(type.method) ?? []) h(params);
  }

  private async ready(params: ParamsOf<typeof Ready>): Promise<ReadyResult> {
    const url = new URL(this.win.location.href);
    this.ensureSocket();
    const [health, list] = await Promise.all([
      this.call<{ version: string }>('GET', '/api/health'),
      this.listTraces({ limit: INITIAL_TRACES }),
    ]);
    return {
      info: { host: 'browser', version: health.version, scoreDefinitions: [] },
      traces: list.traces,
      showTraceId: url.searchParams.get('trace') ?? params.restoredTraceId,
      showSpanId: url.searchParams.get('span') ?? undefined,
    };
  }

  private listTraces(p: ParamsOf<typeof ListTraces>): Promise<{ traces: TraceSummary[] }> {
    const q = new URLSearchParams();
    if (p.project) q.set('project', p.project);
    if (p.limit) q.set('limit', String(p.limit));
    if (p.before) q.set('before', p.before);
    return this.call('GET', `/api/traces?${q}`);
  }

  private async getTrace(traceId: string): Promise<TraceDetail | null> {
    try {
      return await this.call<TraceDetail>('GET', `/api/traces/${encodeURIComponent(traceId)}`);
    } catch (err) {
      if (err instanceof HttpStatusError && err.status === 404) return null;
      throw err;
    }
  }

  private async call<R>(method: string, path: string, body?: unknown): Promise<R> {
    const res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 401)
      throw new HttpStatusError(
        401,
        'Not signed in to the collector: open the address that `spanscope serve` printed (it carries ?token=).',
      );
    const text = await res.text();
    let data: any;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    if (!res.ok) throw new HttpStatusError(res.status, data?.error ?? `${method} ${path} failed: HTTP ${res.status}`);
    return data as R;
  }

  private openSource(location: SourceLocation): void {
    const href = this.sourceHref(location);
    if (!href) throw new Error(`not a file this page can open: ${location.file}`);
    const a = this.win.document.createElement('a');
    a.href = href;
    a.click();
  }

  private async copy(text: string): Promise<void> {
    if (this.win.navigator.clipboard?.writeText) {
      await this.win.navigator.clipboard.writeText(text);
      return;
    }
    // Pages on plain http outside localhost have no clipboard API.
    const doc = this.win.document;
    const area = doc.createElement('textarea');
    area.value = text;
    doc.body.append(area);
    area.select();
    const ok = doc.execCommand('copy');
    area.remove();
    if (!ok) throw new Error('the browser refused to copy');
  }

  // ---- live updates --------------------------------------------------------------------

  private ensureSocket(): void {
    if (!this.socket && !this.retryTimer && !this.disposed) this.openSocket();
  }

  /** Resolves when the live socket is open, or after `maxMs` (a down collector must not block). */
  private whenOpen(maxMs: number): Promise<void> {
    this.ensureSocket();
    if (this.socket?.readyState === WebSocket.OPEN) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, maxMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.openWaiters.push(done);
    });
  }

  private openSocket(): void {
    this.retryTimer = undefined;
    if (this.disposed) return;
    const loc = this.win.location;
    const socket = new WebSocket(`${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/api/live`);
    this.socket = socket;
    socket.onopen = () => {
      this.attempts = 0;
      this.sendWatch();
      for (const done of this.openWaiters.splice(0)) done();
      this.setStatus('connected');
      if (this.connectedOnce) void this.catchUp();
      this.connectedOnce = true;
    };
    socket.onmessage = (event) => {
      let msg: any;
      try {
        msg = JSON.parse(String(event.data));
      } catch {
        return;
      }
      if (msg?.type === 'changes') {
        this.emit(ChangesNotification, {
          traces: msg.traces ?? [],
          removed: msg.removed ?? [],
          spans: msg.spans ?? [],
        });
      }
    };
    socket.onclose = () => {
      if (this.socket !== socket || this.disposed) return;
      this.socket = undefined;
      this.setStatus('reconnecting');
      const delay = RETRY_MS[Math.min(this.attempts++, RETRY_MS.length - 1)];
      this.retryTimer = setTimeout(() => this.openSocket(), delay);
    };
  }

  private sendWatch(): void {
    if (this.socket?.readyState === WebSocket.OPEN)
      this.socket.send(JSON.stringify({ type: 'watch', trace_ids: this.watched }));
  }

  /** After a reconnect: what changed while the socket was down, as one batch of changes. */
  private async catchUp(): Promise<void> {
    try {
      const { traces } = await this.listTraces({ limit: INITIAL_TRACES });
      const changes: Changes = { traces, removed: [], spans: [] };
      for (const id of this.watched) {
        const detail = await this.getTrace(id);
        if (detail) changes.spans.push({ trace_id: id, spans: detail.spans });
        else changes.removed.push(id);
      }
      this.emit(ChangesNotification, changes);
    } catch {
      // The next reconnect tries again.
    }
  }

  private setStatus(status: ConnectionStatus): void {
    for (const h of this.statusListeners) h(status);
  }
}

class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
