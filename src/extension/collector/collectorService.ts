// The collector and its store, as one service with a visible state. It lives in the extension
// host process: the store opens once per window, the collector may stop and start again (a
// port change, "Restart Collector") while the store and everything watching it stay. Free of
// `vscode`: the backend (openStore/startCollector) is passed in, so this runs in Node tests.

import * as path from 'node:path';
import type { ProxyOptions } from '../../collector/proxy/proxyRoutes';
import type { TraceStoreApi, StoreOptions } from '../../store/types';
import { Disposable, Emitter, toDisposable, type DisposableLike } from '../lifecycle';
import { errorMessage, type Logger } from '../log';
import { PORT_ATTEMPTS } from '../constants';
import { listenWithFallback, PortsBusyError } from './portFallback';
import { openWithFallback, removeStaleWindowFolders, storeDirs } from './storeLocation';

export interface CollectorHandle {
  readonly port: number;
  /** OTLP/gRPC's port; undefined when off or it could not bind. */
  readonly grpcPort?: number;
  readonly url: string;
  readonly token: string;
  close(): Promise<void>;
}

export interface CollectorBackend {
  openStore(options: StoreOptions): Promise<TraceStoreApi & { close(): Promise<void> }>;
  startCollector(options: {
    store: TraceStoreApi;
    port: number;
    host?: string;
    token: string;
    version: string;
    log(m: string): void;
    grpc?: { port: number; fallback?: boolean };
    proxy?: ProxyOptions;
  }): Promise<CollectorHandle>;
}

export interface CollectorSettings {
  port: number;
  /** 0: no OTLP/gRPC. */
  otlpGrpcPort?: number;
  maxTraces?: number;
  maxBytes?: number;
  /** The AI proxy's upstream and cache size (its cache lives in the store's folder). */
  proxy?: { upstream: string; cacheMaxBytes: number };
}

export type CollectorState =
  | { phase: 'stopped' }
  | { phase: 'starting' }
  | { phase: 'listening'; port: number; url: string; requestedPort: number; busyPorts: number[]; grpcPort?: number }
  | { phase: 'error'; reason: 'ports-busy' | 'failed'; message: string; ports?: number[] };

export interface CollectorServiceOptions {
  backend: CollectorBackend;
  /** The workspace's (or, for an empty window, the global) storage folder. */
  storageDir: string;
  /** Distinguishes this window's fallback store folder from another window's. */
  windowKey: string | number;
  token: string;
  version: string;
  log: Logger;
  settings(): CollectorSettings;
  /** Ports tried from the configured one up; PORT_ATTEMPTS unless a test says otherwise. */
  portAttempts?: number;
}

export class CollectorService extends Disposable {
  private readonly stateEmitter = this._register(new Emitter<CollectorState>());
  readonly onDidChangeState = this.stateEmitter.event;
  private readonly storeEmitter = this._register(new Emitter<TraceStoreApi>());
  private current: CollectorState = { phase: 'stopped' };
  private openedStore?: TraceStoreApi;
  private storePromise?: Promise<TraceStoreApi & { close(): Promise<void> }>;
  private collector?: CollectorHandle;
  /** Start, stop and shutdown run one after another, never interleaved. */
  private queue: Promise<unknown> = Promise.resolve();
  private shutDown = false;
  storeDir?: string;

  constructor(private readonly options: CollectorServiceOptions) {
    super();
  }

  get state(): CollectorState {
    return this.current;
  }

  get token(): string {
    return this.options.token;
  }

  /**
   * Calls `listener` with the store once it is open (at once if it is). Views subscribe with
   * this rather than opening the store themselves, so activation never waits on the disk.
   */
  whenStoreOpen(listener: (store: TraceStoreApi) => void): DisposableLike {
    if (this.openedStore) {
      listener(this.openedStore);
      return toDisposable(() => undefined);
    }
    return this.storeEmitter.event(listener);
  }

  /** The store, opened on first use (a view may need it before the collector is asked to start). */
  getStore(): Promise<TraceStoreApi> {
    if (this.shutDown) return Promise.reject(new Error('Spanscope is shutting down'));
    // A failed open is not cached: "Restart Collector" or the next view tries again.
    this.storePromise ??= this.openStore().catch((err) => {
      this.storePromise = undefined;
      throw err;
    });
    return this.storePromise;
  }

  /**
   * Gives the open store the retention settings as they are now (a store that can not change
   * them keeps the ones it opened with until the next start). Returns whether it took them.
   */
  applyRetention(): boolean {
    const store = this.openedStore;
    if (!store?.setRetention) return false;
    const { maxTraces, maxBytes } = this.options.settings();
    store.setRetention({ maxTraces, maxBytes });
    this.options.log.info(
      `retention now ${maxTraces ?? 'the default number of'} traces, ${maxBytes === undefined ? 'the default size' : `${Math.round(maxBytes / 1024 / 1024)} MB`}`,
    );
    return true;
  }

