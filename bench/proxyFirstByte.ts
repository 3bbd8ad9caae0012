// `npm run bench` → proxyFirstByte: how much the AI proxy adds before a stream's first byte
// reaches the client, and to the whole stream. An upstream on loopback answers a streamed chat
// call after 20 ms of "thinking" with 20 chunks 2 ms apart; the same request is timed sent
// to it directly and through the collector's /v1/proxy (store on, span recorded, cache off for
// the request: no seed), alternating, in one run. The target: the first byte within a
// few milliseconds of the upstream's.
//   node --import tsx bench/proxyFirstByte.ts [--quick]

import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector } from '../src/collector/server';
import { openStore } from '../src/store/traceStore';

const quick = process.argv.includes('--quick');
const SAMPLES = quick ? 30 : 150;
const THINK_MS = 20;

const chunk = (text: string) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;

function timed(port: number, path: string, agent: Agent, body: string): Promise<{ firstByte: number; total: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let firstByte = 0;
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
      },
      (res) => {
        res.on('data', () => (firstByte ||= performance.now() - start));
        res.on('end', () => resolve({ firstByte, total: performance.now() - start }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const p50 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const upstream = createServer((req, res) => {
    req.resume();
    req.on('end', async () => {
      await new Promise((r) => setTimeout(r, THINK_MS));
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < 20; i++) {
        res.write(chunk(`word${i} `));
        await new Promise((r) => setTimeout(r, 2));
      }
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const upstreamPort = (upstream.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), 'spanscope-bench-proxy-'));
  const store = await openStore({ dir, warn: () => undefined });
  const collector = await startCollector({
    store,
    port: 0,
    log: () => undefined,
    proxy: { upstream: `http://127.0.0.1:${upstreamPort}/v1`, cacheDir: join(dir, 'proxy-cache') },
  });
  const agent = new Agent({ keepAlive: true });
  const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true });
  const direct = { firstByte: [] as number[], total: [] as number[] };
  const proxied = { firstByte: [] as number[], total: [] as number[] };
  try {
    for (let i = 0; i < 5; i++) await timed(collector.port, '/v1/proxy/chat/completions', agent, body); // warm-up
    for (let i = 0; i < SAMPLES; i++) {
      const d = await timed(upstreamPort, '/v1/chat/completions', agent, body);
      const p = await timed(collector.port, '/v1/proxy/chat/completions', agent, body);
      direct.firstByte.push(d.firstByte);
      direct.total.push(d.total);
      proxied.firstByte.push(p.firstByte);
      proxied.total.push(p.total);
    }
  } finally {
    agent.destroy();
    await collector.close();
    await store.close();
    upstream.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const f = (n: number) => n.toFixed(2);
  console.log(
    `first byte p50: direct ${f(p50(direct.firstByte))} ms, through the proxy ${f(p50(proxied.firstByte))} ms (+${f(p50(proxied.firstByte) - p50(direct.firstByte))} ms)`,
  );
  console.log(`whole stream p50: direct ${f(p50(direct.total))} ms, through the proxy ${f(p50(proxied.total))} ms`);
  console.log(
    `ratio: proxy / direct first byte (p50) = ${(p50(proxied.firstByte) / p50(direct.firstByte)).toFixed(3)}`,
  );
  console.log(`ratio: proxy / direct whole stream (p50) = ${(p50(proxied.total) / p50(direct.total)).toFixed(3)}`);
}

void main();
