// The function index: from code location (file, function) to that function's recent calls,
// so the editor can show above a `def` what it did (CodeLens, hovers, inline results,
// Problems) and the read API can answer `GET /api/functions`. A span with no code location
// is indexed by its name (a function the editor finds among the file's symbols). Fed with the
// spans of the store's change events (collector/functionIndexes.ts); bounded: the last
// MAX_CALLS calls of each function, the MAX_FUNCTIONS functions called most recently.
// Pure: no I/O.

import type { Span, TraceSummary } from '../model/model';
import { type CallStats, type FunctionCall, type StatsWindow, statsOf, windowStart } from './callStats';
import { callOf, keyOf, type FunctionKey } from './functionCall';

export const MAX_CALLS = 200;
export const MAX_FUNCTIONS = 1000;
/** A pause this long with no span starting or ending anywhere ends a run (see runStart). */
export const RUN_GAP_MS = 30_000;

/**
 * A function whose calls changed. `ended`: a call ended (or calls went away), which changes its
 * statistics; a call that only started does not (views may wait for the end to redraw).
 */
export interface FunctionChange extends FunctionKey {
  ended: boolean;
}

type Changes = Map<string, { fn: FunctionKey; ended: boolean }>;

export interface RecentCall {
  span_id: string;
  trace_id: string;
  start_time: string;
  duration_ms: number | null;
  status: 'running' | 'ok' | 'error';
  output_preview: string | null;
  error: string | null;
  traceback?: string;
  input_preview?: string;
  tokens: number;
  cost: number;
  scores: Record<string, number>;
  line?: number;
  trace_name?: string;
  trace_status?: 'running' | 'ok' | 'error';
  /**
   * The call failed and the code caught it: its trace ended, and neither the trace itself nor
   * a root span failed (a trace's status is `error` when any span failed, caught or not).
   */
  caught?: boolean;
}

/** One function in `GET /api/functions` (docs/protocol.md, "Function index"). */
export interface FunctionSummary extends CallStats {
  file: string | null;
  function: string;
  /** The line of the latest call that had one. */
  line: number | null;
  /** Newest first, within the window, at most `recent` of them. */
  recent: RecentCall[];
}

export interface FunctionQuery {
  /** Functions located in this file (absolute path). */
  file?: string;
  /** Functions known only by name whose name (or its last part, `Agent.run` → `run`) is one of these. */
  names?: readonly string[];
  window?: StatsWindow;
  /** How many recent calls to list per function; default 20. */
  recent?: number;
  /** ms since the epoch; default Date.now(). */
  now?: number;
}

interface Entry {
  key: string;
  file: string | null;
  function: string;
  /** Oldest first. */
  calls: FunctionCall[];
}

interface TraceInfo {
  name?: string;
  status?: 'running' | 'ok' | 'error';
  /** The trace's own error_info is set, or a root span failed: an error left the code. */
  failed?: boolean;
  /** Calls in the index from this trace; the entry goes when it reaches 0. */
  calls: number;
}

export class FunctionIndex {
  /** Least recently called first (re-inserted on each call), for eviction. */
  private readonly entries = new Map<string, Entry>();
  private readonly byFile = new Map<string, Set<string>>();
  private readonly byName = new Map<string, Set<string>>();
  /** Span id → key of the entry holding its call, so an update (or a rename) finds it. */
  private readonly bySpan = new Map<string, string>();
  private readonly traces = new Map<string, TraceInfo>();
  private latestActivity = -Infinity;
  private latestRunStart = -Infinity;
  private readonly listeners = new Set<(keys: FunctionChange[]) => void>();

  constructor(private readonly limits: { maxCalls?: number; maxFunctions?: number } = {}) {}

