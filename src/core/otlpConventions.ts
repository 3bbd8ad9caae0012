// What an OTel span's attributes mean in the model. Instrumentations for LLM apps write the
// same facts under different keys — the OTel GenAI semantic conventions (current and older
// OpenLLMetry keys), OpenInference (Phoenix, Arize), the Vercel AI SDK — so each model field
// is read from the first key that has it. A key whose whole content went into a model field
// is consumed; every other attribute stays in `metadata` as it came, so nothing is lost.

import type { CodeLocation, SpanType, Usage } from './model';
import { isPlainObject } from './merge';
import type { ChatMessage } from './chatMessages';
import { openInferenceMessages, openLlmetryMessages, parseJsonish, systemMessage, toChatMessage, toChatMessages, unflatten } from './chatMessages';

/** Attributes of one span, with a record of which ones a model field took. */
export class AttributeBag {
  private readonly used = new Set<string>();
  constructor(readonly all: Record<string, unknown>) {}

  has(key: string): boolean {
    return this.all[key] !== undefined;
  }

  /** The value of the first of `keys` that is present, marking it consumed. */
  take(...keys: string[]): unknown {
    for (const key of keys) {
      if (this.all[key] !== undefined) {
        this.used.add(key);
        return this.all[key];
      }
    }
    return undefined;
  }

  takeString(...keys: string[]): string | undefined {
    for (const key of keys) {
      const value = this.all[key];
      if (typeof value === 'string' && value) return this.take(key) as string;
    }
    return undefined;
  }

  takeNumber(...keys: string[]): number | undefined {
    for (const key of keys) {
      const n = toNumber(this.all[key]);
      if (n !== undefined) {
        this.used.add(key);
        return n;
      }
    }
    return undefined;
  }

  /** Entries under `prefix.` (keys relative to it), consumed when `consume` says so. */
  entriesUnder(prefix: string, consume = true): [string, unknown][] {
    const out: [string, unknown][] = [];
    const start = prefix + '.';
    for (const key of Object.keys(this.all)) {
      if (!key.startsWith(start)) continue;
      out.push([key.slice(start.length), this.all[key]]);
      if (consume) this.used.add(key);
    }
    return out;
  }

  /** Every attribute no model field took. */
  rest(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(this.all)) if (!this.used.has(key)) out[key] = this.all[key];
    return out;
  }
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

export interface ConventionFields {
  type: SpanType;
  model?: string;
  provider?: string;
  usage?: Usage;
  total_estimated_cost?: number;
  input?: unknown;
  output?: unknown;
  code_location?: CodeLocation;
  tags?: string[];
  /** Structured metadata a convention carries as one attribute (OpenInference `metadata`). */
  metadata?: Record<string, unknown>;
}

export function readConventions(attrs: AttributeBag): ConventionFields {
  const fields: ConventionFields = { type: 'general' };
  const messagesIn = inputMessages(attrs);
  const messageOut = outputMessage(attrs);
  fields.type = spanType(attrs, messagesIn !== undefined || messageOut !== undefined);
  set(fields, 'model', attrs.takeString('gen_ai.response.model', 'gen_ai.request.model', 'llm.model_name', 'ai.model.id'));
  set(fields, 'provider', attrs.takeString('gen_ai.provider.name', 'gen_ai.system', 'llm.provider', 'llm.system', 'ai.model.provider'));
  set(fields, 'usage', usage(attrs));
  set(fields, 'total_estimated_cost', attrs.takeNumber('llm.cost.total', 'gen_ai.usage.cost'));
  set(fields, 'input', messagesIn ? { messages: messagesIn } : plainValue(attrs, 'input') ?? jsonValue(attrs, 'gen_ai.tool.call.arguments'));
  set(fields, 'output', messageOut ?? plainValue(attrs, 'output') ?? jsonValue(attrs, 'gen_ai.tool.call.result'));
  set(fields, 'code_location', codeLocation(attrs));
  const tags = attrs.all['tag.tags'];
  if (Array.isArray(tags) && tags.every((t) => typeof t === 'string')) fields.tags = attrs.take('tag.tags') as string[];
  const metadata = parseJsonish(attrs.all.metadata);
  if (isPlainObject(metadata)) {
    attrs.take('metadata');
    fields.metadata = metadata;
  }
  return fields;
}

