// What the proxy fuzzer sends and what its fake provider answers. A client call is an
// OpenAI-style request (from a small pool, so identical calls meet and the cache is used),
// often mutated like the ingest fuzzer's bodies, with a fresh API key in its headers (and
// sometimes its query), any cache header, and a client that may hang up early. The provider,
// a loopback HTTP server, answers each call by the plan the case carries (named by the
// `x-fuzz-case` header, which the proxy forwards): a valid completion or stream, garbage,
// a huge or deeply nested body, the wrong content type, gzip it was not asked for, the
// caller's key echoed back, a pause, or a connection closed before or in the middle of the
// reply. It records what it received and the exact bytes it sent, so the test can tell
// where a cached reply came from.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { deepObjectJson } from '../support/deepJson';
import { type Mutation, mutations, toJson, mutate } from './fuzzBodies';

// ---- the provider's replies -----------------------------------------------------------------

export type ReplyBody = 'chat' | 'stream' | 'responsesStream' | 'garbage' | 'huge' | 'deep' | 'empty' | 'error';

export interface ReplyPlan {
  body: ReplyBody;
  status: number;
  /** The right one for the body, or a wrong one. */
  contentType: 'right' | 'application/json' | 'text/event-stream' | 'text/html' | 'application/octet-stream' | 'none';
  /** The caller's credential (as it came in the Authorization) written into the reply's text. */
  echoKey: boolean;
  /** Gzip although the proxy asks for identity. */
  gzip: boolean;
  /** Where the bytes are cut into writes (fractions of the body). */
  cuts: number[];
  /** Pause before the headers or between writes; a long one outlasts the proxy's timeout. */
  delay: { where: 'none' | 'headers' | 'between'; ms: number };
  /** Close the connection: before any reply, or after this fraction of the body. */
  close?: 'before' | number;
  /** Garbage bytes, and a seed for text. */
  bytes: number[];
  /** Huge bodies: how many MiB of text. */
  mib: number;
  deepLevels: number;
}

/** The proxy's upstream timeout in the fuzzer: a pause of PAUSE_TIMEOUT_MS outlasts it. */
export const UPSTREAM_TIMEOUT_MS = 150;
const PAUSE_SHORT_MS = 20;
const PAUSE_TIMEOUT_MS = 300;

export const replyPlan: fc.Arbitrary<ReplyPlan> = fc.record({
  body: fc.oneof(
    { weight: 6, arbitrary: fc.constant<ReplyBody>('chat') },
    { weight: 5, arbitrary: fc.constant<ReplyBody>('stream') },
    { weight: 1, arbitrary: fc.constant<ReplyBody>('responsesStream') },
    { weight: 2, arbitrary: fc.constant<ReplyBody>('garbage') },
    { weight: 1, arbitrary: fc.constant<ReplyBody>('huge') },
    { weight: 2, arbitrary: fc.constant<ReplyBody>('deep') },
    { weight: 1, arbitrary: fc.constant<ReplyBody>('empty') },
    { weight: 2, arbitrary: fc.constant<ReplyBody>('error') },
  ),
  status: fc.oneof(
    { weight: 8, arbitrary: fc.constant(200) },
    { weight: 2, arbitrary: fc.constantFrom(201, 204, 301, 400, 401, 404, 429, 500, 502, 503) },
  ),
  contentType: fc.oneof(
    { weight: 6, arbitrary: fc.constant<ReplyPlan['contentType']>('right') },
    {
      weight: 1,
      arbitrary: fc.constantFrom<ReplyPlan['contentType']>(
        'application/json',
        'text/event-stream',
        'text/html',
        'application/octet-stream',
        'none',
      ),
    },
  ),
  echoKey: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  gzip: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
  delay: fc.oneof(
    { weight: 16, arbitrary: fc.constant({ where: 'none' as const, ms: 0 }) },
    {
      weight: 4,
      arbitrary: fc.record({
        where: fc.constantFrom('headers' as const, 'between' as const),
        ms: fc.constant(PAUSE_SHORT_MS),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        where: fc.constantFrom('headers' as const, 'between' as const),
        ms: fc.constant(PAUSE_TIMEOUT_MS),
      }),
    },
  ),
  close: fc.oneof(
    { weight: 8, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant('before' as const) },
    { weight: 2, arbitrary: fc.double({ min: 0, max: 0.99, noNaN: true }) },
  ),
  bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 64 }),
  mib: fc.constantFrom(1, 2),
  deepLevels: fc.constantFrom(999, 1001, 5000, 20_000),
});

