// Per-call cost of tracing a trivial function, side by side in one process and one run:
//   - plain call (the floor),
//   - spanscope `track` (the shipped bundle, sdk/node/dist/index.mjs),
//   - OpenTelemetry JS: BasicTracerProvider + BatchSpanProcessor with an exporter that
//     discards, as `startSpan`+`end` and as `startActiveSpan` (with the AsyncLocalStorage
//     context manager, which is what nesting needs and what `track` gives),
//   - the same OTel span exported for real (OTLP/HTTP JSON),
//   - the `opik` package's `track`.
// spanscope and opik post their batches to a local server (a child process) that accepts
// and discards them; OTel's exporter discards in-process. Calls run in chunks with a yield
// to the event loop between chunks, so each SDK's background batching and sending happens
// during the run: "total" includes it (plus a final flush), "call" is the synchronous time
// inside the calls only. Targets (DESIGN.md): spanscope ≤ the OTel span, ≤ 0.5× opik.
//
//   node scripts/build.mjs && node bench/ts_overhead.mjs [--calls 20000] [--rounds 7]

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const CALLS = arg('calls', 20_000);
const ROUNDS = arg('rounds', 7);
const CHUNK = 500;

const DISCARD = `
const http = require('node:http');
const s = http.createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, {'content-type': 'application/json'}); res.end('{}'); }); });
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => console.log(s.address().port));
`;

const server = spawn(process.execPath, ['-e', DISCARD], { stdio: ['ignore', 'pipe', 'inherit'] });
const [portLine] = await once(server.stdout, 'data');
const base = `http://127.0.0.1:${String(portLine).trim()}`;
process.env.SPANSCOPE_URL = base;
process.env.SPANSCOPE_PROJECT = 'bench';
process.env.OPIK_URL_OVERRIDE = `${base}/api`;
process.env.OPIK_PROJECT_NAME = 'bench';
process.env.OPIK_LOG_LEVEL = 'ERROR';

