// OpenLLMetry (Traceloop; `@traceloop/node-server-sdk`, `traceloop-sdk`): LLM spans in the
// older GenAI names, with messages flattened into `gen_ai.prompt.N.*` / `gen_ai.completion.N.*`
// and `llm.request.type` marking the call; the app's own functions (`@workflow`, `@task`,
// `@agent`, `@tool`) as spans with `traceloop.span.kind`, `traceloop.entity.name` and the
// function's arguments and result as JSON in `traceloop.entity.input` / `.output`.

import { openLlmetryMessages, unflatten } from '../../model/chatMessages';
import type { Convention } from './convention';
import { reply } from './genAi';

/** The decorated functions' kinds (a Traceloop "entity"): only `tool` has a type of its own. */
const ENTITY_KINDS = new Set(['workflow', 'task', 'agent', 'tool']);

export const openLlmetry: Convention = {
  name: 'OpenLLMetry',
  keys: {
    total_tokens: ['llm.usage.total_tokens'],
    cached_tokens: ['gen_ai.usage.cache_read_input_tokens'],
    cache_write_tokens: ['gen_ai.usage.cache_creation_input_tokens'],
    reasoning_tokens: ['llm.usage.reasoning_tokens'],
  },

  spanType(attrs) {
    const kind = attrs.all['traceloop.span.kind'];
    if (typeof kind === 'string' && ENTITY_KINDS.has(kind)) return kind === 'tool' ? 'tool' : 'general';
    if (typeof attrs.all['llm.request.type'] === 'string') return 'llm';
    return undefined;
  },

  input(attrs) {
    if (attrs.entriesUnder('gen_ai.prompt', false).length)
      return { messages: openLlmetryMessages(unflatten(attrs.entriesUnder('gen_ai.prompt')), 'user') };
    return attrs.has('traceloop.entity.input') ? entityValue(attrs.take('traceloop.entity.input')) : undefined;
  },

  output(attrs) {
    if (attrs.entriesUnder('gen_ai.completion', false).length)
      return reply(openLlmetryMessages(unflatten(attrs.entriesUnder('gen_ai.completion')), 'assistant'));
    return attrs.has('traceloop.entity.output') ? entityValue(attrs.take('traceloop.entity.output')) : undefined;
  },

  finish(attrs, fields) {
    const kind = attrs.all['traceloop.span.kind'];
    if (typeof kind !== 'string' || !ENTITY_KINDS.has(kind)) return;
    attrs.drop('traceloop.span.kind');
    const name = attrs.takeString('traceloop.entity.name');
    if (name) fields.name = name;
  },
};

/**
 * A function's arguments or result as Traceloop writes them: JSON text (a string result too);
 * arguments wrapped as `{args: [...], kwargs: {...}}` (the Node SDK puts an object argument
 * in `kwargs`). One argument reads best as that argument.
 */
function entityValue(value: unknown): unknown {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return value;
    }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return parsed;
  const { args, kwargs, ...rest } = parsed as Record<string, unknown>;
  if (!Array.isArray(args) || Object.keys(rest).length) return parsed;
  const named = kwargs !== null && typeof kwargs === 'object' && Object.keys(kwargs).length ? kwargs : undefined;
  if (args.length === 0 && named) return named;
  if (args.length === 1 && !named) return args[0];
  return parsed;
}