/** What the provider received and sent for one case. */
export interface Served {
  method: string;
  /** Path and query after the base URL's `/v1`. */
  path: string;
  body: Buffer;
  status: number;
  contentType?: string;
  contentEncoding?: string;
  /** Every byte written, in order. */
  sent: Buffer;
  /** The whole body went out and the reply ended normally. */
  complete: boolean;
}

export interface FuzzProvider {
  baseURL: string;
  /** Plans by case id, set by the test before each call. */
  plans: Map<string, ReplyPlan>;
  /** Calls received, by case id (a case may reach it more than once only if the client retried, which it never does). */
  served: Map<string, Served>;
  close(): Promise<void>;
}

export async function startFuzzProvider(): Promise<FuzzProvider> {
  const plans = new Map<string, ReplyPlan>();
  const served = new Map<string, Served>();
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const id = String(req.headers['x-fuzz-case'] ?? '');
      const plan = plans.get(id);
      if (!plan) {
        res.writeHead(418, { 'content-type': 'text/plain' });
        return res.end(`no plan for case "${id}"`);
      }
      void answer(req, res, plan, Buffer.concat(parts), (record) => served.set(id, record));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    plans,
    served,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function answer(
  req: IncomingMessage,
  res: ServerResponse,
  plan: ReplyPlan,
  body: Buffer,
  record: (s: Served) => void,
): Promise<void> {
  const key = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
  const path = (req.url ?? '').replace(/^\/v1/, '');
  const { text, type } = replyText(plan, key, path);
  let bytes = typeof text === 'string' ? Buffer.from(text) : text;
  if (plan.gzip) bytes = gzipSync(bytes);
  const contentType = plan.contentType === 'right' ? type : plan.contentType === 'none' ? undefined : plan.contentType;
  const served: Served = {
    method: req.method ?? '',
    path,
    body,
    status: plan.status,
    contentType,
    contentEncoding: plan.gzip ? 'gzip' : undefined,
    sent: Buffer.alloc(0),
    complete: false,
  };
  record(served);
  if (plan.close === 'before') return void req.socket.destroy();
  if (plan.delay.where === 'headers') await sleep(plan.delay.ms);
  if (res.destroyed) return;
  const headers: Record<string, string> = {};
  if (contentType) headers['content-type'] = contentType;
  if (plan.gzip) headers['content-encoding'] = 'gzip';
  // 204 and 304 have no body: Node drops what is written, so the record says none went.
  const bodyless = plan.status === 204 || plan.status === 304 || req.method === 'HEAD';
  if (bodyless) bytes = Buffer.alloc(0);
  res.writeHead(plan.status, headers);
  const stopAt = typeof plan.close === 'number' ? Math.floor(bytes.length * plan.close) : bytes.length;
  const cuts = [...new Set(plan.cuts.map((f) => Math.floor(f * bytes.length)))]
    .filter((at) => at > 0 && at < stopAt)
    .sort((a, b) => a - b);
  let at = 0;
  const sent: Buffer[] = [];
  for (const end of [...cuts, stopAt]) {
    if (res.destroyed) return;
    const piece = bytes.subarray(at, end);
    if (piece.length) {
      res.write(piece);
      sent.push(piece);
      served.sent = Buffer.concat(sent);
    }
    at = end;
    if (plan.delay.where === 'between' && end < stopAt) await sleep(plan.delay.ms);
  }
  if (stopAt < bytes.length) return void res.destroy();
  res.end(() => {
    served.complete = !res.destroyed;
  });
}

/** The reply's text for the plan, and the content type that goes with it. */
function replyText(plan: ReplyPlan, key: string, path: string): { text: string | Buffer; type: string } {
  const said = plan.echoKey ? `Your key is ${key}. ` : '';
  const words = plan.bytes.map((b) => String.fromCharCode(0x20 + (b % 0x5e))).join('');
  switch (plan.body) {
    case 'chat':
      return { text: JSON.stringify(chatCompletion(`${said}${words}`)), type: 'application/json' };
    case 'stream':
      return {
        text: chatStream(`${said}${words}`, plan.bytes[0] % 2 === 0 ? '\n' : '\r\n'),
        type: 'text/event-stream; charset=utf-8',
      };
    case 'responsesStream':
      return { text: responsesStream(`${said}${words}`), type: 'text/event-stream' };
    case 'garbage':
      return { text: Buffer.from(plan.bytes), type: 'application/octet-stream' };
    case 'huge':
      return {
        text: JSON.stringify(chatCompletion(said + 'x'.repeat(plan.mib * 1024 * 1024))),
        type: 'application/json',
      };
    case 'deep':
      // Nested where each endpoint's reader looks: message content, choices, and the whole body.
      return path.startsWith('/chat') && plan.bytes[0] % 2 === 0
        ? {
            text: `{"choices":[{"message":{"role":"assistant","content":${deepObjectJson(plan.deepLevels)}}}],"usage":${deepObjectJson(plan.deepLevels)}}`,
            type: 'application/json',
          }
        : { text: deepObjectJson(plan.deepLevels, JSON.stringify({ said })), type: 'application/json' };
    case 'empty':
      return { text: '', type: 'application/json' };
    case 'error':
      return {
        text: JSON.stringify({
          error: { message: `${said}Something went wrong: ${words}`, type: 'invalid_request_error', code: 'fuzz' },
        }),
        type: 'application/json',
      };
  }
}

function chatCompletion(content: string): object {
  return {
    id: 'chatcmpl-fuzz',
    object: 'chat.completion',
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 },
  };
}

