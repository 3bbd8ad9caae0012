// The host's end of one trace webview: answers every request with the store, and pushes
// store changes. Nothing is posted before the page says Ready (a message sent earlier would
// be lost), and Ready is answered with the first snapshot. When the page goes away (hidden
// without retained context, or reloaded), the next Ready starts over. Free of `vscode`: the
// editor actions (open a file, find a symbol, copy) come in as `HostActions`, so the whole
// exchange is tested in Node over a real RpcEndpoint pair.

import type { ScorePatch } from '../../core/model/model';
import { parseDataset } from '../../core/replay/datasetFile';
import type { TraceStoreApi } from '../../store/types';
import {
  AddTracesToDataset,
  ChangesNotification,
  ReadDataset,
  ShowDataset,
  CompareWith,
  CopyText,
  DeleteTraces,
  FindSymbol,
  GetTrace,
  ListTraces,
  OpenSource,
  OpenSpanDiff,
  Ready,
  RunSpanCommand,
  SPAN_COMMANDS,
  SetScore,
  ShowCompare,
  ShowTrace,
  WatchTraces,
  type HostInfo,
  type ParamsOf,
  type ReadyResult,
  type WireMessage,
} from '../../shared/protocol';
import { RpcEndpoint } from '../../shared/rpc';
import { registerLogsHandlers, type LogsHostActions } from '../logsHandlers';
import { Disposable, toDisposable } from '../lifecycle';
import { Throttle, type Clock, systemClock } from '../throttle';
import { PendingChanges } from './pendingChanges';

export interface HostActions extends LogsHostActions {
  openSource(location: ParamsOf<typeof OpenSource>): Promise<void>;
  /** True when a match was found (and opened or offered). */
  findSymbol(name: string): Promise<boolean>;
  copyText(text: string): Promise<void>;
  /** The diff editor on two spans or traces (the Compare tab's pairs); absent where there is none. */
  openDiff?(p: ParamsOf<typeof OpenSpanDiff>): Promise<void>;
  /** Debug This Call, Save as Test, … on a span; absent where there is no editor. */
  runSpanCommand?(p: ParamsOf<typeof RunSpanCommand>): Promise<void>;
  /** Compare With… on a trace or span of the page (the host asks for the other side). */
  compareWith?(p: ParamsOf<typeof CompareWith>): Promise<void>;
  /** Add to Dataset… on traces (asks which dataset, reports the outcome itself); absent where there is no workspace. */
  addTracesToDataset?(traceIds: string[]): Promise<void>;
  /** A dataset file's name and text; refuses anything but a dataset file of the workspace. */
  readDataset?(uri: string): Promise<{ name: string; text: string }>;
}

export interface PanelSessionOptions {
  store: TraceStoreApi;
  post(message: WireMessage): void;
  actions: HostActions;
  info(): HostInfo;
  /** At most one push per this many ms (≤ 10/s). */
  pushIntervalMs?: number;
  /** Traces in the first snapshot. */
  snapshotLimit?: number;
  clock?: Clock;
}

export class PanelSession extends Disposable {
  private readonly rpc: RpcEndpoint;
  private readonly pending = new PendingChanges();
  private readonly pushThrottle: Throttle;
  private watched = new Set<string>();
  private ready = false;
  private showNext?: { traceId: string; spanId?: string };
  private compareNext?: ParamsOf<typeof ShowCompare>;
  private datasetNext?: ParamsOf<typeof ShowDataset>;

  constructor(private readonly o: PanelSessionOptions) {
    super();
    this.rpc = new RpcEndpoint((m) => o.post(m));
    this._register(toDisposable(() => this.rpc.dispose()));
    this.pushThrottle = this._register(
      new Throttle(() => this.push(), o.pushIntervalMs ?? 100, o.clock ?? systemClock),
    );
    this._register(
      toDisposable(
        o.store.onChange((change) => {
          if (!this.ready) return;
          this.pending.add(change, this.watched);
          this.pushThrottle.schedule();
        }),
      ),
    );
    this.handleRequests();
  }

  /** Feed every message from the webview in here. */
  receive(message: unknown): Promise<void> {
    return this.rpc.receive(message);
  }

  /** The page is gone (hidden and discarded, or reloading): hold everything until it is Ready again. */
  pageGone(): void {
    this.ready = false;
    this.watched = new Set();
    this.pending.clear();
  }

  /** Brings a trace into view now, or right after the page's Ready. */
  showTrace(traceId: string, spanId?: string): void {
    if (this.ready) this.rpc.notify(ShowTrace, spanId ? { traceId, spanId } : { traceId });
    else this.showNext = { traceId, spanId };
  }

  /** Shows two traces in the Compare tab now, or right after the page's Ready. */
  showCompare(leftTraceId: string, rightTraceId: string): void {
    if (this.ready) this.rpc.notify(ShowCompare, { leftTraceId, rightTraceId });
    else this.compareNext = { leftTraceId, rightTraceId };
  }

  /** Shows a dataset file in the Logs tab now, or right after the page's Ready. */
  showDataset(uri: string): void {
    if (this.ready) this.rpc.notify(ShowDataset, { uri });
    else this.datasetNext = { uri };
  }

  get isReady(): boolean {
    return this.ready;
  }

