// The last resort for `process.exit()` and fatal errors: the 'exit' event allows no more
// asynchronous work, so the batches still pending are handed to a short-lived child `node`
// that posts them while this process waits (spawnSync), bounded by the exit deadline. It
// costs one Node start-up (tens of milliseconds), and only when something is pending: the
// sender flushes every 50 ms, so usually nothing is.

import { spawnSync } from 'node:child_process';
import type { Batch } from './sender.js';

// Runs in the child: reads the batches (one JSON body per line) from stdin and posts them
// one after the other; exit code 0 only when every one was accepted.
const CHILD = `
const url = new URL(process.argv[1]);
const mod = require(url.protocol === 'https:' ? 'node:https' : 'node:http');
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const bodies = Buffer.concat(chunks).toString('utf8').split('\\n').filter(Boolean);
  const next = (i) => {
    if (i >= bodies.length) process.exit(0);
    const req = mod.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(bodies[i]) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode < 300 ? next(i + 1) : process.exit(3)));
    });
    req.on('error', () => process.exit(2));
    req.end(bodies[i]);
  };
  next(0);
});
`;

export interface SyncSendResult {
  ok: boolean;
  reason?: string;
}

export function sendSync(ingestUrl: URL, batches: Batch[], timeoutMs: number): SyncSendResult {
  if (timeoutMs < 50) return { ok: false, reason: 'no time left before exit' };
  // A user's NODE_OPTIONS (a --require of this SDK, a loader) must not run in the child.
  const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
  delete env.NODE_OPTIONS;
  const result = spawnSync(process.execPath, ['-e', CHILD, ingestUrl.href], {
    input: batches.map((b) => b.body).join('\n'),
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    stdio: ['pipe', 'ignore', 'ignore'],
    env,
    windowsHide: true,
  });
  if (result.error) return { ok: false, reason: (result.error as NodeJS.ErrnoException).code ?? result.error.message };
  if (result.status === 0) return { ok: true };
  if (result.signal) return { ok: false, reason: `no reply within ${timeoutMs} ms` };
  return { ok: false, reason: result.status === 2 ? 'collector unreachable' : 'collector rejected a batch' };
}
