// The store's contract, as the collector, the extension host and the tests use it. The
// in-memory state is the truth for readers; disk writes are coalesced behind it.

import type { Patch, Span, TraceDetail, TraceSummary } from '../core/model/model';

export interface TraceQuery {
  project?: string;
  /** Default 100. */
  limit?: number;
  /** Only traces that started before this ISO time (paging). */
  before?: string;
}

export interface ProjectSummary {
  name: string;
  trace_count: number;
  last_trace_at?: string;
}

/** What one `apply` (or delete) changed; spans are grouped by trace. */
export interface StoreChange {
  traces: TraceSummary[];
  removed: string[];
  /**
   * Changed spans by trace id. Each trace's list is built when it is read (`get`, or
   * iterating values): read the traces you show (`keys()` and `has()` cost nothing).
   */
  spans: Map<string, Span[]>;
}

export interface StoreOptions {
  /** Folder holding the store's files; created if missing. */
  dir: string;
  /** Oldest traces beyond this count are removed. */
  maxTraces?: number;
  /** Oldest traces are removed while the store's files exceed this many bytes. */
  maxBytes?: number;
  /** How long writes are coalesced before they reach disk. */
  flushIntervalMs?: number;
  /** Traces kept in memory to take patches, by count and by spans summed (tests lower them; defaults 2000 and 200 000). */
  memory?: { traces: number; spans: number };
  /** Where warnings go (a corrupt file moved aside, retention); defaults to console.warn. */
  warn?: (message: string) => void;
}

/**
 * The request body patches were read from, for a store that keeps what arrived rather than
 * serialising it again (see docs/store.md). Give it only when normalising these bytes again
 * gives exactly the same patches, in the same order: a native batch, an Opik batch whose
 * records all carry their ids (else the normaliser makes ids up).
 */
export interface PatchSource {
  format: 'native' | 'opik_spans' | 'opik_traces';
  /** Valid UTF-8 JSON; copied by `apply`, so the caller may reuse the buffer after it returns. */
  bytes: Uint8Array;
}

/** Whether the store can keep what it acknowledges (see docs/protocol.md, "What a 200 promises"). */
export type StoreHealth =
  | { status: 'ok'; problems?: string[] }
  | {
      status: 'degraded';
      /** Why, in words: the write that fails and its error (e.g. ENOSPC). */
      reason: string;
      /** When writes began to fail (ISO time). */
      since: string;
      /** Records acknowledged but not on disk yet: kept in memory, written once writes work again. */
      unwritten: number;
      problems?: string[];
    };

/** The `code` of StoreWriteError. */
export const STORE_WRITE_ERROR = 'ESTOREWRITE';

/**
 * Thrown by `apply` while the store can write nothing (nothing of the batch is applied): the
 * collector answers 507 with Retry-After. Thrown by `close` when records it acknowledged could
 * not be written (`lost` of them): shutdown then says so and exits non-zero.
 */
export class StoreWriteError extends Error {
  readonly code = STORE_WRITE_ERROR;
  constructor(
    message: string,
    readonly retryAfterMs: number,
    readonly lost = 0,
  ) {
    super(message);
  }
}

export interface TraceStoreApi {
  /**
   * Merges patches into the store (creates are upserts, any order, duplicates merge) and
   * tells listeners. Synchronous in memory; disk follows within `flushIntervalMs`. The store
   * may keep the patch objects it is given: do not change them afterwards. `source`
   * (optional): the body they were read from, which the store may keep instead of them.
   */
  apply(patches: Patch[], source?: PatchSource): void;
  listTraces(query?: TraceQuery): TraceSummary[];
  getSummary(traceId: string): TraceSummary | undefined;
  /**
   * Optional: every trace's summary in no particular order, without copying or sorting;
   * what the logs query and the monitor scan (they sort and bucket for themselves).
   */
  summaries?(): Iterable<TraceSummary>;
  /** Whole trace with every span; undefined when unknown. May read from disk. */
  getTrace(traceId: string): Promise<TraceDetail | undefined>;
  /** getTrace serialised as JSON (the read API's reply), made once while the trace does not change. */
  getTraceJson(traceId: string): Promise<Buffer | undefined>;
  listProjects(): ProjectSummary[];
  /**
   * Optional: the trace of a span known by its id alone (in memory, or found by an earlier
   * search of the log); undefined when the store does not know it yet. The AI proxy asks this
   * for a parent named by span id.
   */
  findSpanTrace?(spanId: string): string | undefined;
  /**
   * Optional: more text of a trace for the logs filter's free-text terms to search than its
   * summary's previews (e.g. whole inputs and outputs, span names, models), kept in memory,
   * lowercased (the filter does not lowercase it again; see FilterOptions.searchText).
   */
  searchText?(traceId: string): string | undefined;
  /** Optional: changes `maxTraces` / `maxBytes` of an open store (undefined: the default) and applies them at once. */
  setRetention?(limits: { maxTraces?: number; maxBytes?: number }): void;
  deleteTraces(traceIds: string[]): void;
  /** Deletes every trace, or every trace of one project. */
  clear(project?: string): void;
  onChange(listener: (change: StoreChange) => void): () => void;
  /** Optional: whether writes work, and the damage found in the store's files lately. */
  health?(): StoreHealth;
  /** Optional: hears when `health().status` changes. */
  onHealthChange?(listener: (health: StoreHealth) => void): () => void;
  /** Writes everything pending. */
  flush(): Promise<void>;
  /**
   * Flushes and releases the files; safe to call twice. Rejects with StoreWriteError when
   * acknowledged records could not be written (after retrying): they are lost.
   */
  close(): Promise<void>;
}