  private handleRequests(): void {
    const { rpc } = this;
    const { store, actions } = this.o;
    rpc.onRequest(Ready, (p) => this.onReady(p?.restoredTraceId));
    rpc.onRequest(ListTraces, (p) => ({
      traces: store.listTraces({ project: p?.project, limit: p?.limit, before: p?.before }),
    }));
    rpc.onRequest(GetTrace, async (p) => (await store.getTrace(requireString(p?.traceId, 'traceId'))) ?? null);
    rpc.onRequest(WatchTraces, (p) => {
      if (!Array.isArray(p?.traceIds)) throw new Error('traceIds must be an array of trace ids');
      this.watched = new Set(p.traceIds.filter((id): id is string => typeof id === 'string'));
      this.pending.retainWatched(this.watched);
    });
    rpc.onRequest(SetScore, (p) => {
      store.apply([{ kind: 'score', score: scoreFromUi(p) }]);
    });
    rpc.onRequest(DeleteTraces, (p) => {
      if (!Array.isArray(p?.traceIds)) throw new Error('traceIds must be an array of trace ids');
      store.deleteTraces(p.traceIds.filter((id): id is string => typeof id === 'string'));
    });
    rpc.onRequest(OpenSource, (p) => {
      requireString(p?.file, 'file');
      return actions.openSource(p);
    });
    rpc.onRequest(FindSymbol, async (p) => ({ found: await actions.findSymbol(requireString(p?.name, 'name')) }));
    rpc.onRequest(CopyText, (p) => {
      if (typeof p?.text !== 'string') throw new Error('text must be a string');
      return actions.copyText(p.text);
    });
    rpc.onRequest(OpenSpanDiff, (p) => {
      if (!actions.openDiff) throw new Error('this host has no diff editor');
      requireString(p?.left?.traceId, 'left.traceId');
      requireString(p?.right?.traceId, 'right.traceId');
      return actions.openDiff(p);
    });
    rpc.onRequest(RunSpanCommand, (p) => {
      if (!actions.runSpanCommand) throw new Error('this host has no editor to run that in');
      if (!(SPAN_COMMANDS as readonly string[]).includes(p?.command))
        throw new Error(`command must be one of ${SPAN_COMMANDS.join(', ')}`);
      requireString(p.traceId, 'traceId');
      if (p.spanId !== undefined) requireString(p.spanId, 'spanId');
      return actions.runSpanCommand(p);
    });
    rpc.onRequest(CompareWith, (p) => {
      if (!actions.compareWith) throw new Error('this host can not compare');
      requireString(p?.traceId, 'traceId');
      return actions.compareWith(
        typeof p.spanId === 'string' && p.spanId ? { traceId: p.traceId, spanId: p.spanId } : { traceId: p.traceId },
      );
    });
    rpc.onRequest(AddTracesToDataset, (p) => {
      if (!actions.addTracesToDataset) throw new Error('datasets need the editor: this host has no workspace');
      if (
        !Array.isArray(p?.traceIds) ||
        !p.traceIds.length ||
        !p.traceIds.every((id) => typeof id === 'string' && id !== '')
      )
        throw new Error('traceIds must be a non-empty list of trace ids');
      // Not awaited: the quick pick waits for the user, the command reports how it went.
      void actions.addTracesToDataset(p.traceIds);
    });
    rpc.onRequest(ReadDataset, async (p) => {
      if (!actions.readDataset) throw new Error('datasets need the editor: this host has no workspace');
      const uri = requireString(p?.uri, 'uri');
      const { name, text } = await actions.readDataset(uri);
      const parsed = parseDataset(text);
      for (const row of parsed.rows)
        if (row.source) row.source.in_store = store.getSummary(row.source.trace_id) !== undefined;
      return { uri, name, ...parsed };
    });
    registerLogsHandlers(rpc, store, actions);
  }

  private onReady(restoredTraceId: string | undefined): ReadyResult {
    this.pageGone();
    this.ready = true;
    const show = this.showNext ?? (restoredTraceId ? { traceId: restoredTraceId } : undefined);
    this.showNext = undefined;
    const result: ReadyResult = {
      info: this.o.info(),
      traces: this.o.store.listTraces({ limit: this.o.snapshotLimit ?? 1000 }),
    };
    const compare = this.compareNext;
    this.compareNext = undefined;
    // After the Ready reply has gone: the page handles notifications once it has its snapshot.
    if (compare) setTimeout(() => this.ready && this.rpc.notify(ShowCompare, compare), 0);
    const dataset = this.datasetNext;
    this.datasetNext = undefined;
    if (dataset) setTimeout(() => this.ready && this.rpc.notify(ShowDataset, dataset), 0);
    if (show) {
      result.showTraceId = show.traceId;
      if (show.spanId) result.showSpanId = show.spanId;
    }
    return result;
  }

  private push(): void {
    if (!this.ready) return;
    const changes = this.pending.take();
    if (changes) this.rpc.notify(ChangesNotification, changes);
  }
}

function requireString(v: unknown, name: string): string {
  if (typeof v !== 'string' || v === '') throw new Error(`${name} must be a non-empty string`);
  return v;
}

/**
 * A score set in the panel is a person's: source `ui`. Deleting (value null) may name another
 * source, so a person can remove a score the SDK logged.
 */
export function scoreFromUi(p: ScorePatch): ScorePatch {
  if (p?.target !== 'trace' && p?.target !== 'span') throw new Error("target must be 'trace' or 'span'");
  requireString(p.id, 'id');
  const name = requireString(typeof p.name === 'string' ? p.name.trim() : p.name, 'name');
  if (p.value !== null && (typeof p.value !== 'number' || !Number.isFinite(p.value)))
    throw new Error('value must be a finite number, or null to delete');
  const score: ScorePatch = {
    target: p.target,
    id: p.id,
    name,
    value: p.value,
    source: p.value === null ? (p.source ?? 'ui') : 'ui',
  };
  if (typeof p.trace_id === 'string') score.trace_id = p.trace_id;
  if (typeof p.reason === 'string' && p.reason.trim()) score.reason = p.reason.trim();
  if (typeof p.category_name === 'string') score.category_name = p.category_name;
  return score;
}
