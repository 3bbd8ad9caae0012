// A span (or a trace) as plain text for the editor's diff: the same record always renders the
// same way, sections in a fixed order, JSON keys sorted and indented, chat messages one block
// each, so a diff of two calls shows what changed in the prompt and the answer and nothing
// else. Pure; the extension serves it from a read-only document (a content provider).

import { toChatMessage, type ChatMessage } from '../model/chatMessages';
import type { FeedbackScore, Span, TraceDetail } from '../model/model';

/** Characters of one section past which the rest is cut (a diff of megabytes helps no one). */
export const MAX_SECTION_CHARS = 200_000;

type Renderable = Partial<Span> & Pick<Span, 'id' | 'name'>;

export function renderSpanText(span: Renderable, context: { traceName?: string } = {}): string {
  const out: string[] = [];
  const kind = [span.type, span.status, span.duration_ms == null ? undefined : formatMs(span.duration_ms)]
    .filter(Boolean)
    .join(' · ');
  out.push(`# ${span.name || '(unnamed)'}${kind ? `  (${kind})` : ''}`);
  if (context.traceName !== undefined) out.push(`trace: ${context.traceName}`);
  if (span.code_location?.file)
    out.push(
      `code: ${span.code_location.file}:${span.code_location.line}${span.code_location.function ? ` (${span.code_location.function})` : ''}`,
    );
  if (span.model || span.provider)
    out.push(`model: ${[span.model, span.provider && `(${span.provider})`].filter(Boolean).join(' ')}`);
  if (span.start_time) out.push(`started: ${span.start_time}`);

  const input = messagesOf(span.input);
  if (input) section(out, 'Messages', input.map(messageBlock).join('\n\n'));
  else if (span.input !== undefined) section(out, 'Input', valueText(span.input));
  const outputMessage = outputMessageOf(span.output);
  if (outputMessage) section(out, 'Output', messageBlock(outputMessage));
  else if (span.output !== undefined) section(out, 'Output', valueText(span.output));
  if (span.expected !== undefined) section(out, 'Expected', valueText(span.expected));
  const params = parametersOf(span);
  if (params) section(out, 'Parameters', valueText(params));
  if (span.usage && Object.keys(span.usage).length) {
    section(
      out,
      'Usage',
      Object.keys(span.usage)
        .sort()
        .map((k) => `${k}: ${span.usage![k]}`)
        .join('\n'),
    );
  }
  if (typeof span.total_estimated_cost === 'number')
    section(out, 'Cost', `$${span.total_estimated_cost.toFixed(6).replace(/0+$/, '').replace(/\.$/, '')}`);
  if (span.time_to_first_token_ms !== undefined)
    section(out, 'Time to first token', formatMs(span.time_to_first_token_ms));
  if (span.feedback_scores?.length) section(out, 'Scores', scoresText(span.feedback_scores));
  if (span.error_info) {
    const e = span.error_info;
    section(
      out,
      'Error',
      [`${e.exception_type}${e.message ? `: ${e.message}` : ''}`, e.traceback ? `\n${e.traceback.trimEnd()}` : ''].join(
        '',
      ),
    );
  }
  if (span.metadata && Object.keys(span.metadata).length) section(out, 'Metadata', valueText(span.metadata));
  if (span.tags?.length) section(out, 'Tags', [...span.tags].sort().join(', '));
  return `${out.join('\n')}\n`;
}

/** A whole trace: its own record, then each span in start order, indented by depth in the heading. */
export function renderTraceText(detail: TraceDetail): string {
  const t = detail.trace;
  const head = renderSpanText({ ...t, id: t.id, name: t.name, type: undefined });
  const spans = [...detail.spans].sort((a, b) =>
    a.start_time < b.start_time ? -1 : a.start_time > b.start_time ? 1 : 0,
  );
  return [head, ...spans.map((s) => renderSpanText(s).replace(/^# /, '## Span: '))].join('\n');
}

function section(out: string[], title: string, body: string): void {
  out.push(
    '',
    `## ${title}`,
    body.length > MAX_SECTION_CHARS
      ? `${body.slice(0, MAX_SECTION_CHARS)}\n… (${body.length - MAX_SECTION_CHARS} more characters)`
      : body,
  );
}

function messagesOf(input: unknown): ChatMessage[] | undefined {
  const list =
    input && typeof input === 'object' && !Array.isArray(input)
      ? (input as { messages?: unknown }).messages
      : undefined;
  if (!Array.isArray(list) || !list.length) return undefined;
  const messages = list.map((m) => toChatMessage(m));
  return messages.every((m) => m !== undefined) ? (messages as ChatMessage[]) : undefined;
}

function outputMessageOf(output: unknown): ChatMessage | undefined {
  if (!output || typeof output !== 'object' || Array.isArray(output)) return undefined;
  const o = output as Record<string, unknown>;
  if (typeof o.role !== 'string' || !('content' in o || 'tool_calls' in o)) return undefined;
  return toChatMessage(o);
}

function messageBlock(m: ChatMessage): string {
  const head = `### ${m.role}${m.name ? ` (${m.name})` : ''}${m.tool_call_id ? ` → ${m.tool_call_id}` : ''}`;
  const body = typeof m.content === 'string' ? m.content : m.content === null ? '' : valueText(m.content);
  const calls = (m.tool_calls ?? []).map((c) => `→ ${c.function.name}(${c.function.arguments})`).join('\n');
  return [head, body, calls].filter((x) => x !== '').join('\n');
}

/** Model parameters as SDKs record them in metadata (temperature, max_tokens, …). */
function parametersOf(span: Renderable): unknown {
  const m = span.metadata;
  if (!m) return undefined;
  for (const key of ['parameters', 'model_parameters', 'invocation_parameters'])
    if (m[key] !== undefined) return m[key];
  return undefined;
}

function scoresText(scores: readonly FeedbackScore[]): string {
  return [...scores]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(
      (s) =>
        `${s.name}: ${s.value}${s.category_name ? ` (${s.category_name})` : ''}${s.reason ? ` — ${s.reason}` : ''}`,
    )
    .join('\n');
}

/** A string as it is; anything else as indented JSON with keys sorted. */
export function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(sortKeys(value, 0), null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

function sortKeys(value: unknown, depth: number): unknown {
  if (depth > 64 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => sortKeys(v, depth + 1));
  // No prototype: a key named __proto__ stays a key.
  const out: Record<string, unknown> = Object.create(null);
  for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k], depth + 1);
  return out;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