function set<K extends keyof ConventionFields>(fields: ConventionFields, key: K, value: ConventionFields[K] | undefined): void {
  if (value !== undefined) fields[key] = value;
}

// ---- span type --------------------------------------------------------------------------

const OPENINFERENCE_KINDS: Record<string, SpanType> = { llm: 'llm', embedding: 'llm', tool: 'tool', guardrail: 'guardrail' };
const GENAI_LLM_OPERATIONS = new Set(['chat', 'text_completion', 'generate_content', 'embeddings']);

function spanType(attrs: AttributeBag, hasMessages: boolean): SpanType {
  const kind = attrs.all['openinference.span.kind'];
  if (typeof kind === 'string') return OPENINFERENCE_KINDS[kind.toLowerCase()] ?? 'general';
  const operation = attrs.all['gen_ai.operation.name'];
  if (operation === 'execute_tool') return 'tool';
  if (typeof operation === 'string' && GENAI_LLM_OPERATIONS.has(operation)) return 'llm';
  if (attrs.all['traceloop.span.kind'] === 'tool') return 'tool';
  if (typeof attrs.all['llm.request.type'] === 'string') return 'llm';
  const vercel = attrs.all['ai.operationId'];
  if (vercel === 'ai.toolCall') return 'tool';
  if (typeof vercel === 'string' && /\.do(Generate|Stream|Embed)$/.test(vercel)) return 'llm';
  if (typeof operation === 'string') return 'general'; // invoke_agent, create_agent, …
  return hasMessages || attrs.has('gen_ai.request.model') || attrs.has('llm.model_name') ? 'llm' : 'general';
}

// ---- usage ------------------------------------------------------------------------------

function usage(attrs: AttributeBag): Usage | undefined {
  const out: Usage = {};
  const prompt = attrs.takeNumber('gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens', 'llm.token_count.prompt', 'ai.usage.promptTokens', 'ai.usage.inputTokens');
  const completion = attrs.takeNumber('gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens', 'llm.token_count.completion', 'ai.usage.completionTokens', 'ai.usage.outputTokens');
  const total = attrs.takeNumber('llm.usage.total_tokens', 'gen_ai.usage.total_tokens', 'llm.token_count.total', 'ai.usage.totalTokens');
  if (prompt !== undefined) out.prompt_tokens = prompt;
  if (completion !== undefined) out.completion_tokens = completion;
  if (total !== undefined) out.total_tokens = total;
  else if (prompt !== undefined || completion !== undefined) out.total_tokens = (prompt ?? 0) + (completion ?? 0);
  // Other counters (cache reads, reasoning tokens) are kept beside the canonical three.
  for (const key of Object.keys(attrs.all)) {
    const prefix = key.startsWith('gen_ai.usage.') ? 'gen_ai.usage.' : key.startsWith('llm.token_count.') ? 'llm.token_count.' : undefined;
    if (!prefix) continue;
    const name = key.slice(prefix.length);
    const n = toNumber(attrs.all[key]);
    if (n === undefined || name === 'cost') continue;
    attrs.take(key);
    if (!COUNTER_ALIASES.has(name)) out[name] = n;
  }
  return Object.keys(out).length ? out : undefined;
}

/** Counters already read into the canonical three above. */
const COUNTER_ALIASES = new Set(['input_tokens', 'output_tokens', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'prompt', 'completion', 'total']);

// ---- input and output -------------------------------------------------------------------

