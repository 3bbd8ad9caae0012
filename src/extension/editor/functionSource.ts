// The function index (core/functions/functionIndex.ts) as the editor features see it: there
// once the store is open (the same index the collector's `GET /api/functions` reads, taken
// from the backend bundle), empty before, and one event when its functions change. Free of
// `vscode`, so the lens timing can be measured in plain Node (bench/lenses.ts).

import type { StatsWindow } from '../../core/functions/callStats';
import type { FunctionKey } from '../../core/functions/functionCall';
import type { FunctionChange, FunctionIndex, FunctionQuery, FunctionSummary } from '../../core/functions/functionIndex';
import type { TraceStoreApi } from '../../store/types';
import { Disposable, Emitter, toDisposable, type DisposableLike } from '../lifecycle';

/** What the editor shows of a function changes at most this often (twice a second). */
export const LENS_INTERVAL_MS = 500;

export interface StoreSource {
  whenStoreOpen(listener: (store: TraceStoreApi) => void): DisposableLike;
}

export class FunctionSource extends Disposable {
  private index?: FunctionIndex;
  private readonly emitter = this._register(new Emitter<FunctionChange[] | 'all'>());
  /** Changed functions, or `all` when the index (re)appears. */
  readonly onDidChange = this.emitter.event;

  constructor(stores: StoreSource, indexOf: (store: TraceStoreApi) => FunctionIndex) {
    super();
    this._register(
      stores.whenStoreOpen((store) => {
        const index = indexOf(store);
        this.index = index;
        this._register(toDisposable(index.onChange((keys) => this.emitter.fire(keys))));
        this.emitter.fire('all');
      }),
    );
  }

  get ready(): boolean {
    return this.index !== undefined;
  }

  query(q: FunctionQuery): FunctionSummary[] {
    return this.index?.query(q) ?? [];
  }

  list(window: StatsWindow, recent?: number): FunctionSummary[] {
    return this.index?.list(window, Date.now(), recent) ?? [];
  }

  get(key: FunctionKey, window: StatsWindow = 'all', recent?: number): FunctionSummary | undefined {
    return this.index?.get(key, window, Date.now(), recent);
  }
}
