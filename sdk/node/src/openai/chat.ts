// `chat.completions.create`: messages in, the assistant's message out (content and tool
// calls), plain or streamed. A stream reports usage only in its last chunk, and only when
// the request asked for it with `stream_options: { include_usage: true }`.

import { normaliseUsage } from './usage.js';
import { record, requestMetadata, type LlmApi, type LlmResult, type StreamAssembler } from './api.js';

export const chatApi: LlmApi = {
  spanName: 'chat.completions.create',
  request(body) {
    return { input: { messages: body.messages }, metadata: requestMetadata(body, ['messages', 'model']) };
  },
  response(result) {
    const completion = record(result);
    const choices = Array.isArray(completion.choices) ? completion.choices.map(record) : [];
    const messages = choices.map((c) => replyMessage(record(c.message)));
    return {
      output: reply(messages),
      usage: normaliseUsage(completion.usage),
      model: typeof completion.model === 'string' ? completion.model : undefined,
      metadata: replyMetadata(
        completion.id,
        choices.map((c) => c.finish_reason),
      ),
    };
  },
  assembler: () => new ChatAssembler(),
};

interface ToolCall {
  id?: string;
  type: string;
  function: { name: string; arguments: string };
}

interface Choice {
  role: string;
  content: string;
  refusal: string;
  toolCalls: Map<number, ToolCall>;
  finishReason?: unknown;
}

class ChatAssembler implements StreamAssembler {
  private readonly choices = new Map<number, Choice>();
  private usage: unknown;
  private model: string | undefined;
  private id: unknown;

  add(item: unknown): void {
    const chunk = record(item);
    if (typeof chunk.model === 'string') this.model = chunk.model;
    if (chunk.id !== undefined) this.id = chunk.id;
    if (chunk.usage) this.usage = chunk.usage;
    for (const raw of Array.isArray(chunk.choices) ? chunk.choices : []) {
      const c = record(raw);
      const index = typeof c.index === 'number' ? c.index : 0;
      let choice = this.choices.get(index);
      if (!choice)
        this.choices.set(index, (choice = { role: 'assistant', content: '', refusal: '', toolCalls: new Map() }));
      const delta = record(c.delta);
      if (typeof delta.role === 'string') choice.role = delta.role;
      if (typeof delta.content === 'string') choice.content += delta.content;
      if (typeof delta.refusal === 'string') choice.refusal += delta.refusal;
      for (const rawCall of Array.isArray(delta.tool_calls) ? delta.tool_calls : [])
        addToolCall(choice, record(rawCall));
      if (c.finish_reason) choice.finishReason = c.finish_reason;
    }
  }

  result(): LlmResult {
    const ordered = [...this.choices.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c);
    const messages = ordered.map(toMessage);
    return {
      output: reply(messages),
      usage: normaliseUsage(this.usage),
      model: this.model,
      metadata: replyMetadata(
        this.id,
        ordered.map((c) => c.finishReason),
      ),
    };
  }
}

function addToolCall(choice: Choice, delta: Record<string, unknown>): void {
  const index = typeof delta.index === 'number' ? delta.index : choice.toolCalls.size;
  let call = choice.toolCalls.get(index);
  if (!call) choice.toolCalls.set(index, (call = { type: 'function', function: { name: '', arguments: '' } }));
  if (typeof delta.id === 'string') call.id = delta.id;
  if (typeof delta.type === 'string') call.type = delta.type;
  const fn = record(delta.function);
  if (typeof fn.name === 'string') call.function.name += fn.name;
  if (typeof fn.arguments === 'string') call.function.arguments += fn.arguments;
}

function toMessage(choice: Choice): Record<string, unknown> {
  const message: Record<string, unknown> = { role: choice.role, content: choice.content || null };
  if (choice.refusal) message.refusal = choice.refusal;
  if (choice.toolCalls.size)
    message.tool_calls = [...choice.toolCalls.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c);
  return message;
}

/**
 * The model's shape for a reply, as the Python SDK and OTLP write it too: the assistant message
 * itself, or `{choices: [message, …]}` when the request asked for several (n > 1).
 */
function reply(messages: Record<string, unknown>[]): unknown {
  return messages.length === 1 ? messages[0] : { choices: messages };
}

/** `{role, content, tool_calls?, refusal?}` of a returned message, without the client's empty extras (`refusal: null`, `annotations: []`…). */
function replyMessage(raw: Record<string, unknown>): Record<string, unknown> {
  const message: Record<string, unknown> = {
    role: typeof raw.role === 'string' ? raw.role : 'assistant',
    content: raw.content ?? null,
  };
  if (Array.isArray(raw.tool_calls) && raw.tool_calls.length) {
    message.tool_calls = raw.tool_calls.map((c) => {
      const call = record(c);
      const fn = record(call.function);
      return {
        id: call.id,
        type: typeof call.type === 'string' ? call.type : 'function',
        function: { name: fn.name, arguments: fn.arguments },
      };
    });
  }
  if (raw.refusal) message.refusal = raw.refusal;
  return message;
}

function replyMetadata(id: unknown, finishReasons: unknown[]): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  if (typeof id === 'string') metadata.response_id = id;
  const reasons = finishReasons.filter((r) => r !== undefined && r !== null);
  if (reasons.length === 1) metadata.finish_reason = reasons[0];
  else if (reasons.length > 1) metadata.finish_reasons = reasons;
  return metadata;
}
