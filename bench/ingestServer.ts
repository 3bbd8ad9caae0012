// The server side of the ingest benchmark, run in its own process so the client's work does
// not share its event loop: either the real collector with its store on (in a temp folder),
// or the baseline, a bare node:http server that reads each body, parses the JSON and throws
// it away. Prints `PORT <n>` when listening; answers GET /bench/cpu with its CPU time so far;
// stops on SIGTERM.
//   node --import tsx bench/ingestServer.ts collector|raw

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, inflateSync } from 'node:zlib';
import { decodeExportTraceRequest } from '../src/collector/otlpProto';
import { startCollector } from '../src/collector/server';
import type { Route } from '../src/collector/router';
import { openStore } from '../src/store/traceStore';

/** CPU time the server process has used (all its threads), so the harness can report CPU per span. */
const CPU_PATH = '/bench/cpu';

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode === 'raw') {
    const server = createServer((req, res) => {
      if (req.url === CPU_PATH) return void res.end(JSON.stringify(process.cpuUsage()));
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        // The same decoding the collector must do, and no more: inflate if compressed, parse
        // JSON, decode protobuf (with the collector's own descriptors and protobufjs).
        let bytes = Buffer.concat(parts);
        const encoding = req.headers['content-encoding'];
        if (encoding === 'gzip') bytes = gunzipSync(bytes);
        else if (encoding === 'deflate') bytes = inflateSync(bytes);
        const type = String(req.headers['content-type']);
        const body = type.startsWith('application/json')
          ? JSON.parse(bytes.toString('utf8'))
          : type.startsWith('application/x-protobuf')
            ? decodeExportTraceRequest(bytes)
            : undefined;
        const accepted = Array.isArray(body?.events) ? body.events.length : 0;
        const reply = JSON.stringify({ accepted });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(reply) });
        res.end(reply);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    process.stdout.write(`PORT ${(server.address() as { port: number }).port}\n`);
    process.on('SIGTERM', () => server.close(() => process.exit(0)));
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'spanscope-bench-'));
  const store = await openStore({ dir, warn: () => {} });
  const cpuRoute: Route = {
    method: 'GET',
    path: CPU_PATH,
    auth: 'none',
    handler: () => ({ status: 200, json: process.cpuUsage() }),
  };
  const collector = await startCollector({
    store,
    port: 0,
    log: (m) => process.stderr.write(`${m}\n`),
    extraRoutes: [cpuRoute],
  });
  process.stdout.write(`PORT ${collector.port}\n`);
  process.on('SIGTERM', async () => {
    await collector.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
}

void main();
