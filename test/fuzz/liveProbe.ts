// A subscriber to /api/live for the fuzzers: it must stay connected through every case, and
// `answers()` proves the server still reads and writes its connection (not merely that the
// socket is open).

import { expect } from 'vitest';
import { WebSocket } from 'ws';

export class LiveProbe {
  private waiting?: () => void;
  changes = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('{"type":"error"')) this.waiting?.();
      else this.changes++;
    });
  }

  /** Connects and watches `traceIds`, so their spans go through the live serialisation too. */
  static async open(port: number, token: string, traceIds: string[]): Promise<LiveProbe> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/live?token=${token}`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const probe = new LiveProbe(ws);
    ws.send(JSON.stringify({ type: 'watch', trace_ids: traceIds }));
    return probe;
  }

  /** Resolves when the server answered a message sent now: it still reads and writes this connection. */
  answers(): Promise<void> {
    expect(this.ws.readyState).toBe(WebSocket.OPEN);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the live socket did not answer within 5 s')), 5000);
      this.waiting = () => {
        clearTimeout(timer);
        this.waiting = undefined;
        resolve();
      };
      this.ws.send('ping?');
    });
  }
}
