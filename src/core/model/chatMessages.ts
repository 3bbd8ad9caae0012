// The one shape an LLM span's chat takes in the model, whatever sent it: the input is
// `{messages: [ChatMessage…]}` and the output is the assistant's ChatMessage (or, when the
// model returned several choices, `{choices: [ChatMessage…]}`). It is the
// OpenAI chat message (what our SDKs capture from an OpenAI call, and what the Opik SDK logs),
// so the panel renders every source the same way. This module turns the other conventions
// into it: OTel GenAI "parts" messages, OpenInference and OpenLLMetry flattened attributes,
// and the Vercel AI SDK's content arrays.

import { DEPTH_MAX } from '../normalise/limits';
import { isPlainObject } from './merge';

export interface ToolCall {
  id?: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: string;
  /** Text, or a list of parts when there is more than text (images, files, reasoning); null when a message only calls tools. */
  content: string | unknown[] | null;
  tool_calls?: ToolCall[];
  /** On a `tool` message: which call this answers. */
  tool_call_id?: string;
  name?: string;
}

/** Parses a JSON string when it holds an object or an array; anything else is returned as is. */
export function parseJsonish(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (!(text.startsWith('{') || text.startsWith('['))) return value;
  try {
    return JSON.parse(text);
  } catch {
    return value;
  }
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return undefined;
  return JSON.stringify(value);
}

function toolCall(id: unknown, name: unknown, args: unknown): ToolCall {
  const call: ToolCall = {
    type: 'function',
    function: { name: typeof name === 'string' ? name : '', arguments: text(args) ?? '' },
  };
  if (typeof id === 'string' && id) call.id = id;
  return call;
}

/** The AI SDK wraps a tool's result as `{type: "json" | "text" | "error-text" | "error-json", value}`: the value is the result. */
const TOOL_OUTPUT_TYPES = new Set(['json', 'text', 'error-text', 'error-json']);

function unwrapToolOutput(output: unknown): unknown {
  if (
    isPlainObject(output) &&
    TOOL_OUTPUT_TYPES.has(output.type as string) &&
    'value' in output &&
    Object.keys(output).length === 2
  )
    return output.value;
  return output;
}

/**
 * Builds a message from its role and a list of parts, each already reduced to text, a tool
 * call, a tool result, or another part kept as it came.
 */
function fromParts(role: string, parts: unknown[]): ChatMessage {
  const texts: string[] = [];
  const others: unknown[] = [];
  const calls: ToolCall[] = [];
  let toolCallId: string | undefined;
  let toolResult: string | undefined;
  for (const part of parts) {
    if (typeof part === 'string') {
      texts.push(part);
      continue;
    }
    if (!isPlainObject(part)) continue;
    const type = part.type;
    if (type === 'text' && (typeof part.content === 'string' || typeof part.text === 'string')) {
      texts.push((part.content ?? part.text) as string);
    } else if (type === 'tool_call' || type === 'tool-call') {
      calls.push(
        toolCall(part.id ?? part.toolCallId, part.name ?? part.toolName, part.arguments ?? part.args ?? part.input),
      );
    } else if (type === 'tool_call_response' || type === 'tool-result') {
      toolCallId = (part.id ?? part.toolCallId) as string | undefined;
      toolResult = text(unwrapToolOutput(part.response ?? part.result ?? part.output));
    } else {
      others.push(part);
    }
  }
  let content: ChatMessage['content'];
  if (toolResult !== undefined && texts.length === 0 && others.length === 0) content = toolResult;
  else if (others.length) content = [...texts.map((t) => ({ type: 'text', text: t })), ...others];
  else content = texts.length ? texts.join('\n') : null;
  const message: ChatMessage = { role, content };
  if (calls.length) message.tool_calls = calls;
  if (toolCallId) message.tool_call_id = toolCallId;
  return message;
}

/**
 * One message from any of the JSON conventions: GenAI (`{role, parts}`), OpenAI-like
 * (`{role, content, tool_calls}`), Vercel AI SDK (`{role, content: [parts]}`).
 */
export function toChatMessage(raw: unknown, defaultRole = 'user'): ChatMessage | undefined {
  if (typeof raw === 'string') return { role: defaultRole, content: raw };
  if (!isPlainObject(raw)) return undefined;
  const role = typeof raw.role === 'string' ? raw.role : defaultRole;
  let message: ChatMessage;
  if (Array.isArray(raw.parts)) message = fromParts(role, raw.parts);
  else if (Array.isArray(raw.content)) message = fromParts(role, raw.content);
  else
    message = {
      role,
      content:
        raw.content === undefined ? null : typeof raw.content === 'string' ? raw.content : (text(raw.content) ?? null),
    };
  if (Array.isArray(raw.tool_calls)) {
    const calls = raw.tool_calls.filter(isPlainObject).map((c) => {
      const fn = isPlainObject(c.function) ? c.function : c;
      return toolCall(c.id, fn.name, fn.arguments);
    });
    if (calls.length) message.tool_calls = [...(message.tool_calls ?? []), ...calls];
  }
  if (typeof raw.tool_call_id === 'string') message.tool_call_id = raw.tool_call_id;
  if (typeof raw.name === 'string' && raw.name) message.name = raw.name;
  return message;
}