function chatStream(content: string, eol: string): string {
  const pieces = content.match(/.{1,7}/gs) ?? [''];
  const events = pieces.map((piece, i) => ({
    id: 'chatcmpl-fuzz',
    object: 'chat.completion.chunk',
    model: 'gpt-4o-mini',
    choices: [
      { index: 0, delta: i === 0 ? { role: 'assistant', content: piece } : { content: piece }, finish_reason: null },
    ],
  }));
  events.push({
    id: 'chatcmpl-fuzz',
    object: 'chat.completion.chunk',
    model: 'gpt-4o-mini',
    choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
    usage: { prompt_tokens: 9, completion_tokens: pieces.length, total_tokens: 9 + pieces.length },
  } as never);
  return (
    [...events.map((e) => `data: ${JSON.stringify(e)}`), ': keep-alive', 'data: [DONE]'].join(eol + eol) + eol + eol
  );
}

function responsesStream(text: string): string {
  const events = [
    { type: 'response.created', response: { id: 'resp_fuzz', status: 'in_progress' } },
    ...(text.match(/.{1,9}/gs) ?? []).map((delta) => ({ type: 'response.output_text.delta', delta })),
    {
      type: 'response.completed',
      response: {
        id: 'resp_fuzz',
        status: 'completed',
        model: 'gpt-4o-mini',
        output_text: text,
        usage: { input_tokens: 4, output_tokens: 2 },
      },
    },
  ];
  return events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join('');
}

// ---- the client's calls --------------------------------------------------------------------

