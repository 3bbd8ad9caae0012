// What an OpenAI-compatible API call says, in the model's terms: the request body becomes a
// span's input (chat messages, as chatMessages.ts defines them), model and parameters; the
// reply (a JSON body, or the events of a server-sent stream) becomes its output, usage and
// model. The AI proxy (src/collector/proxy) records every call it forwards with this. Pure:
// bodies come in parsed, nothing is read or written here.

import type { ErrorInfo, Usage } from '../model/model';
import { type ChatMessage, toChatMessage, toChatMessages } from '../model/chatMessages';
import { isPlainObject } from '../model/merge';
import { setOwn } from '../normalise/limits';

export type OpenAiEndpoint = 'chat.completions' | 'responses' | 'completions' | 'embeddings' | 'models' | 'other';

/** `/chat/completions` → `chat.completions`; the path is what follows the base URL (`/v1`). */
export function endpointOf(path: string): OpenAiEndpoint {
  const p = path.split('?')[0].replace(/\/+$/, '');
  if (p === '/chat/completions') return 'chat.completions';
  if (p === '/responses') return 'responses';
  if (p === '/completions') return 'completions';
  if (p === '/embeddings') return 'embeddings';
  if (p === '/models' || p.startsWith('/models/')) return 'models';
  return 'other';
}

export interface CallRequest {
  input?: unknown;
  model?: string;
  /** The request's parameters other than its input and model (temperature, seed, tools, …). */
  metadata: Record<string, unknown>;
  stream: boolean;
}

export interface CallResult {
  output?: unknown;
  usage?: Usage;
  model?: string;
  metadata: Record<string, unknown>;
  /** A failure the API reported inside a 2xx reply or a stream (a failed response, an `error` event). */
  error?: ErrorInfo;
}

const INPUT_FIELDS: Record<OpenAiEndpoint, string[]> = {
  'chat.completions': ['messages'],
  responses: ['input', 'instructions'],
  completions: ['prompt'],
  embeddings: ['input'],
  models: [],
  other: [],
};

export function describeRequest(endpoint: OpenAiEndpoint, body: unknown): CallRequest {
  if (!isPlainObject(body)) return { input: body, metadata: {}, stream: false };
  const own = INPUT_FIELDS[endpoint];
  const metadata: Record<string, unknown> = {};
  // An endpoint not known here records its whole body as the input: not again as parameters.
  const known = endpoint !== 'other' && endpoint !== 'models';
  // setOwn: a `__proto__` field of the body stays a parameter instead of becoming the object's prototype.
  for (const [key, value] of Object.entries(body))
    if (known && key !== 'model' && !own.includes(key) && value !== undefined) setOwn(metadata, key, value);
  return {
    input: requestInput(endpoint, body),
    model: typeof body.model === 'string' ? body.model : undefined,
    metadata,
    stream: body.stream === true,
  };
}

function requestInput(endpoint: OpenAiEndpoint, body: Record<string, unknown>): unknown {
  switch (endpoint) {
    case 'chat.completions':
      return { messages: body.messages };
    case 'responses': {
      // The Responses API takes a string or a list of items; as messages, it reads like a chat.
      const messages: ChatMessage[] = [];
      if (typeof body.instructions === 'string') messages.push({ role: 'system', content: body.instructions });
      if (typeof body.input === 'string') messages.push({ role: 'user', content: body.input });
      else messages.push(...(toChatMessages(body.input) ?? []));
      return messages.length ? { messages } : { input: body.input };
    }
    case 'completions':
      return { prompt: body.prompt };
    case 'embeddings':
      return { input: body.input };
    default:
      return Object.keys(body).length ? body : undefined;
  }
}

/** The reply of a call that was not streamed. */
export function describeReply(endpoint: OpenAiEndpoint, body: unknown): CallResult {
  if (!isPlainObject(body)) return { output: body, metadata: {} };
  const model = typeof body.model === 'string' ? body.model : undefined;
  switch (endpoint) {
    case 'chat.completions': {
      const choices = Array.isArray(body.choices) ? body.choices.filter(isPlainObject) : [];
      const messages = choices.map(
        (c) => toChatMessage(c.message, 'assistant') ?? { role: 'assistant', content: null },
      );
      return {
        output: oneOrMany(messages),
        usage: openAiUsage(body.usage),
        model,
        metadata: replyMetadata(
          body.id,
          choices.map((c) => c.finish_reason),
        ),
      };
    }
    case 'responses':
      return fromResponse(body, '');
    case 'completions': {
      const choices = Array.isArray(body.choices) ? body.choices.filter(isPlainObject) : [];
      const texts = choices.map((c) => c.text);
      return {
        output: texts.length === 1 ? texts[0] : texts,
        usage: openAiUsage(body.usage),
        model,
        metadata: replyMetadata(
          body.id,
          choices.map((c) => c.finish_reason),
        ),
      };
    }
    case 'embeddings': {
      // The vectors are long and say nothing to a reader: their count and size do.
      const data = Array.isArray(body.data) ? body.data.filter(isPlainObject) : [];
      const dims = data.map((d) =>
        Array.isArray(d.embedding)
          ? d.embedding.length
          : typeof d.embedding === 'string'
            ? base64Floats(d.embedding)
            : 0,
      );
      return {
        output: { embeddings: data.length, dimensions: dims[0] },
        usage: openAiUsage(body.usage),
        model,
        metadata: {},
      };
    }
    default:
      return { output: body, usage: openAiUsage(body.usage), model, metadata: {} };
  }
}