/** A list of messages given as a JSON string or a structure; undefined when it is neither. */
export function toChatMessages(value: unknown): ChatMessage[] | undefined {
  const parsed = parseJsonish(value);
  if (!Array.isArray(parsed)) return undefined;
  const messages = parsed.map((m) => toChatMessage(m)).filter((m): m is ChatMessage => m !== undefined);
  return messages.length ? messages : undefined;
}

/** GenAI `gen_ai.system_instructions`: a list of parts (or plain text) → one system message. */
export function systemMessage(value: unknown): ChatMessage | undefined {
  const parsed = parseJsonish(value);
  if (typeof parsed === 'string') return parsed ? { role: 'system', content: parsed } : undefined;
  if (Array.isArray(parsed)) return fromParts('system', parsed);
  if (isPlainObject(parsed)) return fromParts('system', [parsed]);
  return undefined;
}

// ---- flattened attributes ---------------------------------------------------------------

/**
 * Rebuilds the structure that OpenInference and OpenLLMetry flatten into attribute keys:
 * `{"0.message.role": "user", "0.message.tool_calls.1.tool_call.id": "x"}` becomes
 * `[{message: {role: "user", tool_calls: [, {tool_call: {id: "x"}}]}}]` (numeric segments
 * are list indexes). Keys are relative to the prefix the caller stripped.
 */
export function unflatten(entries: Iterable<[string, unknown]>): unknown {
  const root: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    let segments = key.split('.');
    // A key of thousands of segments would nest as deep (toLists recurses): past the depth
    // limit the rest of the key stays one segment.
    if (segments.length > DEPTH_MAX)
      segments = [...segments.slice(0, DEPTH_MAX - 1), segments.slice(DEPTH_MAX - 1).join('.')];
    let node = root;
    for (let i = 0; i < segments.length - 1; i++) {
      const next = node[segments[i]];
      node = (isPlainObject(next) ? next : (node[segments[i]] = {})) as Record<string, unknown>;
    }
    node[segments[segments.length - 1]] = value;
  }
  return toLists(root);
}

/** Objects whose keys are all list indexes become lists, in index order. */
function toLists(node: unknown): unknown {
  if (!isPlainObject(node)) return node;
  const keys = Object.keys(node);
  if (keys.length && keys.every((k) => /^\d+$/.test(k))) {
    return keys.sort((a, b) => +a - +b).map((k) => toLists(node[k]));
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = toLists(node[k]);
  return out;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** OpenInference: `N.message.{role, content, contents.M.message_content.*, tool_calls.M.tool_call.*, tool_call_id, name}`. */
export function openInferenceMessages(flat: unknown): ChatMessage[] {
  return list(flat).map((item) => {
    const m = isPlainObject(item) && isPlainObject(item.message) ? item.message : {};
    const role = typeof m.role === 'string' ? m.role : 'user';
    const parts = list(m.contents).map((c) => {
      const part = isPlainObject(c) && isPlainObject(c.message_content) ? c.message_content : {};
      if (part.type === 'text') return { type: 'text', text: part.text };
      if (part.type === 'image' && isPlainObject(part.image) && isPlainObject(part.image.image))
        return { type: 'image_url', image_url: { url: part.image.image.url } };
      return part;
    });
    const message = parts.length
      ? fromParts(role, parts)
      : { role, content: typeof m.content === 'string' ? m.content : null };
    const calls = list(m.tool_calls).map((c) => {
      const call = isPlainObject(c) && isPlainObject(c.tool_call) ? c.tool_call : {};
      const fn = isPlainObject(call.function) ? call.function : {};
      return toolCall(call.id, fn.name, fn.arguments);
    });
    if (calls.length) message.tool_calls = calls;
    if (typeof m.tool_call_id === 'string') message.tool_call_id = m.tool_call_id;
    if (typeof m.name === 'string' && m.name) message.name = m.name;
    return message;
  });
}

/** OpenLLMetry (older GenAI attributes): `gen_ai.prompt.N.{role, content}`, `gen_ai.completion.N.{role, content, tool_calls.M.{id, name, arguments}}`. */
export function openLlmetryMessages(flat: unknown, defaultRole: string): ChatMessage[] {
  return list(flat)
    .filter(isPlainObject)
    .map((m) => {
      const message = toChatMessage({ ...m, tool_calls: undefined, content: parseJsonish(m.content) }, defaultRole) ?? {
        role: defaultRole,
        content: null,
      };
      const calls = list(m.tool_calls)
        .filter(isPlainObject)
        .map((c) => toolCall(c.id, c.name, c.arguments));
      if (calls.length) message.tool_calls = calls;
      return message;
    });
}
