// A stand-in for api.openai.com, which can not be reached from here: a loopback HTTP server
// that answers the two endpoints the wrapper covers the way the OpenAI API does, so the real
// `openai` npm client (pointed at it with `baseURL`) parses real replies. It speaks JSON and
// server-sent events (chunks with delays, a usage chunk when `stream_options.include_usage`
// is set, `data: [DONE]`), tool calls, the Responses API's event stream, and API errors.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface FakeOpenAI {
  baseURL: string;
  /** Every request body received, in order. */
  requests: { path: string; body: any }[];
  /** Every request's headers, in the same order (the proxy tests check what reaches the provider). */
  headers: Record<string, string | string[] | undefined>[];
  /** Streams under way, and requests whose client went away before the reply ended. */
  streaming: { open: number; cutShort: number };
  close(): Promise<void>;
}

export const MODEL = 'gpt-4o-mini-2024-07-18';
export const REPLY = ['Comment', ' ça', ' va', '?'];
export const USAGE = {
  prompt_tokens: 12,
  completion_tokens: 5,
  total_tokens: 17,
  prompt_tokens_details: { cached_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0 },
};
const CHUNK_DELAY_MS = 15;
/** Each reply's server's stream counters. */
const counters = new WeakMap<ServerResponse, { open: number; cutShort: number }>();

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const requests: { path: string; body: any }[] = [];
  const headers: Record<string, string | string[] | undefined>[] = [];
  const streaming = { open: 0, cutShort: 0 };
  const server: Server = createServer((req, res) => {
    counters.set(res, streaming);
    res.on('close', () => {
      if (!res.writableEnded) streaming.cutShort++;
    });
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (text += d));
    req.on('end', () => {
      const body = text ? JSON.parse(text) : undefined;
      requests.push({ path: req.url ?? '', body });
      headers.push({ ...req.headers });
      void route(req, res, body).catch((err) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: String(err), type: 'server_error' } }));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    headers,
    streaming,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

async function route(req: IncomingMessage, res: ServerResponse, body: any): Promise<void> {
  if (req.method === 'GET' && req.url === '/v1/models')
    return json(res, 200, { object: 'list', data: [{ id: MODEL, object: 'model', created: 0, owned_by: 'openai' }] });
  if (body?.model === 'rate-limited') {
    res.setHeader('retry-after', '7');
    return json(res, 429, {
      error: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' },
    });
  }
  if (body?.model === 'endless-stream') return endlessStream(res);
  if (body?.model === 'echo-key') {
    // Some providers quote the key they refused in full.
    return json(res, 401, {
      error: {
        message: `Incorrect API key provided: ${String(req.headers.authorization).replace(/^Bearer /, '')}`,
        type: 'invalid_request_error',
        code: 'invalid_api_key',
      },
    });
  }
  if (req.url === '/v1/embeddings') {
    // The openai client asks for base64 (little-endian float32s) unless told otherwise.
    const vector = [0.5, 0.25, 0.125];
    const embedding =
      body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    return json(res, 200, {
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding }],
      model: body.model,
      usage: { prompt_tokens: 3, total_tokens: 3 },
    });
  }
  if (body?.model === 'no-such-model') {
    return json(res, 404, {
      error: {
        message: 'The model `no-such-model` does not exist',
        type: 'invalid_request_error',
        param: null,
        code: 'model_not_found',
      },
    });
  }
  if (req.url === '/v1/chat/completions')
    return body.stream ? chatStream(res, body) : json(res, 200, chatCompletion(body));
  if (req.url === '/v1/responses')
    return body.stream ? responseStream(res, body) : json(res, 200, responseObject(body));
  return json(res, 404, { error: { message: `no route ${req.url}`, type: 'invalid_request_error' } });
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req_test_123' });
  res.end(JSON.stringify(value));
}

/** A request offering tools gets a tool call, unless it already carries the tool's result (then the model answers). */
const wantsTool = (body: any) => Array.isArray(body.tools) && body.tools.length > 0 && !answersTool(body);
const answersTool = (body: any) => Array.isArray(body.messages) && body.messages.at(-1)?.role === 'tool';

/** With `n` > 1 each choice says something else: the first the reply, the next ones numbered. */
const choiceCount = (body: any): number => (Number.isInteger(body.n) && body.n > 1 ? body.n : 1);
const choiceText = (index: number): string[] => (index === 0 ? REPLY : [...REPLY, ` (${index + 1})`]);

