// The Vercel AI SDK (`ai`, `experimental_telemetry: { isEnabled: true }`). Each call makes a
// wrapper span (`ai.generateText`, `ai.streamText`, …) with one `.doGenerate` / `.doStream`
// child per model call (several when tools loop) and an `ai.toolCall` span per tool run.
// The children are the LLM calls; the wrapper carries the whole call's `ai.usage.*` again,
// so it is a general span whose usage is dropped (counted once, on the children). The
// wrapper is named by the app's `functionId` and takes its input from `ai.prompt`.

import { isPlainObject } from '../../model/merge';
import type { ChatMessage } from '../../model/chatMessages';
import { parseJsonish, toChatMessage, toChatMessages } from '../../model/chatMessages';
import type { AttributeBag } from './attributeBag';
import type { Convention } from './convention';

const WRAPPERS = new Set([
  'ai.generateText',
  'ai.streamText',
  'ai.generateObject',
  'ai.streamObject',
  'ai.embed',
  'ai.embedMany',
]);
/** Copies of other attributes: the span name with the function id, and the function id alone. */
const ECHOES = ['operation.name', 'resource.name'];
/** Parts of counters already read (the uncached part of the input, the text part of the output). */
const DERIVED_COUNTERS = ['ai.usage.inputTokenDetails.noCacheTokens', 'ai.usage.outputTokenDetails.textTokens'];

const operationOf = (attrs: AttributeBag): string | undefined => {
  const id = attrs.all['ai.operationId'];
  return typeof id === 'string' ? id : undefined;
};

export const vercelAi: Convention = {
  name: 'Vercel AI SDK',
  keys: {
    model: ['ai.response.model', 'ai.model.id'],
    provider: ['ai.model.provider'],
    prompt_tokens: ['ai.usage.inputTokens', 'ai.usage.promptTokens'],
    completion_tokens: ['ai.usage.outputTokens', 'ai.usage.completionTokens'],
    total_tokens: ['ai.usage.totalTokens'],
    cached_tokens: ['ai.usage.inputTokenDetails.cacheReadTokens', 'ai.usage.cachedInputTokens'],
    cache_write_tokens: ['ai.usage.inputTokenDetails.cacheWriteTokens'],
    reasoning_tokens: ['ai.usage.outputTokenDetails.reasoningTokens', 'ai.usage.reasoningTokens'],
    time_to_first_token_ms: ['ai.response.msToFirstChunk'],
  },
  mappedEvents: ['ai.stream.firstChunk'],

  spanType(attrs) {
    const operation = operationOf(attrs);
    if (operation === undefined) return undefined;
    if (operation === 'ai.toolCall') return 'tool';
    if (/\.do(Generate|Stream|Embed)$/.test(operation)) return 'llm';
    return 'general';
  },

  isWrapper: (attrs) => WRAPPERS.has(operationOf(attrs) ?? ''),

  input(attrs) {
    if (operationOf(attrs) === 'ai.toolCall' && attrs.has('ai.toolCall.args'))
      return parseJsonish(attrs.take('ai.toolCall.args'));
    if (attrs.has('ai.prompt.messages')) {
      const messages = toChatMessages(attrs.take('ai.prompt.messages'));
      return messages && { messages };
    }
    if (attrs.has('ai.prompt')) return promptInput(attrs.take('ai.prompt'));
    return undefined;
  },

  output(attrs) {
    if (operationOf(attrs) === 'ai.toolCall' && attrs.has('ai.toolCall.result'))
      return parseJsonish(attrs.take('ai.toolCall.result'));
    if (attrs.has('ai.response.object')) return parseJsonish(attrs.take('ai.response.object'));
    if (!attrs.has('ai.response.text') && !attrs.has('ai.response.toolCalls')) return undefined;
    const calls = parseJsonish(attrs.take('ai.response.toolCalls'));
    const message = toChatMessage({ role: 'assistant', content: attrs.take('ai.response.text') ?? null });
    if (message && Array.isArray(calls)) {
      const parts = calls.map((c) => (isPlainObject(c) ? { type: 'tool-call', ...c } : c));
      const withCalls = toChatMessage({ role: 'assistant', content: parts });
      if (withCalls?.tool_calls) message.tool_calls = withCalls.tool_calls;
    }
    return message;
  },

  finish(attrs, fields) {
    const operation = operationOf(attrs);
    if (operation === undefined) return;
    attrs.drop('ai.operationId', ...ECHOES, ...DERIVED_COUNTERS);
    // `openai.chat`, `openai.responses`, `anthropic.messages`: the provider, then which of its APIs.
    if (fields.provider?.includes('.')) fields.provider = fields.provider.slice(0, fields.provider.indexOf('.'));
    if (operation === 'ai.toolCall') {
      const name = attrs.takeString('ai.toolCall.name');
      if (name) fields.name = name;
      const id = attrs.takeString('ai.toolCall.id');
      if (id) fields.metadata = { ...fields.metadata, tool_call_id: id };
    } else if (WRAPPERS.has(operation)) {
      const functionId = attrs.takeString('ai.telemetry.functionId');
      if (functionId) fields.name = functionId;
      attrs.entriesUnder('ai.usage'); // the sum of its calls' usage: counted on them
    }
  },
};

/** `ai.prompt`: `{system?, prompt?, messages?}` as JSON → chat messages. */
function promptInput(value: unknown): unknown {
  const prompt = parseJsonish(value);
  if (!isPlainObject(prompt)) return prompt;
  const messages: ChatMessage[] = [];
  if (typeof prompt.system === 'string' && prompt.system) messages.push({ role: 'system', content: prompt.system });
  if (typeof prompt.prompt === 'string') messages.push({ role: 'user', content: prompt.prompt });
  else if (Array.isArray(prompt.prompt)) messages.push(...(toChatMessages(prompt.prompt) ?? []));
  if (Array.isArray(prompt.messages)) messages.push(...(toChatMessages(prompt.messages) ?? []));
  return messages.length ? { messages } : prompt;
}
