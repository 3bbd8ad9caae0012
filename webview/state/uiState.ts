// What the panel remembers across hide/show and window reloads: the open trace, the selected
// row, expanded state per trace (a few recent traces), scroll, layout. VS Code keeps it with
// the webview (getState/setState, restored by the host's serializer); the browser page keeps
// it in sessionStorage, and the open trace and span also in the URL so a reload or a shared
// link opens the same place.

import type { ExpansionState } from '../trace/treeView';
import type { VsCodeApi } from '../transport/vscodeTransport';

export interface UiState {
  traceId?: string;
  /** The selected row's key ('' is the trace itself). */
  selectedKey?: string;
  scrollTop?: number;
  /** Expanded state of recently opened traces, most recent last. */
  expansion?: Array<[traceId: string, state: ExpansionState]>;
  search?: string;
  filter?: boolean;
  traceListHidden?: boolean;
  traceListWidth?: number;
  detailsWidth?: number;
  nameColumnWidth?: number;
  /** Details sections the user collapsed. */
  collapsedSections?: string[];
}

export interface StateStorage {
  load(): UiState;
  save(state: UiState): void;
}

const MAX_REMEMBERED_TRACES = 20;

export function rememberExpansion(state: UiState, traceId: string, expansion: ExpansionState): void {
  const list = (state.expansion ?? []).filter(([id]) => id !== traceId);
  list.push([traceId, expansion]);
  state.expansion = list.slice(-MAX_REMEMBERED_TRACES);
}

export function recallExpansion(state: UiState, traceId: string): ExpansionState | undefined {
  return state.expansion?.find(([id]) => id === traceId)?.[1];
}

export function vscodeStorage(api: VsCodeApi): StateStorage {
  return {
    load: () => sanitize(api.getState()),
    save: (state) => api.setState(state),
  };
}

const SESSION_KEY = 'spanscope.ui';

/** Browsers throttle history.replaceState (Chromium warns past ~100 calls in 10 s): key repeat must not hit that. */
const ADDRESS_REWRITE_MS = 200;

export function browserStorage(win: Window = window): StateStorage {
  let lastRewrite = -Infinity;
  let pending: ReturnType<typeof setTimeout> | undefined;
  let latest: UiState = {};
  const rewriteAddress = (): void => {
    pending = undefined;
    lastRewrite = win.performance.now();
    const url = new URL(win.location.href);
    setParam(url, 'trace', latest.traceId);
    setParam(url, 'span', latest.selectedKey || undefined);
    url.searchParams.delete('token');
    if (url.href !== win.location.href) win.history.replaceState(null, '', url.href);
  };
  return {
    load() {
      let state: UiState = {};
      try {
        state = sanitize(JSON.parse(win.sessionStorage.getItem(SESSION_KEY) ?? '{}'));
      } catch {
        state = {};
      }
      const url = new URL(win.location.href);
      const trace = url.searchParams.get('trace');
      if (trace && trace !== state.traceId) {
        // A link to another trace: its selection and scroll are not ours.
        state = { ...state, traceId: trace, selectedKey: url.searchParams.get('span') ?? undefined, scrollTop: 0 };
      }
      return state;
    },
    save(state) {
      try {
        win.sessionStorage.setItem(SESSION_KEY, JSON.stringify(state));
      } catch {
        // Storage full or disabled: the address below still keeps the essentials.
      }
      latest = { traceId: state.traceId, selectedKey: state.selectedKey };
      if (pending !== undefined) return;
      const wait = lastRewrite + ADDRESS_REWRITE_MS - win.performance.now();
      if (wait <= 0) rewriteAddress();
      else pending = setTimeout(rewriteAddress, wait);
    },
  };
}

function setParam(url: URL, name: string, value: string | undefined): void {
  if (value) url.searchParams.set(name, value);
  else url.searchParams.delete(name);
}

function sanitize(raw: unknown): UiState {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as UiState) : {};
}