function chatCompletion(body: any) {
  const choices = Array.from({ length: choiceCount(body) }, (_, index) => {
    const message: any = { role: 'assistant', content: choiceText(index).join(''), refusal: null };
    if (wantsTool(body)) {
      message.content = null;
      message.tool_calls = [
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      ];
    }
    return { index, message, logprobs: null, finish_reason: wantsTool(body) ? 'tool_calls' : 'stop' };
  });
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: MODEL,
    choices,
    usage: USAGE,
    system_fingerprint: 'fp_test',
  };
}

async function sse(res: ServerResponse, events: { event?: string; data: unknown }[]): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'x-request-id': 'req_stream_1',
  });
  const streamingNow = counters.get(res) ?? { open: 0, cutShort: 0 };
  streamingNow.open++;
  try {
    for (const e of events) {
      await new Promise((r) => setTimeout(r, CHUNK_DELAY_MS));
      res.write(
        `${e.event ? `event: ${e.event}\n` : ''}data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`,
      );
    }
    res.end();
  } finally {
    streamingNow.open--;
  }
}

/** A chat stream that never ends until its client goes away (one chunk every CHUNK_DELAY_MS). */
async function endlessStream(res: ServerResponse): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  while (!res.destroyed) {
    res.write(
      `data: ${JSON.stringify({ id: 'chatcmpl-3', object: 'chat.completion.chunk', created: 1, model: MODEL, choices: [{ index: 0, delta: { content: 'la ' }, finish_reason: null }] })}\n\n`,
    );
    await new Promise((r) => setTimeout(r, CHUNK_DELAY_MS));
  }
}

function chatStream(res: ServerResponse, body: any): Promise<void> {
  const base = {
    id: 'chatcmpl-2',
    object: 'chat.completion.chunk',
    created: 1,
    model: MODEL,
    system_fingerprint: 'fp_test',
  };
  const chunk = (delta: any, finish: string | null = null, index = 0) => ({
    data: { ...base, choices: [{ index, delta, logprobs: null, finish_reason: finish }] },
  });
  const events: { data: unknown }[] = [];
  // With n > 1 every choice streams its own chunks (index 0, 1, …), one choice after the other.
  for (let index = 0; index < choiceCount(body); index++) {
    events.push(chunk({ role: 'assistant', content: '' }, null, index));
    if (wantsTool(body)) {
      events.push(
        chunk(
          {
            tool_calls: [
              { index: 0, id: 'call_9', type: 'function', function: { name: 'get_weather', arguments: '' } },
            ],
          },
          null,
          index,
        ),
      );
      events.push(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }, null, index));
      events.push(chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }, null, index));
      events.push(chunk({}, 'tool_calls', index));
    } else {
      for (const piece of choiceText(index)) events.push(chunk({ content: piece }, null, index));
      events.push(chunk({}, 'stop', index));
    }
  }
  if (body.stream_options?.include_usage) events.push({ data: { ...base, choices: [], usage: USAGE } });
  events.push({ data: '[DONE]' });
  return sse(res, events);
}

function responseObject(body: any, status = 'completed') {
  const output: any[] = [
    {
      type: 'message',
      id: 'msg_1',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: REPLY.join(''), annotations: [] }],
    },
  ];
  if (wantsTool(body))
    output.push({
      type: 'function_call',
      id: 'fc_1',
      call_id: 'call_r1',
      name: 'get_weather',
      arguments: '{"city":"Paris"}',
      status: 'completed',
    });
  return {
    id: 'resp_1',
    object: 'response',
    created_at: 1,
    status,
    model: MODEL,
    output: status === 'completed' ? output : [],
    usage:
      status === 'completed'
        ? {
            input_tokens: 20,
            input_tokens_details: { cached_tokens: 10 },
            output_tokens: 8,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: 28,
          }
        : null,
    error: null,
    instructions: body.instructions ?? null,
  };
}

function responseStream(res: ServerResponse, body: any): Promise<void> {
  const events: { event: string; data: unknown }[] = [];
  let seq = 0;
  const add = (type: string, fields: object) =>
    events.push({ event: type, data: { type, sequence_number: seq++, ...fields } });
  add('response.created', { response: responseObject(body, 'in_progress') });
  add('response.output_item.added', {
    output_index: 0,
    item: { type: 'message', id: 'msg_1', status: 'in_progress', role: 'assistant', content: [] },
  });
  for (const piece of REPLY)
    add('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta: piece });
  add('response.output_text.done', { item_id: 'msg_1', output_index: 0, content_index: 0, text: REPLY.join('') });
  add('response.completed', { response: responseObject(body) });
  return sse(res, events);
}