function reply(messages: ChatMessage[] | undefined): ChatMessage | { choices: ChatMessage[] } | undefined {
  if (!messages?.length) return undefined;
  return messages.length === 1 ? messages[0] : { choices: messages };
}

function inputMessages(attrs: AttributeBag): ChatMessage[] | undefined {
  const system = attrs.has('gen_ai.system_instructions') ? systemMessage(attrs.take('gen_ai.system_instructions')) : undefined;
  let messages: ChatMessage[] | undefined;
  if (attrs.has('gen_ai.input.messages')) messages = toChatMessages(attrs.take('gen_ai.input.messages'));
  else if (attrs.entriesUnder('llm.input_messages', false).length) messages = openInferenceMessages(unflatten(attrs.entriesUnder('llm.input_messages')));
  else if (attrs.entriesUnder('gen_ai.prompt', false).length) messages = openLlmetryMessages(unflatten(attrs.entriesUnder('gen_ai.prompt')), 'user');
  else if (attrs.has('ai.prompt.messages')) messages = toChatMessages(attrs.take('ai.prompt.messages'));
  if (system) messages = [system, ...(messages ?? [])];
  return messages?.length ? messages : undefined;
}

/**
 * The reply, in the shape our SDKs write: the assistant's message, or `{choices: [message, …]}`
 * when the model returned several (n > 1).
 */
function outputMessage(attrs: AttributeBag): ChatMessage | { choices: ChatMessage[] } | undefined {
  if (attrs.has('gen_ai.output.messages')) {
    const messages = toChatMessages(attrs.all['gen_ai.output.messages']);
    if (messages) attrs.take('gen_ai.output.messages');
    return reply(messages);
  }
  if (attrs.entriesUnder('llm.output_messages', false).length) return reply(openInferenceMessages(unflatten(attrs.entriesUnder('llm.output_messages'))));
  if (attrs.entriesUnder('gen_ai.completion', false).length) return reply(openLlmetryMessages(unflatten(attrs.entriesUnder('gen_ai.completion')), 'assistant'));
  if (attrs.has('ai.response.text') || attrs.has('ai.response.toolCalls')) {
    const calls = parseJsonish(attrs.take('ai.response.toolCalls'));
    const message = toChatMessage({ role: 'assistant', content: attrs.take('ai.response.text') ?? null });
    if (message && Array.isArray(calls)) {
      const parts = calls.map((c) => (isPlainObject(c) ? { type: 'tool-call', ...c } : c));
      const withCalls = toChatMessage({ role: 'assistant', content: parts });
      if (withCalls?.tool_calls) message.tool_calls = withCalls.tool_calls;
    }
    return message;
  }
  return undefined;
}

/** OpenInference `input.value` / `output.value`, parsed when `*.mime_type` says JSON. */
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

function jsonValue(attrs: AttributeBag, key: string): unknown {
  return attrs.has(key) ? parseJsonish(attrs.take(key)) : undefined;
}

// ---- code location ----------------------------------------------------------------------

/** The path of a `file://` URL; one whose escapes are not UTF-8 (a URIError, a 500) is kept as it came. */
function fileUrlPath(url: string): string {
  try {
    return decodeURIComponent(url.slice('file://'.length));
  } catch {
    return url;
  }
}

function codeLocation(attrs: AttributeBag): CodeLocation | undefined {
  const file = attrs.all['code.file.path'] ?? attrs.all['code.filepath'];
  const line = toNumber(attrs.all['code.line.number'] ?? attrs.all['code.lineno']);
  if (typeof file !== 'string' || !file || line === undefined || !Number.isInteger(line) || line < 1) return undefined;
  attrs.take('code.file.path', 'code.filepath');
  attrs.take('code.line.number', 'code.lineno');
  const location: CodeLocation = { file: file.startsWith('file://') ? fileUrlPath(file) : file, line };
  const fn = attrs.takeString('code.function.name', 'code.function');
  if (fn) location.function = fn;
  return location;
}
