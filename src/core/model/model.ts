// The one trace model every wire format is normalised into, and every reader sees.
// Field names follow Opik's (snake_case) because the read API exposes them as they are
// and our users already know them; Spanscope adds `status`, `code_location` and
// `duration_ms`. This file is types only: no runtime code, no imports.

export type SpanType = 'general' | 'llm' | 'tool' | 'guardrail';
export const SPAN_TYPES: readonly SpanType[] = ['general', 'llm', 'tool', 'guardrail'];

/** `running` until an end time arrives; `error` when `error_info` is set. */
export type Status = 'running' | 'ok' | 'error';

/** Where a span's code lives: absolute file path, 1-based line, function name. */
export interface CodeLocation {
  file: string;
  line: number;
  function?: string;
}

export interface ErrorInfo {
  exception_type: string;
  message?: string;
  traceback?: string;
}

/**
 * Token usage. Opik's names (`prompt_tokens`, `completion_tokens`, `total_tokens`) are the
 * canonical ones; any other numeric counters a client sends are kept alongside.
 */
export type Usage = Record<string, number>;

/** Who gave a score: the SDK (`sdk`), a person in the UI (`ui`), or an online rule (`online_scoring`). */
export type ScoreSource = 'sdk' | 'ui' | 'online_scoring';

export interface FeedbackScore {
  name: string;
  value: number;
  reason?: string;
  category_name?: string;
  source: ScoreSource;
  /** ISO 8601 UTC. */
  created_at: string;
}

/** Fields a trace and a span share. Times are ISO 8601 strings in UTC. */
interface RecordBase {
  id: string;
  project_name: string;
  name: string;
  start_time: string;
  end_time?: string;
  input?: unknown;
  output?: unknown;
  metadata?: Record<string, unknown>;
  tags?: string[];
  error_info?: ErrorInfo;
  feedback_scores?: FeedbackScore[];
  /** Braintrust's `expected`: a correction or reference answer. */
  expected?: unknown;
}

/** The git commit, branch and work-tree state the SDK saw when the trace ran. */
export interface CodeVersion {
  /** Full commit id (hex). */
  commit: string;
  /** Absent on a detached HEAD. */
  branch?: string;
  /** Absent when the SDK could not tell (a huge repository). */
  dirty?: boolean;
}

export interface TraceRecord extends RecordBase {
  thread_id?: string;
  code_version?: CodeVersion;
}

export interface SpanRecord extends RecordBase {
  trace_id: string;
  parent_span_id?: string;
  type: SpanType;
  usage?: Usage;
  model?: string;
  provider?: string;
  /** USD. On a record: the cost the client gave. Readers see the estimate here when none was (see `cost_source`). */
  total_estimated_cost?: number;
  /**
   * USD, set by the collector from model and usage (src/collector/costEstimate.ts), never by a
   * client. Readers never see it: it becomes `total_estimated_cost` when no cost was given.
   */
  estimated_cost?: number;
  /** For a streamed LLM call: milliseconds from the request to the first token (or chunk). */
  time_to_first_token_ms?: number;
  code_location?: CodeLocation;
}

/** Derived fields added to every record the read API returns. */
export interface Derived {
  status: Status;
  /** null while running. */
  duration_ms: number | null;
}

/** Whether a span's `total_estimated_cost` came from the client or the collector's price database. */
export type CostSource = 'given' | 'estimated';

export type Span = SpanRecord & Derived & { cost_source?: CostSource };

/** Average of each score name, over a span's (or trace's) own scores and all its descendants'. */
export type ScoreAverages = Record<string, { avg: number; count: number }>;

/**
 * One row of `GET /api/traces`: the trace's own fields (input and output shortened to
 * previews, the whole values are in `GET /api/traces/ID`) plus aggregates over its spans.
 */
export interface TraceSummary extends Omit<TraceRecord, 'input' | 'output'>, Derived {
  input_preview?: string;
  output_preview?: string;
  span_count: number;
  error_count: number;
  /** Summed over spans. */
  usage: Usage;
  total_estimated_cost?: number;
  /**
   * For a trace with a streamed LLM call: milliseconds from the trace's start to the first
   * token of its earliest stream (what a user of the app waited before text appeared).
   */
  time_to_first_token_ms?: number;
  /** Per score name, the average over the trace's own scores and every span's. */
  score_averages: ScoreAverages;
  /** ISO time of the last change the collector saw; lets clients order and diff. */
  last_updated_at: string;
}

/** `GET /api/traces/ID` */
export interface TraceDetail {
  trace: TraceRecord &
    Derived &
    Pick<
      TraceSummary,
      | 'span_count'
      | 'error_count'
      | 'usage'
      | 'total_estimated_cost'
      | 'time_to_first_token_ms'
      | 'score_averages'
      | 'last_updated_at'
    >;
  spans: Span[];
}

// ---- What normalisers produce and the store applies ------------------------------------
//
// Every wire format (native, Opik, OTLP) turns a request into a list of patches. A patch
// carries the id and any subset of fields; applying it merges into what is stored, so
// creates are upserts, updates may arrive before their create, and duplicates merge.

export type TracePatch = { id: string } & Partial<Omit<TraceRecord, 'id' | 'feedback_scores'>>;
/**
 * `trace_id` may be left out by a sender that does not know it (an update to a span sent
 * earlier, or later); the store finds the span's trace by its id, or holds the patch until
 * the span arrives.
 */
export type SpanPatch = { id: string; trace_id?: string } & Partial<
  Omit<SpanRecord, 'id' | 'trace_id' | 'feedback_scores'>
>;

export interface ScorePatch {
  target: 'trace' | 'span';
  /** The trace's or the span's id. */
  id: string;
  /** Known for spans when the sender has it; the store finds it otherwise. */
  trace_id?: string;
  name: string;
  /** `null` deletes the score of that name. */
  value: number | null;
  reason?: string;
  category_name?: string;
  source?: ScoreSource;
}

export type Patch =
  | { kind: 'trace'; trace: TracePatch }
  | {
      kind: 'span';
      span: SpanPatch;
      /**
       * Bytes that are exactly the patch's JSON, which the store writes instead of serialising
       * it. No normaliser sets them any more: the store keeps a request's whole body instead
       * (docs/store.md), so finding each span's bytes in it bought nothing. Kept while the
       * store still reads it (store/logEntry.ts).
       */
      json?: Uint8Array;
    }
  | { kind: 'score'; score: ScorePatch };
