// Property-based fuzzing of every ingest route (native HTTP and WebSocket, Opik REST, OTLP
// JSON and protobuf, scores, Braintrust's /logs3) on a real collector, real sockets and a real store folder: each
// case is a valid body with hostile mutations (fuzzBodies.ts). After every case the collector
// must answer (health 200, no 5xx for anything a client sent), a live /api/live subscriber
// must still be connected and answered, and a fixed set of traces stored before the fuzzing
// must read back byte-identical; after each route's run the collector is restarted on the
// same folder and they must still read back byte-identical.
//
// Replaying a failure: fast-check prints the seed and path; run with FUZZ_SEED=<seed> (and
// FUZZ_RUNS to change the number of cases per route); FUZZ_SEED=random for new cases. The
// case counts and the time each route took are printed.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { encodeExportTraceRequest } from '../../src/collector/otlpProto';
import { at, batch, score, traceBatch } from '../support/builders';
import { type TestCollector, startTestCollector } from '../support/collector';
import { deepKvlistProto, keyValueProto, protoRequestWithAttribute } from '../support/deepJson';
import { http } from '../support/http';
import { otlpRequest, otlpSpan } from '../support/otlpBuilders';
import { LiveProbe } from './liveProbe';
import {
  FUZZ_IDS,
  logs3Body,
  mutate,
  mutations,
  nativeBatch,
  opikRequest,
  otlpBody,
  scoreBody,
  toJson,
} from './fuzzBodies';

const RUNS = Number(process.env.FUZZ_RUNS ?? 850);
/**
 * `npm test` and CI run a fixed seed, so a run is repeatable and a red CI is the code's doing;
 * FUZZ_SEED=random explores new cases, and FUZZ_SEED=<n> replays one. Random seeds found
 * packs declared damaged and moved aside mid-run (issue 13): a score named `__proto__` wrote
 * onto Object.prototype (core/model/aggregates.ts, byName), after which stored bodies no longer
 * normalised again; hence the prototype check after every case.
 */
const SEED = process.env.FUZZ_SEED === 'random' ? undefined : Number(process.env.FUZZ_SEED ?? 20261207);
/** With FUZZ_SEED, the `path` fast-check printed: replays just the failing case. */
const PATH = process.env.FUZZ_PATH;
const JSON_HEADERS = { 'content-type': 'application/json' };
const FIXED_OTLP_TRACE = 'f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1';
/** Size retention off: it orders by client start times (issue 13 item 6), and the fuzz traces' times reach back to 1970. */
const STORE = { maxBytes: 8 * 1024 ** 3 };
const FIXED = ['fixed-native', 'fixed-opik', FIXED_OTLP_TRACE];

let c: TestCollector;
let live: LiveProbe;
let ingestSocket: IngestProbe;
const expected = new Map<string, string>();
const counts: Record<string, { cases: number; ms: number }> = {};

/**
 * A native ingest WebSocket. A frame is followed by a sentinel batch with its own `seq`:
 * frames are answered in order, so the replies before the sentinel's ack are the frame's
 * (none, for a valid batch without a `seq`).
 */