  /** Where the latest run began (ms): the first span after a pause of RUN_GAP_MS with no activity. */
  get runStart(): number {
    return this.latestRunStart;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Called with the functions whose calls changed, after each `observe` / `removeTraces` that changed any. */
  onChange(listener: (keys: FunctionChange[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Takes new or updated spans (and, optionally, their traces' summaries, for trace names and
   * statuses). `onlyNew`: skip spans the index has already (read back while live changes arrive).
   */
  observe(spans: Iterable<Span>, traces: Iterable<TraceSummary> = [], options: { onlyNew?: boolean } = {}): void {
    const changed: Changes = new Map();
    for (const t of traces) {
      const info = this.traces.get(t.id);
      if (info) noteTrace(info, t);
    }
    const summaries = new Map<string, TraceSummary>();
    for (const t of traces) summaries.set(t.id, t);
    for (const span of spans) {
      if (!span.parent_span_id && span.status === 'error') {
        const info = this.traces.get(span.trace_id);
        if (info) info.failed = true;
      }
      if (options.onlyNew && this.bySpan.has(span.id)) continue;
      const key = keyOf(span);
      const old = this.bySpan.get(span.id);
      if (old !== undefined && (!key || old !== keyText(key))) {
        // Renamed (or given a code location): the call moves to its new function.
        const entry = this.entries.get(old);
        if (entry) {
          this.dropCall(entry, span.id);
          changed.set(old, { fn: entry, ended: true });
        }
      }
      if (!key) continue;
      const call = callOf(span);
      if (call === undefined) continue;
      this.noteActivity(call);
      const entry = this.entryFor(key);
      this.putCall(entry, call, summaries.get(span.trace_id));
      const was = changed.get(entry.key);
      changed.set(entry.key, { fn: entry, ended: (was?.ended ?? false) || call.status !== 'running' });
    }
    this.evictFunctions(changed);
    this.tell(changed);
  }

  /** Forgets the calls of deleted traces. */
  removeTraces(traceIds: Iterable<string>): void {
    const gone = new Set<string>();
    for (const id of traceIds) if (this.traces.has(id)) gone.add(id);
    if (gone.size === 0) return;
    const changed: Changes = new Map();
    for (const entry of [...this.entries.values()]) {
      if (!entry.calls.some((c) => gone.has(c.trace_id))) continue;
      for (const c of entry.calls.filter((c) => gone.has(c.trace_id))) this.dropCall(entry, c.span_id);
      changed.set(entry.key, { fn: entry, ended: true });
    }
    this.tell(changed);
  }

  /** The functions of a file and/or of some names, with statistics over the window; ordered by line, then name. */
  query(q: FunctionQuery): FunctionSummary[] {
    const keys = new Set<string>();
    if (q.file !== undefined) for (const k of this.byFile.get(q.file) ?? []) keys.add(k);
    for (const name of q.names ?? []) for (const k of this.byName.get(name) ?? []) keys.add(k);
    const now = q.now ?? Date.now();
    const from = windowStart(q.window ?? 'all', now, this.latestRunStart);
    const out: FunctionSummary[] = [];
    for (const k of keys) {
      const entry = this.entries.get(k);
      if (entry) out.push(this.summarise(entry, from, q.recent ?? 20));
    }
    return out.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || a.function.localeCompare(b.function));
  }

  /** Every function in the index (for Problems, which covers files that are not open). */
  list(window: StatsWindow = 'all', now = Date.now(), recent = 20): FunctionSummary[] {
    const from = windowStart(window, now, this.latestRunStart);
    return [...this.entries.values()].map((e) => this.summarise(e, from, recent));
  }

  /** One function's summary, or undefined when the index has no call of it. */
  get(key: FunctionKey, window: StatsWindow = 'all', now = Date.now(), recent = 20): FunctionSummary | undefined {
    const entry = this.entries.get(keyText(key));
    return entry && this.summarise(entry, windowStart(window, now, this.latestRunStart), recent);
  }

  private summarise(entry: Entry, from: number, recent: number): FunctionSummary {
    // Calls are oldest first: the window is a suffix.
    let i = entry.calls.length;
    while (i > 0 && entry.calls[i - 1].start_ms >= from) i--;
    const inWindow = entry.calls.slice(i);
    let line: number | null = null;
    for (let j = entry.calls.length - 1; j >= 0 && line === null; j--) line = entry.calls[j].line ?? null;
    return {
      file: entry.file,
      function: entry.function,
      line,
      ...statsOf(inWindow),
      recent:
        recent > 0
          ? inWindow
              .slice(-recent)
              .reverse()
              .map((c) => this.recentOf(c))
          : [],
    };
  }

  private recentOf(c: FunctionCall): RecentCall {
    const trace = this.traces.get(c.trace_id);
    const out: RecentCall = {
      span_id: c.span_id,
      trace_id: c.trace_id,
      start_time: c.start_time,
      duration_ms: c.duration_ms,
      status: c.status,
      output_preview: c.output_preview ?? null,
      error: c.error ?? null,
      tokens: c.tokens,
      cost: c.cost,
      scores: c.scores,
    };
    if (c.traceback !== undefined) out.traceback = c.traceback;
    if (c.input_preview !== undefined) out.input_preview = c.input_preview;
    if (c.line !== undefined) out.line = c.line;
    if (trace?.name !== undefined) out.trace_name = trace.name;
    if (trace?.status !== undefined) out.trace_status = trace.status;
    if (c.status === 'error')
      out.caught = trace !== undefined && trace.status !== 'running' && trace.status !== undefined && !trace.failed;
    return out;
  }

  private entryFor(key: FunctionKey): Entry {
    const k = keyText(key);
    let entry = this.entries.get(k);
    if (entry) {
      this.entries.delete(k); // re-inserted last: most recently called
    } else {
      entry = { key: k, file: key.file, function: key.function, calls: [] };
      if (key.file !== null) addTo(this.byFile, key.file, k);
      else for (const name of lookupNames(key.function)) addTo(this.byName, name, k);
    }
    this.entries.set(k, entry);
    return entry;
  }

  private putCall(entry: Entry, call: FunctionCall, summary: TraceSummary | undefined): void {
    // Known spans are updates, usually of a recent call: looked for from the end, and only then.
    const at = this.bySpan.get(call.span_id) === entry.key ? lastIndexOf(entry.calls, call.span_id) : -1;
    if (at >= 0) {
      entry.calls[at] = call;
      if (at > 0 && entry.calls[at - 1].start_ms > call.start_ms) entry.calls.sort(byStart);
    } else {
      // Usually the newest: appended; an older one (read back at start-up) goes in its place.
      let i = entry.calls.length;
      while (i > 0 && entry.calls[i - 1].start_ms > call.start_ms) i--;
      entry.calls.splice(i, 0, call);
      this.bySpan.set(call.span_id, entry.key);
      const info = this.traces.get(call.trace_id) ?? { calls: 0 };
      info.calls++;
      this.traces.set(call.trace_id, info);
    }
    const info = this.traces.get(call.trace_id)!;
    if (summary) noteTrace(info, summary);
    // A failed root span is the call itself when the function is the trace's root.
    if (call.status === 'error' && call.root) info.failed = true;
    const max = this.limits.maxCalls ?? MAX_CALLS;
    while (entry.calls.length > max) this.forgetCall(entry.calls.shift()!);
  }

  private dropCall(entry: Entry, spanId: string): void {
    const at = entry.calls.findIndex((c) => c.span_id === spanId);
    if (at >= 0) this.forgetCall(entry.calls.splice(at, 1)[0]);
    if (entry.calls.length === 0) this.removeEntry(entry);
  }

  private forgetCall(call: FunctionCall): void {
    this.bySpan.delete(call.span_id);
    const info = this.traces.get(call.trace_id);
    if (info && --info.calls <= 0) this.traces.delete(call.trace_id);
  }

  private removeEntry(entry: Entry): void {
    for (const c of entry.calls) this.forgetCall(c);
    entry.calls = [];
    this.entries.delete(entry.key);
    if (entry.file !== null) removeFrom(this.byFile, entry.file, entry.key);
    else for (const name of lookupNames(entry.function)) removeFrom(this.byName, name, entry.key);
  }

  private evictFunctions(changed: Changes): void {
    const max = this.limits.maxFunctions ?? MAX_FUNCTIONS;
    for (const entry of this.entries.values()) {
      if (this.entries.size <= max) break;
      changed.set(entry.key, { fn: entry, ended: true });
      this.removeEntry(entry);
    }
  }

  private noteActivity(call: FunctionCall): void {
    const end = call.duration_ms === null ? call.start_ms : call.start_ms + call.duration_ms;
    if (call.start_ms > this.latestActivity + RUN_GAP_MS) this.latestRunStart = call.start_ms;
    if (end > this.latestActivity) this.latestActivity = end;
  }

  private tell(changed: Changes): void {
    if (changed.size === 0 || this.listeners.size === 0) return;
    const keys = [...changed.values()].map(({ fn, ended }) => ({ file: fn.file, function: fn.function, ended }));
    for (const l of this.listeners) l(keys);
  }
}

/** The names a name-only function is found by: itself and its last part. */
function lookupNames(fn: string): string[] {
  const last =
    fn
      .split(/[.:#/]+/)
      .filter(Boolean)
      .pop() ?? fn;
  return last === fn ? [fn] : [fn, last];
}

function noteTrace(info: TraceInfo, t: TraceSummary): void {
  info.name = t.name;
  info.status = t.status;
  if (t.error_info) info.failed = true;
}

function keyText(key: FunctionKey): string {
  return `${key.file ?? ''}\u0000${key.function}`;
}

function lastIndexOf(calls: readonly FunctionCall[], spanId: string): number {
  for (let i = calls.length - 1; i >= 0; i--) if (calls[i].span_id === spanId) return i;
  return -1;
}

function byStart(a: FunctionCall, b: FunctionCall): number {
  return a.start_ms - b.start_ms;
}

function addTo(map: Map<string, Set<string>>, k: string, v: string): void {
  let set = map.get(k);
  if (!set) map.set(k, (set = new Set()));
  set.add(v);
}

function removeFrom(map: Map<string, Set<string>>, k: string, v: string): void {
  const set = map.get(k);
  if (!set) return;
  set.delete(v);
  if (set.size === 0) map.delete(k);
}
