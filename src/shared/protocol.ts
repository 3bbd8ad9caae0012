// Every message between the extension host and the trace webview, declared once. Both sides
// import these constants; nothing else defines a message name. The standalone web page
// speaks the same protocol through an HTTP/WebSocket transport instead of postMessage, so
// the webview code does not know which host it runs in.

import type { ScorePatch, TraceDetail, TraceSummary, Span, CodeLocation } from '../core/model';

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
export const ListTraces = new RequestType<{ project?: string; limit?: number; before?: string }, { traces: TraceSummary[] }>('traces/list');
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

// ---- Host → webview notifications -------------------------------------------------------

/** Batched changes, a few times a second at most. */
export const ChangesNotification = new NotificationType<Changes>('traces/changes');
/** Bring a trace (and optionally a span) into view. */
export const ShowTrace = new NotificationType<{ traceId: string; spanId?: string }>('traces/show');
