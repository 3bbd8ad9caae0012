// OpenInference (Arize Phoenix; `@arizeai/openinference-instrumentation-*`). The span kind is
// `openinference.span.kind`: LLM and EMBEDDING spans are LLM calls, TOOL and GUARDRAIL their
// own types, CHAIN / AGENT / RETRIEVER / … general. Messages are flattened into
// `llm.input_messages.N.message.*`; `input.value` / `output.value` carry the whole request
// and reply again, so once messages were read from the flattened keys they are dropped
// rather than kept as a second copy in metadata.

import type { SpanType } from '../../model/model';
import { openInferenceMessages, parseJsonish, unflatten } from '../../model/chatMessages';
import type { AttributeBag } from './attributeBag';
import type { Convention } from './convention';
import { reply } from './genAi';

const KINDS: Record<string, SpanType> = { llm: 'llm', embedding: 'llm', tool: 'tool', guardrail: 'guardrail' };
const PLAIN_KEYS = ['input.value', 'input.mime_type', 'output.value', 'output.mime_type'];

export const openInference: Convention = {
  name: 'OpenInference',
  keys: {
    model: ['llm.model_name'],
    provider: ['llm.provider', 'llm.system'],
    prompt_tokens: ['llm.token_count.prompt'],
    completion_tokens: ['llm.token_count.completion'],
    total_tokens: ['llm.token_count.total'],
    cached_tokens: ['llm.token_count.prompt_details.cache_read'],
    cache_write_tokens: ['llm.token_count.prompt_details.cache_write'],
    reasoning_tokens: ['llm.token_count.completion_details.reasoning'],
    cost: ['llm.cost.total'],
  },
  usagePrefixes: ['llm.token_count.'],

  spanType(attrs) {
    const kind = attrs.all['openinference.span.kind'];
    if (typeof kind !== 'string') return undefined;
    // A kind the type says all of leaves metadata; CHAIN, AGENT, RETRIEVER, EMBEDDING… say more than `general` / `llm`.
    const type = KINDS[kind.toLowerCase()] ?? 'general';
    if (type !== 'general' && kind.toLowerCase() !== 'embedding') attrs.drop('openinference.span.kind');
    return type;
  },

  input(attrs) {
    if (attrs.entriesUnder('llm.input_messages', false).length) {
      attrs.drop(...PLAIN_KEYS.slice(0, 2));
      return { messages: openInferenceMessages(unflatten(attrs.entriesUnder('llm.input_messages'))) };
    }
    return plainValue(attrs, 'input');
  },

  output(attrs) {
    if (attrs.entriesUnder('llm.output_messages', false).length) {
      attrs.drop(...PLAIN_KEYS.slice(2));
      return reply(openInferenceMessages(unflatten(attrs.entriesUnder('llm.output_messages'))));
    }
    return plainValue(attrs, 'output');
  },

  finish(attrs, fields) {
    const tags = attrs.all['tag.tags'];
    if (Array.isArray(tags) && tags.every((t) => typeof t === 'string'))
      fields.tags = attrs.take('tag.tags') as string[];
    const metadata = parseJsonish(attrs.all.metadata);
    if (metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata)) {
      attrs.take('metadata');
      fields.metadata = metadata as Record<string, unknown>;
    }
  },
};

/** `input.value` / `output.value`, parsed when `*.mime_type` says JSON. */
function plainValue(attrs: AttributeBag, which: 'input' | 'output'): unknown {
  const value = attrs.all[`${which}.value`];
  if (value === undefined) return undefined;
  attrs.take(`${which}.value`);
  const mime = attrs.take(`${which}.mime_type`);
  if (typeof value === 'string' && typeof mime === 'string' && mime.includes('json')) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}
