// Clients that send without end or read nothing back, on real sockets: the collector's memory
// must stay bounded and every other client must still be answered. An ingest WebSocket whose
// peer never reads its replies (each bad frame of ~200 bytes is answered with ~100 problems,
// kilobytes) used to have them queued in the collector's memory for as long as it kept
// sending; a stream from the AI proxy's provider with one endless line was re-scanned from
// its start at every chunk, holding up every other request for seconds; a body refused at
// the cap was read on (and thrown away) for as long as the client sent it; and bodies held
// open on many connections could together take all the memory there is.

import { createServer, type Server } from 'node:http';
import { type Socket, connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { traceBatch } from '../support/builders';
import { type TestCollector, startTestCollector, tempDir } from '../support/collector';
import { http } from '../support/http';

let c: TestCollector | undefined;
let provider: Server | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
  if (provider) await new Promise((resolve) => provider!.close(resolve));
  provider = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(done: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`not done within ${ms} ms`);
    await sleep(10);
  }
}

describe('a flood', () => {
  it('of bad ingest frames from a peer that reads no reply stops being read, instead of queueing replies without bound', async () => {
    c = await startTestCollector();
    const ws = new WebSocket(`ws://127.0.0.1:${c.port}/api/ingest/ws`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.pause(); // reads nothing: every reply stays with the collector or in the kernel
    const frame = (seq: number) => JSON.stringify({ seq, events: new Array(100).fill(1) });
    const replyBytes = await (async () => {
      // What one reply weighs, read from a second socket that does read.
      const probe = new WebSocket(`ws://127.0.0.1:${c!.port}/api/ingest/ws`);
      await new Promise((resolve) => probe.once('open', resolve));
      const reply = await new Promise<string>((resolve) => {
        probe.once('message', (d) => resolve(d.toString()));
        probe.send(frame(0));
      });
      probe.close();
      return reply.length;
    })();
    expect(replyBytes / frame(0).length, 'the replies outweigh the frames').toBeGreaterThan(10);

    const before = process.memoryUsage().rss;
    let sent = 0;
    let seq = 1;
    const deadline = Date.now() + 6000;
    // As a sender that minds its own buffer would: it sends while the collector takes frames.
    while (Date.now() < deadline) {
      if (ws.bufferedAmount > 1024 * 1024) {
        await sleep(10);
        continue;
      }
      const text = frame(seq++);
      ws.send(text);
      sent += text.length;
      if (seq % 200 === 0) await sleep(0);
    }
    const taken = sent - ws.bufferedAmount;
    // The queued replies are not all Buffers (ws keeps some as it was given them): the process's size says it.
    const grown = process.memoryUsage().rss - before;
    console.log(
      `flood: ${seq - 1} frames sent, ${(taken / 1e6).toFixed(1)} MB left the sender (kernel buffers included), the process grew ${(grown / 1e6).toFixed(1)} MB (a reply is ${replyBytes} bytes)`,
    );
    // Unbounded, it grew by about 110 MB in these 6 s (150 MB in 8), and on for as long as the peer sent.
    expect(grown, 'memory held for replies nobody reads').toBeLessThan(64 * 1024 * 1024);

    // Everyone else is still answered, on HTTP and on another socket.
    expect((await c.raw('/api/health')).status).toBe(200);
    expect((await c.ingest(traceBatch('after-flood', 2))).status).toBe(200);

    // Reading again, the flooding peer gets its replies, in order, to the last one.
    const last = seq - 1;
    const got = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no reply to the last frame within 20 s')), 20_000);
      ws.on('message', (d) => {
        const ack = JSON.parse(d.toString()).ack;
        if (ack === last) {
          clearTimeout(timer);
          resolve(ack);
        }
      });
      ws.resume();
    });
    expect(got).toBe(last);
    ws.terminate();
  }, 60_000);

  it('of a chunked body that never ends is refused at the cap and its connection closed, not read on for as long as it comes', async () => {
    c = await startTestCollector({ collector: { maxBodyBytes: 1024 * 1024 } });
    const socket = connect(c.port, '127.0.0.1');
    let reply = '';
    let closed = false;
    socket.on('data', (d) => (reply += d));
    socket.on('close', () => (closed = true));
    socket.on('error', () => undefined); // writing on after the collector closed: EPIPE or ECONNRESET, which is the point
    socket.write(
      'POST /api/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
    );
    const piece = Buffer.concat([Buffer.from('10000\r\n'), Buffer.alloc(0x10000, 0x20), Buffer.from('\r\n')]);
    let sent = 0;
    const deadline = Date.now() + 5000;
    while (!closed && Date.now() < deadline && sent < 512 * 1024 * 1024) {
      sent += 0x10000;
      // A collector that stopped reading leaves the kernel's buffers full: wait a little, then look again.
      if (!socket.write(piece))
        await new Promise((resolve) => {
          setTimeout(resolve, 100);
          socket.once('drain', resolve);
        });
    }
    socket.destroy();
    console.log(
      `endless body: ${(sent / 1e6).toFixed(1)} MB sent before the collector closed the connection (closed: ${closed})`,
    );
    expect(reply.split('\r\n')[0]).toBe('HTTP/1.1 413 Payload Too Large');
    // Unfixed, it went on reading (and discarding) about 200 MB a second, until the client stopped.
    expect(closed, 'the collector closed the connection').toBe(true);
    expect(sent).toBeLessThan(64 * 1024 * 1024);
    expect((await c.raw('/api/health')).status).toBe(200);
  });

  it('of large bodies sent slowly on many connections is held to a budget: past it, 503 with Retry-After, and small requests still pass', async () => {
    const MiB = 1024 * 1024;
    c = await startTestCollector({ collector: { maxBodyBytes: MiB, maxPendingBodyBytes: 3 * MiB } });
    const sockets: Socket[] = [];
    /** A POST that declares a body under the cap, sends most of it, and then waits (slowloris). */
    const slowBody = async () => {
      const socket = connect(c!.port, '127.0.0.1');
      sockets.push(socket);
      const reply = { text: '', closed: false };
      socket.on('data', (d) => (reply.text += d));
      socket.on('close', () => (reply.closed = true));
      socket.on('error', () => undefined);
      socket.write(
        `POST /api/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${MiB - 1024}\r\n\r\n`,
      );
      socket.write(Buffer.alloc(900 * 1024, 0x20));
      await sleep(150); // until the collector has read it
      return reply;
    };
    const held = [await slowBody(), await slowBody(), await slowBody()];
    for (const reply of held) expect(reply.text, 'a body within the budget is waited for').toBe('');
    const refused = await slowBody();
    await until(() => refused.text.includes('\r\n\r\n'));
    expect(refused.text.split('\r\n')[0]).toBe('HTTP/1.1 503 Service Unavailable');
    expect(refused.text).toMatch(/retry-after: 1/i);
    expect(refused.text).toMatch(/request bodies at once/);
    // Small requests fit in what is left; the held ones are untouched.
    expect((await c.ingest(traceBatch('small', 2))).status).toBe(200);
    expect((await c.raw('/api/health')).status).toBe(200);
    for (const reply of held) expect(reply.text).toBe('');
    // The clients that hung up give their share back.
    for (const socket of sockets) socket.destroy();
    await sleep(100);
    const again = await slowBody();
    expect(again.text).toBe('');
    sockets.at(-1)!.destroy();
  });

  it("of one endless line in a provider's stream does not hold up other requests", async () => {
    const MB = 12;
    provider = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = 'x'.repeat(64 * 1024);
      let left = MB * 16;
      const more = () => {
        while (left > 0) {
          left--;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end('\n\n');
      };
      res.write('data: ');
      more();
    });
    await new Promise<void>((resolve) => provider!.listen(0, '127.0.0.1', resolve));
    const dir = tempDir();
    c = await startTestCollector({
      dir,
      collector: {
        proxy: {
          upstream: `http://127.0.0.1:${(provider.address() as { port: number }).port}/v1`,
          cacheDir: join(dir, 'cache'),
        },
      },
    });
    const call = http(c.port, '/v1/proxy/chat/completions', { body: { model: 'm', stream: true, messages: [] } });
    let slowest = 0;
    let done = false;
    void call.then(() => (done = true));
    while (!done) {
      const started = performance.now();
      expect((await c.raw('/api/health')).status).toBe(200);
      slowest = Math.max(slowest, performance.now() - started);
      await sleep(20);
    }
    const reply = await call;
    expect(reply.status).toBe(200);
    expect(reply.text.length).toBe(MB * 1024 * 1024 + 'data: \n\n'.length);
    console.log(
      `endless line: ${MB} MB passed through; /api/health answered in ${slowest.toFixed(0)} ms at the slowest`,
    );
    expect(slowest, '/api/health held up by the stream').toBeLessThan(1000);
  }, 120_000);
});
