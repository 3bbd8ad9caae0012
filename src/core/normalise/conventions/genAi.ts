// The OpenTelemetry GenAI semantic conventions (`gen_ai.*`): the current names and the older
// ones instrumentations still send. A span is an LLM call when `gen_ai.operation.name` is an
// inference operation, a tool when it is `execute_tool`; agent operations are general.

import type { SpanType } from '../../model/model';
import type { ChatMessage } from '../../model/chatMessages';
import { parseJsonish, systemMessage, toChatMessages } from '../../model/chatMessages';
import { toNumber } from './attributeBag';
import type { Convention } from './convention';

const LLM_OPERATIONS = new Set(['chat', 'text_completion', 'generate_content', 'embeddings']);
/** Time to the first chunk of a stream, in seconds (the OTel attribute; Sentry's name too). */
const TTFT_SECONDS = ['gen_ai.response.time_to_first_chunk', 'gen_ai.response.time_to_first_token'];

export const genAi: Convention = {
  name: 'OTel GenAI',
  keys: {
    model: ['gen_ai.response.model', 'gen_ai.request.model'],
    provider: ['gen_ai.provider.name', 'gen_ai.system'],
    prompt_tokens: ['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens'],
    completion_tokens: ['gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens'],
    total_tokens: ['gen_ai.usage.total_tokens'],
    cached_tokens: ['gen_ai.usage.cache_read.input_tokens', 'gen_ai.usage.cache_read_input_tokens'],
    cache_write_tokens: ['gen_ai.usage.cache_creation.input_tokens', 'gen_ai.usage.cache_creation_input_tokens'],
    reasoning_tokens: ['gen_ai.usage.reasoning.output_tokens', 'gen_ai.usage.reasoning_tokens'],
    cost: ['gen_ai.usage.cost'],
  },
  usagePrefixes: ['gen_ai.usage.'],

  spanType(attrs): SpanType | undefined {
    const operation = attrs.all['gen_ai.operation.name'];
    if (typeof operation !== 'string') return undefined;
    if (operation === 'execute_tool') return 'tool';
    return LLM_OPERATIONS.has(operation) ? 'llm' : 'general'; // invoke_agent, create_agent, …
  },

  input(attrs) {
    const system = attrs.has('gen_ai.system_instructions')
      ? systemMessage(attrs.take('gen_ai.system_instructions'))
      : undefined;
    let messages: ChatMessage[] | undefined;
    if (attrs.has('gen_ai.input.messages')) messages = toChatMessages(attrs.take('gen_ai.input.messages'));
    if (system) messages = [system, ...(messages ?? [])];
    if (messages?.length) return { messages };
    return attrs.has('gen_ai.tool.call.arguments') ? parseJsonish(attrs.take('gen_ai.tool.call.arguments')) : undefined;
  },

  output(attrs) {
    if (attrs.has('gen_ai.output.messages')) {
      const messages = toChatMessages(attrs.all['gen_ai.output.messages']);
      if (messages) {
        attrs.take('gen_ai.output.messages');
        return reply(messages);
      }
    }
    return attrs.has('gen_ai.tool.call.result') ? parseJsonish(attrs.take('gen_ai.tool.call.result')) : undefined;
  },

  finish(attrs, fields) {
    if (fields.time_to_first_token_ms !== undefined) return;
    const key = TTFT_SECONDS.find((k) => toNumber(attrs.all[k]) !== undefined);
    if (key) fields.time_to_first_token_ms = roundMs(toNumber(attrs.take(key))! * 1000);
  },
};

/**
 * The reply, in the shape our SDKs write: the assistant's message, or `{choices: [message, …]}`
 * when the model returned several (n > 1).
 */
export function reply(messages: ChatMessage[] | undefined): ChatMessage | { choices: ChatMessage[] } | undefined {
  if (!messages?.length) return undefined;
  return messages.length === 1 ? messages[0] : { choices: messages };
}

/** Milliseconds to the microsecond. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
