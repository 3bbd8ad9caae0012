// Every message between the extension host and the trace webview, declared once. Both sides
// import these constants; nothing else defines a message name. The standalone web page
// speaks the same protocol through an HTTP/WebSocket transport instead of postMessage, so
// the webview code does not know which host it runs in.

import type { ScorePatch, TraceDetail, TraceSummary, Span, CodeLocation } from '../core/model/model';
import type { MonitorResult } from '../core/queries/monitor';
import type { ParsedDataset } from '../core/replay/datasetFile';
import type { TraceQueryResult } from '../core/queries/traceQuery';
import type { SortKey, SortOrder } from '../core/queries/traceSort';

/** A request: the sender waits for one reply with the same id, or times out. */
export class RequestType<P, R> {
  declare readonly _params: P;
  declare readonly _result: R;
  constructor(readonly method: string) {}
}

/** A notification: fire and forget. */
export class NotificationType<P> {
  declare readonly _params: P;
  constructor(readonly method: string) {}
}

export type ParamsOf<T> = T extends RequestType<infer P, unknown> ? P : T extends NotificationType<infer P> ? P : never;
export type ResultOf<T> = T extends RequestType<unknown, infer R> ? R : never;

/** What travels on the wire (postMessage data, or a JSON frame). */
export type WireMessage =
  | { kind: 'request'; id: number; method: string; params: unknown }
  | { kind: 'response'; id: number; result?: unknown; error?: string }
  | { kind: 'notification'; method: string; params: unknown };

// ---- Shapes --------------------------------------------------------------------------

export interface Changes {
  traces: TraceSummary[];
  removed: string[];
  /** Changed spans, only for traces the webview watches. */
  spans: { trace_id: string; spans: Span[] }[];
}

export interface ScoreDefinition {
  name: string;
  /** Numeric scores have a range; categorical ones have named values. */
  min?: number;
  max?: number;
  categories?: Record<string, number>;
}

/**
 * The quick thumbs up/down score, the same from the sidebar's inline actions and the panel's
 * buttons, so both show and roll up as one score name.
 */
export const THUMBS_SCORE = { name: 'user_feedback', up: 1, down: 0 } as const;

export interface HostInfo {
  /** `vscode` inside the editor, `browser` for the standalone page. */
  host: 'vscode' | 'browser';
  version: string;
  scoreDefinitions: ScoreDefinition[];
  /** The thumbs score's name when the user renamed it (`spanscope.feedbackScoreName`); else THUMBS_SCORE.name. */
  thumbsScoreName?: string;
}

export interface ReadyResult {
  info: HostInfo;
  traces: TraceSummary[];
  /** A trace the host wants shown first (opened from the sidebar, a command, or a link). */
  showTraceId?: string;
  showSpanId?: string;
}

// ---- Webview → host requests -----------------------------------------------------------

/** Sent once the page listens; the host sends nothing before it, and answers with the first snapshot. */
export const Ready = new RequestType<{ restoredTraceId?: string }, ReadyResult>('webview/ready');
export const ListTraces = new RequestType<
  { project?: string; limit?: number; before?: string },
  { traces: TraceSummary[] }
>('traces/list');
export const GetTrace = new RequestType<{ traceId: string }, TraceDetail | null>('traces/get');
/** Replaces the set of traces whose span changes the webview receives. */
export const WatchTraces = new RequestType<{ traceIds: string[] }, void>('traces/watch');
/** Sets (or, with `value: null`, deletes) a score; source defaults to `ui`. */
export const SetScore = new RequestType<ScorePatch, void>('scores/set');
export const DeleteTraces = new RequestType<{ traceIds: string[] }, void>('traces/delete');
/** A file and 1-based line to open; `column` (1-based) when a JS stack frame gave one. */
export type SourceLocation = CodeLocation & { column?: number };
/** Opens a file at a line beside the panel. */
export const OpenSource = new RequestType<SourceLocation, void>('source/open');
/** For spans without a code location: look the function up among workspace symbols and offer it. */
export const FindSymbol = new RequestType<{ name: string }, { found: boolean }>('source/findSymbol');
export const CopyText = new RequestType<{ text: string }, void>('clipboard/copy');

// ---- Logs table and monitor (webview → host) -----------------------------------------------
// The same operations as the collector's /api/query, /api/monitor, /api/export,
// /api/scores/bulk and /api/traces/delete (docs/protocol.md, "Logs and monitor"): the host
// answers from its store, the browser transport calls those routes.

