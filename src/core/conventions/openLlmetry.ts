// OpenLLMetry (Traceloop; `@traceloop/node-server-sdk`, `traceloop-sdk`): LLM spans in the
// older GenAI names, with messages flattened into `gen_ai.prompt.N.*` / `gen_ai.completion.N.*`
// and `llm.request.type` marking the call; the app's own functions (`@workflow`, `@task`,
// `@agent`, `@tool`) as spans with `traceloop.span.kind`, `traceloop.entity.name` and the
// function's arguments and result as JSON in `traceloop.entity.input` / `.output`.

import { openLlmetryMessages, parseJsonish, unflatten } from '../chatMessages';
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
    if (attrs.entriesUnder('gen_ai.prompt', false).length) return { messages: openLlmetryMessages(unflatten(attrs.entriesUnder('gen_ai.prompt')), 'user') };
    return attrs.has('traceloop.entity.input') ? entityValue(attrs.take('traceloop.entity.input')) : undefined;
  },

  output(attrs) {
    if (attrs.entriesUnder('gen_ai.completion', false).length) return reply(openLlmetryMessages(unflatten(attrs.entriesUnder('gen_ai.completion')), 'assistant'));
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
 * A function's arguments or result as Traceloop writes them: JSON text; the Node SDK wraps
 * arguments as `{args: [...]}`, the Python one as `{args, kwargs}`. One argument and no
 * keyword arguments reads best as that argument.
 */
function entityValue(value: unknown): unknown {
  const parsed = parseJsonish(value);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return parsed;
  const { args, kwargs, ...rest } = parsed as Record<string, unknown>;
  const noKwargs = kwargs === undefined || (typeof kwargs === 'object' && kwargs !== null && Object.keys(kwargs).length === 0);
  if (Array.isArray(args) && args.length === 1 && noKwargs && Object.keys(rest).length === 0) return args[0];
  return parsed;
}
