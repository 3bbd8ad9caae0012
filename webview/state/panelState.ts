// The trace view and the logs/monitor tabs share one saved state (VS Code keeps one object
// per webview). The trace view saves its whole object whenever it likes, so the tabs' part
// lives under its own key and is carried over on every save, whoever saves.

import type { SortKey, SortOrder } from '../../src/core/queries/traceSort';
import type { StateStorage, UiState } from './uiState';

export type TabId = 'traces' | 'logs' | 'monitor' | 'compare';

export interface TabsState {
  tab?: TabId;
  logsFilter?: string;
  logsSort?: SortKey;
  logsOrder?: SortOrder;
  monitorRange?: string;
  monitorProject?: string;
  /** The dataset file (URI) the Logs tab shows instead of the traces. */
  logsDataset?: string;
}

export interface TabsStorage {
  load(): TabsState;
  save(state: TabsState): void;
}

type Saved = UiState & { tabs?: TabsState };

export function splitStorage(base: StateStorage): { app: StateStorage; tabs: TabsStorage } {
  let last: Saved = base.load();
  return {
    app: {
      load: () => last,
      save: (state) => {
        last = { ...state, tabs: last.tabs };
        base.save(last);
      },
    },
    tabs: {
      load: () => ({ ...(typeof last.tabs === 'object' && last.tabs ? last.tabs : {}) }),
      save: (tabs) => {
        last = { ...last, tabs };
        base.save(last);
      },
    },
  };
}
