// Pydantic Logfire (and Pydantic AI through it): GenAI attributes (read by genAi.ts) plus
// its own. Its OpenAI/Anthropic instrumentation writes the request and the reply as JSON in
// `request_data` / `response_data`; Pydantic AI puts the run's price in `operation.cost`.

import type { ChatMessage } from '../../model/chatMessages';
import { parseJsonish, toChatMessage, toChatMessages } from '../../model/chatMessages';
import { isPlainObject } from '../../model/merge';
import type { AttributeBag } from './attributeBag';
import { toNumber } from './attributeBag';
import type { Convention } from './convention';

export const logfire: Convention = {
  name: 'Logfire',
  keys: { cost: ['operation.cost'] },

  spanType: (attrs) => (requestMessages(attrs) ? 'llm' : undefined),

  input(attrs) {
    const messages = requestMessages(attrs);
    return messages ? { messages } : undefined;
  },

  output(attrs) {
    const response = parseJsonish(attrs.all.response_data);
    if (!isPlainObject(response) || !isPlainObject(response.message)) return undefined;
    return toChatMessage(response.message, 'assistant');
  },

  finish(attrs, fields) {
    const request = parseJsonish(attrs.all.request_data);
    const response = parseJsonish(attrs.all.response_data);
    if (!isPlainObject(request) || !requestMessages(attrs)) return;
    attrs.drop('request_data');
    if (typeof request.model === 'string' && !fields.model) fields.model = request.model;
    if (!isPlainObject(response)) return;
    attrs.drop('response_data');
    const usage = isPlainObject(response.usage) ? response.usage : {};
    const prompt = toNumber(usage.prompt_tokens);
    const completion = toNumber(usage.completion_tokens);
    if (!fields.usage && (prompt !== undefined || completion !== undefined)) {
      fields.usage = {
        prompt_tokens: prompt ?? 0,
        completion_tokens: completion ?? 0,
        total_tokens: toNumber(usage.total_tokens) ?? (prompt ?? 0) + (completion ?? 0),
      };
    }
  },
};

function requestMessages(attrs: AttributeBag): ChatMessage[] | undefined {
  if (attrs.all.request_data === undefined) return undefined;
  const request = parseJsonish(attrs.all.request_data);
  return isPlainObject(request) ? toChatMessages(request.messages) : undefined;
}