const spanscope = await import('../sdk/node/dist/index.mjs');
const otelApi = await import('@opentelemetry/api');
const { BasicTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
const opik = await import('opik');
const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');

const add = (a, b) => a + b;

// OTel: spans handed to an exporter that drops them.
let exported = 0;
const discardExporter = {
  export(spans, done) {
    exported += spans.length;
    done({ code: 0 });
  },
  shutdown: async () => {},
  forceFlush: async () => {},
};
const provider = new BasicTracerProvider({
  spanProcessors: [
    new BatchSpanProcessor(discardExporter, {
      maxQueueSize: 100_000,
      maxExportBatchSize: 1000,
      scheduledDelayMillis: 50,
    }),
  ],
});
otelApi.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
otelApi.trace.setGlobalTracerProvider(provider);
const tracer = otelApi.trace.getTracer('bench');
// The same spans exported for real, as OTLP/HTTP JSON to the discarding server: the
// like-for-like peer of spanscope's "total", which also serialises and posts every span.
const otlpProvider = new BasicTracerProvider({
  spanProcessors: [
    new BatchSpanProcessor(new OTLPTraceExporter({ url: `${base}/v1/traces` }), {
      maxQueueSize: 100_000,
      maxExportBatchSize: 1000,
      scheduledDelayMillis: 50,
    }),
  ],
});
const otlpTracer = otlpProvider.getTracer('bench');

const contenders = {
  'plain call': { fn: add, flush: async () => {} },
  'spanscope track': {
    fn: spanscope.track(function add(a, b) {
      return a + b;
    }),
    flush: () => spanscope.flush({ timeoutMs: 10_000 }),
  },
  'otel startSpan+end': {
    fn: (a, b) => {
      const span = tracer.startSpan('add');
      try {
        return add(a, b);
      } finally {
        span.end();
      }
    },
    flush: () => provider.forceFlush(),
  },
  'otel startActiveSpan': {
    fn: (a, b) =>
      tracer.startActiveSpan('add', (span) => {
        try {
          return add(a, b);
        } finally {
          span.end();
        }
      }),
    flush: () => provider.forceFlush(),
  },
  'otel active + OTLP/HTTP': {
    fn: (a, b) =>
      otlpTracer.startActiveSpan('add', (span) => {
        try {
          return add(a, b);
        } finally {
          span.end();
        }
      }),
    flush: () => otlpProvider.forceFlush(),
  },
  'opik track': {
    fn: opik.track({ name: 'add' }, function add(a, b) {
      return a + b;
    }),
    flush: () => opik.flushAll(),
  },
};

const tick = () => new Promise((resolve) => setImmediate(resolve));

async function measure({ fn, flush }, calls) {
  let sync = 0;
  let sink = 0;
  const start = performance.now();
  for (let done = 0; done < calls; done += CHUNK) {
    const t = performance.now();
    for (let i = 0; i < CHUNK; i++) sink += fn(i, 1);
    sync += performance.now() - t;
    await tick();
  }
  await flush();
  const total = performance.now() - start;
  if (sink === -1) console.log('unreachable');
  return { callNs: (sync * 1e6) / calls, totalNs: (total * 1e6) / calls };
}

const names = Object.keys(contenders);
for (const name of names) await measure(contenders[name], CALLS / 4); // warm-up
const results = Object.fromEntries(names.map((n) => [n, { call: [], total: [] }]));
for (let round = 0; round < ROUNDS; round++) {
  // A different order each round, so no contender always runs right after the same one.
  const order = names.map((_, i) => names[(i + round) % names.length]);
  for (const name of order) {
    const r = await measure(contenders[name], CALLS);
    results[name].call.push(r.callNs);
    results[name].total.push(r.totalNs);
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = names.map((n) => ({ name: n, call: median(results[n].call), total: median(results[n].total) }));
const get = (n) => rows.find((r) => r.name === n);
const ours = get('spanscope track');

console.log(`\nTypeScript tracing overhead: ${CALLS} calls × ${ROUNDS} rounds (median), node ${process.version}\n`);
console.log('contender'.padEnd(24) + 'call ns/op'.padStart(12) + 'total ns/op'.padStart(13));
for (const r of rows) console.log(r.name.padEnd(24) + r.call.toFixed(0).padStart(12) + r.total.toFixed(0).padStart(13));
console.log('');
const ratio = (peer, field) => ours[field] / get(peer)[field];
const verdict = (ok) => (ok ? 'meets target' : 'MISSES target');
// The targets are about the per-call cost (the "call" column): what a tracked function
// costs its caller. "total" adds the background work; its fair peer is OTel with a real
// exporter, since the discarding exporter serialises nothing.
console.log('targets, per call (call ns/op):');
const vsActive = ratio('otel startActiveSpan', 'call');
const vsSpan = ratio('otel startSpan+end', 'call');
const vsOpik = ratio('opik track', 'call');
console.log(`  spanscope / otel startActiveSpan   = ${vsActive.toFixed(2)}  (${verdict(vsActive <= 1)}: ≤ 1)`);
console.log(`  spanscope / otel startSpan+end     = ${vsSpan.toFixed(2)}  (${verdict(vsSpan <= 1)}: ≤ 1)`);
console.log(`  spanscope / opik track             = ${vsOpik.toFixed(2)}  (${verdict(vsOpik <= 0.5)}: ≤ 0.5)`);
console.log('with everything sent (total ns/op), for information:');
for (const peer of ['otel startActiveSpan', 'otel active + OTLP/HTTP', 'opik track']) {
  console.log(`  spanscope / ${peer.padEnd(24)}= ${ratio(peer, 'total').toFixed(2)}`);
}
console.log(`\nOTel spans exported (discarded): ${exported}`);

await provider.shutdown();
await otlpProvider.shutdown();
server.kill();
process.exit(0);