export interface QueryTracesParams {
  /** The filter language; a bad filter rejects with its message (and the position in it). */
  filter?: string;
  sort?: SortKey;
  order?: SortOrder;
  project?: string;
  offset?: number;
  limit?: number;
  /** Start the page `before` rows above this trace, wherever it now is (keeps the reader's row in place). */
  anchor?: { id: string; before: number };
}
export const QueryTraces = new RequestType<QueryTracesParams, TraceQueryResult>('logs/query');

export interface MonitorParams {
  project?: string;
  /** Epoch milliseconds, [from, to). */
  from: number;
  to: number;
  /** Milliseconds; chosen from the range when absent. */
  bucketMs?: number;
}
export type MonitorReply = MonitorResult & { project: string | null };
export const QueryMonitor = new RequestType<MonitorParams, MonitorReply>('monitor/query');

export interface ProjectInfo {
  name: string;
  trace_count: number;
  last_trace_at?: string;
}
export const ListProjects = new RequestType<Record<string, never>, { projects: ProjectInfo[] }>('projects/list');

export interface ExportParams {
  format: 'jsonl' | 'csv';
  /** These traces; otherwise every match of `filter` (and `project`). */
  traceIds?: string[];
  filter?: string;
  project?: string;
  sort?: SortKey;
  order?: SortOrder;
  /** CSV: the table's column ids as shown (`name`, `score:NAME`, …). */
  columns?: string[];
}
/**
 * Starts an export and resolves once it is under way: in VS Code the host asks where to save
 * and reports the outcome itself (a save dialog can outlast any request timeout); in the
 * browser the file downloads.
 */
export const ExportTraces = new RequestType<ExportParams, void>('logs/export');

/** The same score on many traces (source `ui`); `value: null` deletes that score name. */
export const ScoreTraces = new RequestType<
  { traceIds: string[]; name: string; value: number | null; reason?: string },
  { scored: number; missing: string[] }
>('scores/bulk');

// ---- Host → webview notifications -------------------------------------------------------

/** Batched changes, a few times a second at most. */
export const ChangesNotification = new NotificationType<Changes>('traces/changes');
/** Bring a trace (and optionally a span) into view. */
export const ShowTrace = new NotificationType<{ traceId: string; spanId?: string }>('traces/show');

// ---- Compare (VS Code host) ----------------------------------------------------------------

/** Host → page: two traces side by side in the Compare tab, spans aligned by name path. */
export const ShowCompare = new NotificationType<{ leftTraceId: string; rightTraceId: string }>('compare/show');

/** One side of a diff: a span, or a whole trace when `spanId` is left out. */
export interface DiffSide {
  traceId: string;
  spanId?: string;
  /** What the editor tab calls this side. */
  label: string;
}

/** Page → host, VS Code only: opens the diff editor on two spans (or traces). */
export const OpenSpanDiff = new RequestType<{ left: DiffSide; right: DiffSide; title: string }, void>('compare/diff');

/** The editor's span commands the panel offers (VS Code only). */
export const SPAN_COMMANDS = ['debugCall', 'saveAsTest', 'addToDataset', 'replayLlmCall'] as const;
export type SpanCommand = (typeof SPAN_COMMANDS)[number];
/** Page → host, VS Code only: runs a span command on a span (or a trace's root span when `spanId` is left out). */
export const RunSpanCommand = new RequestType<{ command: SpanCommand; traceId: string; spanId?: string }, void>(
  'span/command',
);
/** Page → host, VS Code only: Compare With… on the trace or span the details show (the host asks for the other side). */
export const CompareWith = new RequestType<{ traceId: string; spanId?: string }, void>('compare/with');

// ---- Datasets (VS Code host) -----------------------------------------------------------------
// Dataset files live in the workspace (`.spanscope/datasets/*.jsonl`), which only the editor
// knows: the standalone page has none of these.

/**
 * Page → host: Add to Dataset… on the logs table's selection, one row per trace. Answered once
 * it is under way: the host asks which dataset (a quick pick can outlast any request timeout)
 * and reports the outcome itself.
 */
export const AddTracesToDataset = new RequestType<{ traceIds: string[] }, void>('dataset/addTraces');

/** A dataset file as the Logs tab shows it; each row's source says whether its trace is still stored. */
export interface DatasetContent extends ParsedDataset {
  uri: string;
  name: string;
}
/** Page → host: the rows of a dataset file (the host reads only dataset files of the workspace). */
export const ReadDataset = new RequestType<{ uri: string }, DatasetContent>('dataset/read');
/** Host → page: show this dataset file in the Logs tab. */
export const ShowDataset = new NotificationType<{ uri: string }>('dataset/show');
