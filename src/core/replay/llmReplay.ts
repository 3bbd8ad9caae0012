// Replay LLM Call: an llm span's chat request (messages, model, parameters) as an editable
// JSON document, and that document read back into a request for the AI proxy. The document
// says which span it replays, so the reply can be recorded under it and diffed with it.

import { isPlainObject } from '../model/merge';
import type { Span } from '../model/model';

export const REPLAY_DOC_MARK = 'spanscope_llm_replay';

/** Chat Completions parameters an llm span's metadata may carry (the proxy and the SDK wrappers record them there). */
const CHAT_PARAMETERS = [
  'temperature',
  'top_p',
  'seed',
  'max_tokens',
  'max_completion_tokens',
  'n',
  'stop',
  'presence_penalty',
  'frequency_penalty',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'reasoning_effort',
  'user',
  'stream',
  'stream_options',
  'modalities',
  'prediction',
  'service_tier',
  'store',
  'metadata_tags',
];
export const CACHE_CHOICES = ['auto', 'always', 'never', 'replay'] as const;

export interface ReplayRequest {
  replayOf: { trace_id: string; span_id: string };
  cache: (typeof CACHE_CHOICES)[number];
  body: Record<string, unknown>;
}

/** Whether the span is a chat call that can be replayed (its input a message list). */
export function isReplayableLlm(span: Span): boolean {
  return (
    span.type === 'llm' && isPlainObject(span.input) && Array.isArray((span.input as { messages?: unknown }).messages)
  );
}

export function replayDocument(span: Span): string {
  const meta = span.metadata ?? {};
  const recorded = isPlainObject(meta.parameters) ? (meta.parameters as Record<string, unknown>) : meta;
  const body: Record<string, unknown> = { model: span.model ?? meta.model ?? '' };
  body.messages = (span.input as { messages: unknown[] }).messages;
  for (const key of CHAT_PARAMETERS) if (recorded[key] !== undefined) body[key] = recorded[key];
  if (Array.isArray((span.input as { tools?: unknown }).tools) && body.tools === undefined)
    body.tools = (span.input as { tools: unknown }).tools;
  const doc = {
    [REPLAY_DOC_MARK]: {
      replay_of: { trace_id: span.trace_id, span_id: span.id },
      span: span.name,
      note: 'Edit the request below, then Run (the CodeLens above, or "Spanscope: Run LLM Replay"). cache: auto | always | never | replay (replay answers only from the proxy cache, offline).',
      cache: 'auto',
    },
    request: body,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** The request a replay document describes, or what is wrong with it. */
export function parseReplayDocument(text: string): ReplayRequest | string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return `The replay document is not valid JSON: ${(err as Error).message}`;
  }
  if (!isPlainObject(doc) || !isPlainObject(doc[REPLAY_DOC_MARK]))
    return `This is not a Spanscope replay document (no "${REPLAY_DOC_MARK}" section).`;
  const mark = doc[REPLAY_DOC_MARK] as Record<string, unknown>;
  const of = mark.replay_of as Record<string, unknown> | undefined;
  if (!isPlainObject(of) || typeof of.trace_id !== 'string' || typeof of.span_id !== 'string')
    return `"${REPLAY_DOC_MARK}.replay_of" must keep the trace_id and span_id of the span it replays.`;
  const cache = mark.cache ?? 'auto';
  if (!(CACHE_CHOICES as readonly unknown[]).includes(cache))
    return `"cache" must be one of ${CACHE_CHOICES.join(', ')}, not ${JSON.stringify(cache)}.`;
  const body = doc.request;
  if (!isPlainObject(body)) return 'The document needs a "request" object (model, messages, parameters).';
  if (typeof body.model !== 'string' || !body.model) return '"request.model" must name a model.';
  if (!Array.isArray(body.messages) || !body.messages.length)
    return '"request.messages" must be a non-empty list of messages.';
  return {
    replayOf: { trace_id: of.trace_id, span_id: of.span_id },
    cache: cache as ReplayRequest['cache'],
    body: body as Record<string, unknown>,
  };
}

/** The text so far of a streamed chat reply, from one SSE `data:` payload. */
export function streamDelta(data: string): string {
  try {
    const chunk = JSON.parse(data) as { choices?: { delta?: { content?: unknown } }[] };
    const content = chunk.choices?.[0]?.delta?.content;
    return typeof content === 'string' ? content : '';
  } catch {
    return '';
  }
}
