// What the function index keeps of one span: which function it is a call of (its code
// location, else a function-like name) and a small record of the call — previews, not whole
// values, copied so that a preview never keeps a large input or output alive. Pure.

import type { Span } from '../model/model';
import { parseTimeMicros } from '../model/time';
import type { FunctionCall } from './callStats';

const PREVIEW_CHARS = 200;
export const MAX_TRACEBACK_CHARS = 8000;

/** How a span is filed: its code location, or (without one) its name. */
export interface FunctionKey {
  /** Absolute path; null for a function known only by the span's name. */
  file: string | null;
  function: string;
}

/** The function a span is a call of: its code location's, else a function-like name; undefined when neither. */
export function keyOf(span: Pick<Span, 'name' | 'code_location'>): FunctionKey | undefined {
  const loc = span.code_location;
  if (loc && typeof loc.file === 'string' && loc.file) {
    const fn = (typeof loc.function === 'string' && loc.function) || span.name;
    return fn ? { file: loc.file, function: fn } : undefined;
  }
  const name = functionLikeName(span.name ?? '');
  return name ? { file: null, function: name } : undefined;
}

/**
 * `chat()` → `chat`, `Agent.run` → `Agent.run`; undefined for a name that is not a function's
 * (`OpenAI chat completion`: looking its last word up would find something unrelated).
 */
export function functionLikeName(spanName: string): string | undefined {
  const full = spanName.trim().replace(/\(\s*\)$/, '');
  if (!full || full.length > 200 || /\s/.test(full)) return undefined;
  const last =
    full
      .split(/[.:#/]+/)
      .filter(Boolean)
      .pop() ?? '';
  return /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(last) ? full : undefined;
}

export function callOf(span: Span): FunctionCall | undefined {
  let startMs: number;
  try {
    startMs = parseTimeMicros(span.start_time) / 1000;
  } catch {
    return undefined;
  }
  if (!Number.isFinite(startMs)) return undefined;
  const call: FunctionCall = {
    span_id: span.id,
    trace_id: span.trace_id,
    start_time: span.start_time,
    start_ms: startMs,
    duration_ms: span.duration_ms,
    status: span.status,
    tokens: tokensOf(span.usage),
    cost:
      typeof span.total_estimated_cost === 'number' && Number.isFinite(span.total_estimated_cost)
        ? span.total_estimated_cost
        : 0,
    scores: {},
  };
  const line = span.code_location?.line;
  if (typeof line === 'number' && Number.isInteger(line) && line > 0) call.line = line;
  const input = shortPreview(span.input);
  if (input !== undefined) call.input_preview = input;
  const output = shortPreview(span.output);
  if (output !== undefined) call.output_preview = output;
  if (!span.parent_span_id) call.root = true;
  if (span.error_info) {
    const { exception_type: type, message, traceback } = span.error_info;
    call.error = shorten(message ? `${type}: ${message}` : String(type), PREVIEW_CHARS);
    if (typeof traceback === 'string' && traceback)
      call.traceback =
        traceback.length > MAX_TRACEBACK_CHARS ? ownCopy(traceback.slice(-MAX_TRACEBACK_CHARS)) : traceback;
  }
  for (const s of span.feedback_scores ?? []) if (Number.isFinite(s.value)) call.scores[s.name] = s.value;
  return call;
}

function tokensOf(usage: Span['usage']): number {
  if (!usage) return 0;
  const total = usage.total_tokens;
  if (typeof total === 'number' && Number.isFinite(total)) return total;
  const sum = (usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0);
  return Number.isFinite(sum) ? sum : 0;
}

/** A preview that never serialises more than it keeps of a long string. */
function shortPreview(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return shorten(value, PREVIEW_CHARS);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return shorten(text, PREVIEW_CHARS);
}

/**
 * At most `max` characters, as a string of its own: a slice of a long string would keep the
 * whole of it in memory (V8 slices point into their parent) for as long as the index keeps
 * the call.
 */
function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  return ownCopy(`${text.slice(0, max - 1)}…`);
}

function ownCopy(text: string): string {
  // Concatenating then slicing makes V8 flatten into a new string that points at nothing else.
  return ` ${text}`.slice(1);
}