/** How many float32s a base64 embedding holds (what the openai clients ask for by default). */
function base64Floats(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.floor(((text.length * 3) / 4 - padding) / 4);
}

/**
 * Token usage in the model's names: `prompt_tokens`, `completion_tokens`, `total_tokens`, the
 * Responses API's `input`/`output` renamed to them, nested details flattened
 * (`prompt_tokens_details.cached_tokens`).
 */
export function openAiUsage(raw: unknown): Usage | undefined {
  if (!isPlainObject(raw)) return undefined;
  const out: Usage = {};
  for (const [key, value] of Object.entries(raw)) {
    const name = USAGE_RENAMES[key] ?? key;
    if (typeof value === 'number' && Number.isFinite(value)) out[name] = value;
    else if (isPlainObject(value)) {
      for (const [inner, n] of Object.entries(value))
        if (typeof n === 'number' && Number.isFinite(n)) out[`${name}.${inner}`] = n;
    }
  }
  if (out.total_tokens === undefined && out.prompt_tokens !== undefined && out.completion_tokens !== undefined)
    out.total_tokens = out.prompt_tokens + out.completion_tokens;
  return Object.keys(out).length ? out : undefined;
}

const USAGE_RENAMES: Record<string, string> = {
  input_tokens: 'prompt_tokens',
  output_tokens: 'completion_tokens',
  input_tokens_details: 'prompt_tokens_details',
  output_tokens_details: 'completion_tokens_details',
};

/** The assistant's message, or `{choices: [...]}` when the request asked for several (n > 1). */
function oneOrMany(messages: ChatMessage[]): unknown {
  return messages.length === 1 ? messages[0] : { choices: messages };
}

function replyMetadata(id: unknown, finishReasons: unknown[]): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  if (typeof id === 'string') metadata.response_id = id;
  const reasons = finishReasons.filter((r) => r !== undefined && r !== null);
  if (reasons.length === 1) metadata.finish_reason = reasons[0];
  else if (reasons.length > 1) metadata.finish_reasons = reasons;
  return metadata;
}

function fromResponse(response: Record<string, unknown>, streamedText: string): CallResult {
  const items = Array.isArray(response.output) ? response.output.filter(isPlainObject) : [];
  let text = typeof response.output_text === 'string' ? response.output_text : '';
  for (const item of text ? [] : items) {
    if (item.type !== 'message' || !Array.isArray(item.content)) continue;
    for (const part of item.content.filter(isPlainObject))
      if (part.type === 'output_text' && typeof part.text === 'string') text += part.text;
  }
  const output: ChatMessage = { role: 'assistant', content: text || streamedText || null };
  const calls = items
    .filter((item) => item.type === 'function_call')
    .map((item) => ({
      id: String(item.call_id ?? item.id ?? ''),
      type: 'function' as const,
      function: { name: String(item.name ?? ''), arguments: String(item.arguments ?? '') },
    }));
  if (calls.length) output.tool_calls = calls;
  const metadata: Record<string, unknown> = {};
  if (typeof response.id === 'string') metadata.response_id = response.id;
  if (typeof response.status === 'string') metadata.status = response.status;
  const result: CallResult = {
    output,
    usage: openAiUsage(response.usage),
    model: typeof response.model === 'string' ? response.model : undefined,
    metadata,
  };
  const error = isPlainObject(response.error) ? response.error : {};
  if (response.status === 'failed' || typeof error.message === 'string') {
    result.error = {
      exception_type: typeof error.code === 'string' ? error.code : 'ResponseFailed',
      message: typeof error.message === 'string' ? error.message : 'the response failed',
    };
  }
  return result;
}

// ---- streams ------------------------------------------------------------------------------

