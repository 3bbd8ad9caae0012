// Issue 13, "acknowledged means kept", under kill -9: a real `node dist/cli.js serve` takes
// steady ingest (two senders, one trace per request), is killed with SIGKILL at a varying
// moment, and is started again on the same folder; every trace it answered 200 for must read
// back, except those acknowledged within the flush interval before the kill (docs/protocol.md,
// "What a 200 promises": in memory at once, on disk within the flush interval plus the write's
// own time). Ten rounds; the figures per round are printed for the report.

import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_DEFAULTS } from '../../src/store/traceStore';
import { traceBatch } from '../support/builders';
import { tempDir } from '../support/collector';
import { http } from '../support/http';
import { ensureBuilt } from '../support/build';

const ROOT = join(__dirname, '..', '..');
const TOKEN = 'kill-test';
/** What the machine may add to the flush interval: the write itself, on a shared, noisy machine. */
const WRITE_SLACK_MS = 800;
const ROUNDS = 10;

const children: ChildProcess[] = [];
beforeAll(() => {
  ensureBuilt(); // the test runs the shipped bundle: built from the current sources (globalBuild.ts)
}, 120_000);
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

async function serve(dir: string): Promise<{ child: ChildProcess; port: number; exit: Promise<unknown> }> {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'dist', 'cli.js'), 'serve', '--port', '0', '--data', dir, '--token', TOKEN],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exit = new Promise((resolve) => child.on('exit', resolve));
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    void exit.then(() => reject(new Error(`the CLI exited: ${stderr}`)));
  });
  return { child, port: Number(/:(\d+)$/.exec(first)![1]), exit };
}

describe('kill -9 during steady ingest', () => {
  it(`loses at most what was acknowledged within the flush interval, over ${ROUNDS} rounds`, async () => {
    const dir = tempDir('spanscope-kill-');
    const ackedAt = new Map<string, number>();
    const confirmed = new Set<string>();
    const figures: string[] = [];
    let server = await serve(dir);
    let next = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const runMs = 300 + ((round * 137) % 600); // a different moment each round
      const stopAt = Date.now() + runMs;
      let sending = true;
      const sender = async () => {
        while (sending) {
          const id = `r${round}-t${next++}`;
          try {
            const reply = await http(server.port, '/api/ingest', { body: traceBatch(id, 5, 200) });
            if (reply.status === 200) ackedAt.set(id, Date.now());
          } catch {
            return; // the connection died with the process
          }
        }
      };
      const senders = [sender(), sender()];
      while (Date.now() < stopAt) await new Promise((resolve) => setTimeout(resolve, 10));
      const killedAt = Date.now();
      server.child.kill('SIGKILL');
      sending = false;
      await Promise.all(senders);
      await server.exit;
      server = await serve(dir);
      let lost = 0;
      let oldestLostMs = 0;
      let acked = 0;
      for (const [id, at] of ackedAt) {
        if (confirmed.has(id)) continue;
        acked++;
        const reply = await http(server.port, `/api/traces/${encodeURIComponent(id)}`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        if (reply.status === 200 && reply.json.spans.length === 5) confirmed.add(id);
        else {
          lost++;
          oldestLostMs = Math.max(oldestLostMs, killedAt - at);
          ackedAt.delete(id); // lost for good: not counted again
        }
      }
      figures.push(
        `round ${round}: ${acked} acknowledged, ${acked - lost} readable after restart, ${lost} lost${lost ? ` (acknowledged at most ${oldestLostMs} ms before the kill)` : ''}`,
      );
      expect(oldestLostMs).toBeLessThanOrEqual(STORE_DEFAULTS.flushIntervalMs + WRITE_SLACK_MS);
    }
    server.child.kill('SIGTERM');
    await server.exit;
    console.log(`kill -9 rounds (flush interval ${STORE_DEFAULTS.flushIntervalMs} ms):\n${figures.join('\n')}`);
    expect(confirmed.size).toBeGreaterThan(ROUNDS * 10);
  }, 180_000);
});