export interface ClientCall {
  method: string;
  path: string;
  /** Request body as JSON text; undefined for GET and HEAD. */
  body?: string;
  contentType?: string;
  keyIn: 'authorization' | 'authorization+query' | 'authorization+x-api-key';
  key: string;
  cache?: { header: 'x-spanscope-cache' | 'x-bt-use-cache'; value: string };
  cacheControl?: string;
  /** `bt`: x-bt-parent project_name:…; `bad`: a parent header that names nothing. */
  parent: 'none' | 'bt' | 'bad';
  /** How the client reads the reply: all of it, hanging up once the request is sent, or after the first bytes. */
  hangUp: 'never' | 'afterSend' | 'afterFirstBytes';
  reply: ReplyPlan;
}

const MESSAGES = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'ça va? 😀' },
];

/** Request bodies from a small pool, so calls repeat and meet in the cache (a seed or temperature 0 asks for it). */
const requestBody = fc.constantFrom<Record<string, unknown>>(
  { model: 'gpt-4o-mini', messages: MESSAGES, seed: 1 },
  { model: 'gpt-4o-mini', messages: MESSAGES, temperature: 0 },
  { model: 'gpt-4o-mini', messages: MESSAGES, seed: 1, stream: true, stream_options: { include_usage: true } },
  { model: 'gpt-4.1', input: 'Say hi', seed: 2, stream: 'true' },
  { model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }], temperature: 0.7 },
  { model: 'text-embedding-3-small', input: ['a', 'b'], seed: 3 },
);

const keyChar = fc.constantFrom(...'0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ');

export const clientCall: fc.Arbitrary<ClientCall> = fc
  .record({
    method: fc.oneof(
      { weight: 8, arbitrary: fc.constant('POST') },
      { weight: 1, arbitrary: fc.constantFrom('GET', 'HEAD', 'PUT', 'DELETE') },
    ),
    path: fc.oneof(
      { weight: 3, arbitrary: fc.constant('/chat/completions') },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          '/responses',
          '/completions',
          '/embeddings',
          '/models',
          '/files/f-1/content',
          '/chat/completions/',
        ),
      },
    ),
    body: requestBody,
    mutated: fc.oneof({ weight: 3, arbitrary: fc.constant<Mutation[]>([]) }, { weight: 2, arbitrary: mutations }),
    contentType: fc.oneof(
      { weight: 8, arbitrary: fc.constant('application/json') },
      { weight: 1, arbitrary: fc.constantFrom(undefined, 'text/plain', 'application/json; charset=utf-8') },
    ),
    // A key in the query is part of the cache key (the path is): kept rare, so calls still meet in the cache.
    keyIn: fc.oneof(
      { weight: 6, arbitrary: fc.constant('authorization' as const) },
      { weight: 1, arbitrary: fc.constantFrom('authorization+query' as const, 'authorization+x-api-key' as const) },
    ),
    key: fc.string({ unit: keyChar, minLength: 24, maxLength: 24 }).map((s) => `sk-fz-${s}`),
    cache: fc.option(
      fc.record({
        header: fc.constantFrom('x-spanscope-cache', 'x-bt-use-cache') as fc.Arbitrary<
          'x-spanscope-cache' | 'x-bt-use-cache'
        >,
        value: fc.constantFrom('auto', 'always', 'always', 'never', 'replay', 'sometimes'),
      }),
      { nil: undefined, freq: 2 },
    ),
    cacheControl: fc.option(fc.constantFrom('no-cache', 'no-store', 'max-age=0', 'max-age=3600'), {
      nil: undefined,
      freq: 4,
    }),
    parent: fc.oneof(
      { weight: 8, arbitrary: fc.constant('none' as const) },
      { weight: 1, arbitrary: fc.constantFrom('bt' as const, 'bad' as const) },
    ),
    hangUp: fc.oneof(
      { weight: 8, arbitrary: fc.constant('never' as const) },
      { weight: 1, arbitrary: fc.constantFrom('afterSend' as const, 'afterFirstBytes' as const) },
    ),
    reply: replyPlan,
  })
  .map(({ body, mutated, ...call }) => ({
    ...call,
    body: call.method === 'GET' || call.method === 'HEAD' ? undefined : toJson(mutate(structuredClone(body), mutated)),
  }));