/** Builds a call's result from the JSON of its stream's events, one at a time. */
export interface StreamAccumulator {
  /** Returns true when the event carried generated text or a tool call (the first one is the first token). */
  add(event: unknown): boolean;
  result(): CallResult;
}

export function streamAccumulator(endpoint: OpenAiEndpoint): StreamAccumulator {
  if (endpoint === 'responses') return new ResponsesStream();
  return new ChoicesStream(endpoint === 'completions');
}

interface StreamedChoice {
  role: string;
  content: string;
  calls: Map<number, { id?: string; type: 'function'; function: { name: string; arguments: string } }>;
  finishReason?: unknown;
}

/** Chat completions (`choices[].delta`) and legacy completions (`choices[].text`). */
class ChoicesStream implements StreamAccumulator {
  private readonly choices = new Map<number, StreamedChoice>();
  private usage: unknown;
  private model?: string;
  private id: unknown;
  private error?: ErrorInfo;

  constructor(private readonly legacy: boolean) {}

  add(event: unknown): boolean {
    if (!isPlainObject(event)) return false;
    if (typeof event.model === 'string') this.model = event.model;
    if (event.id !== undefined) this.id = event.id;
    if (isPlainObject(event.usage)) this.usage = event.usage;
    if (isPlainObject(event.error))
      this.error = {
        exception_type: String(event.error.type ?? event.error.code ?? 'StreamError'),
        message: typeof event.error.message === 'string' ? event.error.message : undefined,
      };
    let token = false;
    for (const c of Array.isArray(event.choices) ? event.choices.filter(isPlainObject) : []) {
      const index = typeof c.index === 'number' ? c.index : 0;
      const choice: StreamedChoice = this.choices.get(index) ?? { role: 'assistant', content: '', calls: new Map() };
      this.choices.set(index, choice);
      if (c.finish_reason) choice.finishReason = c.finish_reason;
      const delta = isPlainObject(c.delta) ? c.delta : {};
      const text = this.legacy ? c.text : delta.content;
      if (typeof text === 'string' && text) {
        choice.content += text;
        token = true;
      }
      if (this.legacy) continue;
      if (typeof delta.role === 'string') choice.role = delta.role;
      for (const raw of Array.isArray(delta.tool_calls) ? delta.tool_calls.filter(isPlainObject) : []) {
        token = true;
        const at = typeof raw.index === 'number' ? raw.index : choice.calls.size;
        const call = choice.calls.get(at) ?? { type: 'function', function: { name: '', arguments: '' } };
        choice.calls.set(at, call);
        if (typeof raw.id === 'string') call.id = raw.id;
        const fn = isPlainObject(raw.function) ? raw.function : {};
        if (typeof fn.name === 'string') call.function.name += fn.name;
        if (typeof fn.arguments === 'string') call.function.arguments += fn.arguments;
      }
    }
    return token;
  }

  result(): CallResult {
    const ordered = [...this.choices.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c);
    const output = this.legacy
      ? ordered.length === 1
        ? ordered[0].content
        : ordered.map((c) => c.content)
      : oneOrMany(
          ordered.map((c) => {
            const message: ChatMessage = { role: c.role, content: c.content || null };
            if (c.calls.size)
              message.tool_calls = [...c.calls.entries()].sort((a, b) => a[0] - b[0]).map(([, call]) => call);
            return message;
          }),
        );
    const result: CallResult = {
      output,
      usage: openAiUsage(this.usage),
      model: this.model,
      metadata: replyMetadata(
        this.id,
        ordered.map((c) => c.finishReason),
      ),
    };
    if (this.error) result.error = this.error;
    return result;
  }
}

/** The Responses API's events; `response.completed` (or `.incomplete`, `.failed`) carries the whole response. */
class ResponsesStream implements StreamAccumulator {
  private text = '';
  private response?: Record<string, unknown>;
  private error?: ErrorInfo;

  add(event: unknown): boolean {
    if (!isPlainObject(event)) return false;
    const type = typeof event.type === 'string' ? event.type : '';
    if (type === 'response.output_text.delta' && typeof event.delta === 'string') {
      this.text += event.delta;
      return true;
    }
    if (type.startsWith('response.') && isPlainObject(event.response)) this.response = event.response;
    else if (type === 'error')
      this.error = {
        exception_type: typeof event.code === 'string' ? event.code : 'StreamError',
        message: typeof event.message === 'string' ? event.message : undefined,
      };
    return type.endsWith('.delta');
  }

  result(): CallResult {
    const result = fromResponse(this.response ?? {}, this.text);
    if (this.error) result.error = this.error;
    return result;
  }
}