  /** Starts the collector unless it is listening (or starting) already. */
  start(): Promise<void> {
    return this.enqueue(async () => {
      if (this.collector || this.shutDown) return;
      await this.listen();
    });
  }

  restart(): Promise<void> {
    return this.enqueue(async () => {
      if (this.shutDown) return;
      await this.closeCollector();
      await this.listen();
    });
  }

  stop(): Promise<void> {
    return this.enqueue(async () => {
      await this.closeCollector();
      this.setState({ phase: 'stopped' });
    });
  }

  /** Closes the collector, then flushes and closes the store. Safe to call twice. */
  shutdown(): Promise<void> {
    this.shutDown = true;
    return this.enqueue(async () => {
      await this.closeCollector();
      const store = await this.storePromise?.catch(() => undefined);
      this.storePromise = undefined;
      this.openedStore = undefined;
      if (store) {
        try {
          await store.close();
        } catch (err) {
          // Records acknowledged and not written (a full disk): said, never passed over.
          this.options.log.error(`closing the store: ${errorMessage(err)}`);
          throw err;
        }
        this.options.log.info('store flushed and closed');
      }
    });
  }

  override dispose(): void {
    void this.shutdown();
    super.dispose();
  }

  private async openStore() {
    const { backend, storageDir, windowKey, log } = this.options;
    const s = this.options.settings();
    const located = await openWithFallback(storeDirs(storageDir, windowKey), (dir) =>
      backend.openStore({ dir, maxTraces: s.maxTraces, maxBytes: s.maxBytes, warn: (m) => log.warn(`store: ${m}`) }),
    );
    this.storeDir = located.dir;
    if (located.fallback)
      log.warn(`the store folder is in use by another VS Code window; this window keeps its traces in ${located.dir}`);
    else log.info(`store opened at ${located.dir}`);
    // After the open, off its path: folders of windows closed long ago.
    void removeStaleWindowFolders(storageDir).then(
      (removed) => {
        for (const folder of removed) log.info(`removed ${folder}: its window closed more than a day ago`);
      },
      (err) => log.warn(`could not clean up old per-window store folders: ${errorMessage(err)}`),
    );
    this.openedStore = located.store;
    this.storeEmitter.fire(located.store);
    return located.store;
  }

  private async listen(): Promise<void> {
    this.setState({ phase: 'starting' });
    const { backend, token, version, log } = this.options;
    const { port: requestedPort, otlpGrpcPort, proxy: proxySettings } = this.options.settings();
    // Every window runs a collector: a second window's gRPC takes the next free port, like its HTTP one.
    const grpc = otlpGrpcPort ? { port: otlpGrpcPort, fallback: true } : undefined;
    try {
      const store = await this.getStore();
      const proxy: ProxyOptions | undefined = proxySettings && {
        upstream: proxySettings.upstream,
        cacheDir:
          proxySettings.cacheMaxBytes > 0 && this.storeDir ? path.join(this.storeDir, 'proxy-cache') : undefined,
        cacheMaxBytes: proxySettings.cacheMaxBytes,
      };
      const result = await listenWithFallback(requestedPort, this.options.portAttempts ?? PORT_ATTEMPTS, (port) =>
        backend.startCollector({ store, port, token, version, log: (m) => log.info(`collector: ${m}`), grpc, proxy }),
      );
      if (this.shutDown) {
        await result.value.close();
        return;
      }
      this.collector = result.value;
      if (result.busy.length)
        log.warn(
          `port ${result.busy.join(', ')} in use (another VS Code window or program); listening on ${result.port} instead`,
        );
      log.info(`collector listening on ${result.value.url}`);
      if (result.value.grpcPort) log.info(`OTLP/gRPC listening on 127.0.0.1:${result.value.grpcPort}`);
      this.setState({
        phase: 'listening',
        port: result.value.port,
        url: result.value.url,
        requestedPort,
        busyPorts: result.busy,
        grpcPort: result.value.grpcPort,
      });
    } catch (err) {
      const ports = err instanceof PortsBusyError ? err.ports : undefined;
      const message = ports
        ? `Spanscope could not start its collector: ${err instanceof Error ? err.message : ''}.`
        : `Spanscope could not start its collector: ${errorMessage(err)}`;
      log.error(message);
      this.setState({ phase: 'error', reason: ports ? 'ports-busy' : 'failed', message, ports });
    }
  }

  private async closeCollector(): Promise<void> {
    const c = this.collector;
    this.collector = undefined;
    if (!c) return;
    try {
      await c.close();
      this.options.log.info(`collector on port ${c.port} closed`);
    } catch (err) {
      this.options.log.error(`closing the collector failed: ${errorMessage(err)}`);
    }
  }

  private setState(state: CollectorState): void {
    this.current = state;
    this.stateEmitter.fire(state);
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    const next = this.queue.then(op, op);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