class IngestProbe {
  private replies: string[] = [];
  private waiting?: () => void;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      if (text === SENTINEL_ACK) this.waiting?.();
      else this.replies.push(text);
    });
  }

  static async open(port: number): Promise<IngestProbe> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/ingest/ws`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return new IngestProbe(ws);
  }

  send(frame: string): Promise<string[]> {
    expect(this.ws.readyState).toBe(WebSocket.OPEN);
    this.replies = [];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no reply to a frame within 10 s')), 10_000);
      this.waiting = () => {
        clearTimeout(timer);
        this.waiting = undefined;
        resolve(this.replies);
      };
      this.ws.send(frame);
      this.ws.send(SENTINEL);
    });
  }
}

const SENTINEL = '{"seq":-7,"events":[]}';
const SENTINEL_ACK = '{"ack":-7,"accepted":0}';

async function connect(): Promise<void> {
  live = await LiveProbe.open(c.port, c.token, [...FUZZ_IDS, ...FIXED]);
  ingestSocket = await IngestProbe.open(c.port);
  await live.answers();
}

/** The fixed traces: one from each family of routes, with scores. */
async function storeFixed(): Promise<void> {
  expect((await c.ingest(traceBatch('fixed-native', 4, 100))).status).toBe(200);
  expect(
    (
      await c.ingest(
        batch(score('span', 'fixed-native-s1', 'quality', 0.5, { trace_id: 'fixed-native', reason: 'ok' })),
      )
    ).status,
  ).toBe(200);
  const opikTrace = {
    id: 'fixed-opik',
    name: 'opik trace',
    start_time: at(0),
    end_time: at(50),
    input: { q: 'hi' },
    metadata: { k: [1, 2] },
  };
  expect((await http(c.port, '/api/v1/private/traces/batch', { body: { traces: [opikTrace] } })).status).toBe(204);
  const opikSpan = {
    id: 'fixed-opik-s',
    trace_id: 'fixed-opik',
    name: 'step',
    type: 'llm',
    start_time: at(1),
    end_time: at(40),
    usage: { prompt_tokens: 3 },
  };
  expect((await http(c.port, '/api/v1/private/spans/batch', { body: { spans: [opikSpan] } })).status).toBe(204);
  expect(
    (
      await http(c.port, '/v1/traces', {
        body: otlpRequest([
          otlpSpan({ traceId: FIXED_OTLP_TRACE, attributes: { 'gen_ai.request.model': 'm', nested: { a: [1, 'b'] } } }),
        ]),
      })
    ).status,
  ).toBe(200);
  expect(
    (await c.get('/api/scores', { body: { target: 'trace', id: 'fixed-opik', name: 'thumbs', value: 1 } })).status,
  ).toBe(200);
}

async function readFixed(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const id of FIXED) {
    const reply = await c.get(`/api/traces/${id}`);
    expect(
      reply.status,
      `reading fixed trace ${id} (the store warned: ${JSON.stringify(c.warnings.slice(-3)).slice(0, 2000)})`,
    ).toBe(200);
    out.set(id, reply.text);
  }
  return out;
}

/** What must hold after every case. */
async function checkInvariants(): Promise<void> {
  expect(Object.keys(Object.prototype), 'a case wrote onto Object.prototype').toEqual([]);
  expect((await c.raw('/api/health')).status).toBe(200);
  await live.answers();
  const now = await readFixed();
  for (const id of FIXED) expect(now.get(id), `fixed trace ${id} changed`).toBe(expected.get(id));
}

async function restartAndCheck(): Promise<void> {
  live.ws.terminate();
  ingestSocket.ws.terminate();
  await c.stop();
  c = await startTestCollector({ dir: c.dir, store: STORE });
  await connect();
  await checkInvariants();
}

/** Runs `numRuns` cases of `property`, then restarts the collector and checks again. */
async function fuzz<T>(route: string, arbitrary: fc.Arbitrary<T>, send: (input: T) => Promise<void>): Promise<void> {
  const started = performance.now();
  let cases = 0;
  // Chosen here rather than by fast-check, so a failure after the run (at the restart) names it too.
  const seed = SEED ?? (Math.random() * 2 ** 31) | 0;
  await fc.assert(
    fc.asyncProperty(arbitrary, async (input) => {
      cases++;
      await send(input);
      await checkInvariants();
    }),
    { numRuns: RUNS, seed, path: PATH, endOnFailure: true },
  );
  try {
    await restartAndCheck();
  } catch (err) {
    throw new Error(
      `after the ${route} run (FUZZ_SEED=${seed}), restarted on its folder: ${(err as Error).message}; the store warned: ${JSON.stringify(c.warnings)}`,
    );
  }
  counts[route] = { cases, ms: performance.now() - started };
}

function expectNoServerError(status: number, what: string): void {
  expect(status, `${what} answered ${status}`).toBeGreaterThan(0);
  expect(
    status,
    `${what} answered ${status} (the collector logged: ${c.logs.slice(-1).join('').slice(0, 1500)})`,
  ).toBeLessThan(500);
}

const postText = (path: string, body: string | Buffer, headers: Record<string, string> = JSON_HEADERS) =>
  http(c.port, path, { method: 'POST', body, headers });

describe('ingest fuzzing', () => {
  beforeAll(async () => {
    c = await startTestCollector({ store: STORE });
    await storeFixed();
    await c.store.flush();
    for (const [id, text] of await readFixed()) expected.set(id, text);
    await connect();
  });

  afterAll(async () => {
    live?.ws.terminate();
    ingestSocket?.ws.terminate();
    await c?.close();
    const total = Object.values(counts).reduce((n, x) => n + x.cases, 0);
    const ms = Object.values(counts).reduce((n, x) => n + x.ms, 0);
    console.log(
      `ingest fuzzing: ${total} cases in ${(ms / 1000).toFixed(1)} s: ${Object.entries(counts)
        .map(([r, x]) => `${r} ${x.cases} in ${(x.ms / 1000).toFixed(1)} s`)
        .join(', ')}`,
    );
  });

  const TIMEOUT = 180_000;

  it(
    'native HTTP ingest',
    () =>
      fuzz('native', fc.tuple(nativeBatch, mutations), async ([body, list]) => {
        const reply = await postText('/api/ingest', toJson(mutate(structuredClone(body), list)));
        expectNoServerError(reply.status, 'POST /api/ingest');
      }),
    TIMEOUT,
  );

  it(
    'native WebSocket ingest',
    () =>
      fuzz('websocket', fc.tuple(nativeBatch, mutations, fc.boolean()), async ([body, list, cutShort]) => {
        let frame = toJson(mutate({ seq: 1, ...structuredClone(body) }, list));
        if (cutShort) frame = frame.slice(0, frame.length >> 1); // not JSON: answered with an error
        if (process.env.FUZZ_DUMP) require('node:fs').writeFileSync(process.env.FUZZ_DUMP, frame);
        for (const reply of await ingestSocket.send(frame))
          expect(reply, 'the collector failed to store a batch').not.toMatch(/could not store/);
      }),
    TIMEOUT,
  );

  it(
    'Opik REST',
    () =>
      fuzz('opik', fc.tuple(opikRequest, mutations), async ([request, list]) => {
        const reply = await http(c.port, request.path, {
          method: request.method,
          body: toJson(mutate(structuredClone(request.body), list)),
          headers: JSON_HEADERS,
        });
        expectNoServerError(reply.status, `${request.method} ${request.path}`);
      }),
    TIMEOUT,
  );

  it(
    'scores',
    () =>
      fuzz('scores', fc.tuple(scoreBody, mutations), async ([body, list]) => {
        const reply = await c.get('/api/scores', {
          method: 'POST',
          body: toJson(mutate(structuredClone(body), list)),
          headers: JSON_HEADERS,
        });
        expectNoServerError(reply.status, 'POST /api/scores');
      }),
    TIMEOUT,
  );

  it(
    'OTLP JSON',
    () =>
      fuzz('otlp-json', fc.tuple(otlpBody, mutations), async ([body, list]) => {
        const reply = await postText('/v1/traces', toJson(mutate(structuredClone(body), list)));
        expectNoServerError(reply.status, 'POST /v1/traces (JSON)');
      }),
    TIMEOUT,
  );

  it(
    'Braintrust /logs3',
    () =>
      fuzz('logs3', fc.tuple(logs3Body, mutations), async ([body, list]) => {
        // As the Python SDK posts it: no Content-Type.
        const reply = await postText('/logs3', toJson(mutate(structuredClone(body), list)), {});
        expectNoServerError(reply.status, 'POST /logs3');
      }),
    TIMEOUT,
  );

  it(
    'OTLP protobuf',
    () =>
      fuzz('otlp-proto', fc.tuple(otlpBody, protoMutation), async ([body, mutation]) => {
        const reply = await postText('/v1/traces', Buffer.from(protoBytes(body, mutation)), {
          'content-type': 'application/x-protobuf',
        });
        expectNoServerError(reply.status, 'POST /v1/traces (protobuf)');
      }),
    TIMEOUT,
  );
});

// ---- protobuf bodies ------------------------------------------------------------------------

type ProtoMutation =
  | { kind: 'none' }
  | { kind: 'deep'; levels: number }
  | { kind: 'flip'; at: number; xor: number }
  | { kind: 'cut'; at: number }
  | { kind: 'junk'; bytes: number[] };

const protoMutation: fc.Arbitrary<ProtoMutation> = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.constantFrom(31, 33, 999, 1000, 1001, 3000, 20_000).map((levels) => ({ kind: 'deep' as const, levels })),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('junk' as const),
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }),
  }),
);

const base64 = (hex: unknown) => Buffer.from(String(hex), 'hex').toString('base64');

/** The request as protobuf: ids as bytes (base64 for protobufjs), then the mutation on the bytes. */
function protoBytes(body: { resourceSpans: any[] }, mutation: ProtoMutation): Uint8Array {
  const request = structuredClone(body);
  for (const span of request.resourceSpans[0].scopeSpans[0].spans) {
    span.traceId = base64(span.traceId);
    span.spanId = base64(span.spanId);
    if (span.parentSpanId !== undefined) span.parentSpanId = base64(span.parentSpanId);
  }
  request.resourceSpans[0].scopeSpans[0].spans.length = 1; // one span, so the splice below knows where it goes
  const bytes = encodeExportTraceRequest(request);
  switch (mutation.kind) {
    case 'none':
      return bytes;
    case 'deep':
      return protoRequestWithAttribute(bytes, keyValueProto('deep', deepKvlistProto(mutation.levels)));
    case 'flip': {
      const out = Uint8Array.from(bytes);
      out[mutation.at % out.length] ^= mutation.xor;
      return out;
    }
    case 'cut':
      return bytes.subarray(0, mutation.at % bytes.length);
    case 'junk':
      return Uint8Array.from([...bytes, ...mutation.bytes]);
  }
}
