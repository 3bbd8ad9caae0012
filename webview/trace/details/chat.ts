// Recognises LLM chat payloads so the details pane can show them as a conversation instead of
// raw JSON. Accepted shapes, as the OpenAI and Anthropic clients and our SDKs log them:
//   {messages: [{role, content, tool_calls?}…], …other request fields}
//   [{role, content}…]
//   {role: 'assistant', content, tool_calls}                 (one reply)
//   {choices: [{role: 'assistant', content, tool_calls}…]}   (several replies, n > 1: our SDKs, OTLP)
//   {choices: [{message: {role, content, tool_calls}}…], …}  (an OpenAI completion)
// `content` may be a string, null (a reply that only calls tools) or a list of parts
// ({type:'text', text}, {type:'image_url', …}, {type:'tool_use', name, input}, …).
// Anything else is not chat, and is shown as JSON.

export interface ToolCall {
  id?: string;
  name: string;
  /** Parsed when the client sent a JSON string (OpenAI does), else as sent. */
  arguments: unknown;
}

export type ContentPart = { kind: 'text'; text: string } | { kind: 'other'; type: string; value: unknown };

export interface ChatMessage {
  role: string;
  name?: string;
  /** For a tool's reply: the call it answers. */
  toolCallId?: string;
  parts: ContentPart[];
  toolCalls: ToolCall[];
}

export interface ChatView {
  messages: ChatMessage[];
  /** The messages are alternative replies (a model asked for n > 1), not turns of a conversation. */
  choices?: boolean;
  /** The payload's other fields (model, temperature, usage…), shown under the conversation. */
  rest?: Record<string, unknown>;
}

export function asChat(value: unknown): ChatView | undefined {
  if (Array.isArray(value)) {
    const messages = toMessages(value);
    return messages ? { messages } : undefined;
  }
  if (!isObject(value)) return undefined;
  if (Array.isArray(value.messages)) {
    const messages = toMessages(value.messages);
    return messages ? { messages, rest: without(value, 'messages') } : undefined;
  }
  if (Array.isArray(value.choices) && value.choices.length > 0) {
    const replies = value.choices.map((c) => (isObject(c) ? (c.message ?? c.delta ?? c) : undefined));
    const messages = toMessages(replies);
    if (!messages) return undefined;
    const view: ChatView = { messages, rest: without(value, 'choices') };
    if (messages.length > 1) view.choices = true;
    return view;
  }
  const one = toMessage(value);
  return one
    ? {
        messages: [one],
        rest: without(value, 'role', 'content', 'tool_calls', 'function_call', 'name', 'tool_call_id'),
      }
    : undefined;
}

function toMessages(list: unknown[]): ChatMessage[] | undefined {
  if (list.length === 0) return undefined;
  const out: ChatMessage[] = [];
  for (const item of list) {
    const m = toMessage(item);
    if (!m) return undefined;
    out.push(m);
  }
  return out;
}

function toMessage(value: unknown): ChatMessage | undefined {
  if (!isObject(value) || typeof value.role !== 'string' || !value.role) return undefined;
  const { content } = value;
  const hasCalls = Array.isArray(value.tool_calls) || isObject(value.function_call);
  if (!(typeof content === 'string' || Array.isArray(content) || (content == null && hasCalls))) return undefined;
  const toolCalls: ToolCall[] = [];
  if (Array.isArray(value.tool_calls)) for (const c of value.tool_calls) toolCalls.push(toToolCall(c));
  if (isObject(value.function_call)) toolCalls.push(toToolCall({ function: value.function_call }));
  const parts: ContentPart[] = [];
  if (typeof content === 'string') parts.push({ kind: 'text', text: content });
  else if (Array.isArray(content)) {
    for (const part of content) {
      const p = toPart(part);
      if ('call' in p) toolCalls.push(p.call);
      else parts.push(p);
    }
  }
  return {
    role: value.role,
    name: typeof value.name === 'string' ? value.name : undefined,
    toolCallId: typeof value.tool_call_id === 'string' ? value.tool_call_id : undefined,
    parts,
    toolCalls,
  };
}

function toPart(part: unknown): ContentPart | { call: ToolCall } {
  if (typeof part === 'string') return { kind: 'text', text: part };
  if (isObject(part)) {
    if (part.type === 'text' && typeof part.text === 'string') return { kind: 'text', text: part.text };
    if (part.type === 'tool_use' && typeof part.name === 'string') {
      return {
        call: { id: typeof part.id === 'string' ? part.id : undefined, name: part.name, arguments: part.input },
      };
    }
    return { kind: 'other', type: typeof part.type === 'string' ? part.type : 'part', value: part };
  }
  return { kind: 'other', type: 'part', value: part };
}

function toToolCall(call: unknown): ToolCall {
  if (!isObject(call)) return { name: '(tool call)', arguments: call };
  const fn = isObject(call.function) ? call.function : call;
  const name = typeof fn.name === 'string' ? fn.name : '(tool call)';
  return {
    id: typeof call.id === 'string' ? call.id : undefined,
    name,
    arguments: parseArguments(fn.arguments ?? fn.input),
  };
}

function parseArguments(args: unknown): unknown {
  if (typeof args !== 'string') return args;
  try {
    return JSON.parse(args);
  } catch {
    return args;
  }
}

function without(obj: Record<string, unknown>, ...keys: string[]): Record<string, unknown> | undefined {
  const rest: Record<string, unknown> = {};
  let any = false;
  for (const [k, v] of Object.entries(obj)) {
    if (!keys.includes(k)) {
      rest[k] = v;
      any = true;
    }
  }
  return any ? rest : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
