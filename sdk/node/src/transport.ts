// One POST of one batch to the collector over a keep-alive connection. `node:http` rather
// than `fetch`: its sockets can be unref'd, so a batch in flight never keeps a finished
// script alive (the exit hooks wait for it instead, with a deadline), and an idle
// keep-alive socket costs nothing at exit either.

import http from 'node:http';
import https from 'node:https';

export interface PostResult {
  status?: number;
  /** The reply body when the status is not 2xx, to say what was wrong. */
  body?: string;
  error?: Error & { code?: string };
}

export class Transport {
  private readonly agent: http.Agent;
  private readonly module: typeof http | typeof https;
  private readonly live = new Set<http.ClientRequest>();
  readonly ingestUrl: URL;

  constructor(readonly baseUrl: string) {
    this.ingestUrl = new URL('api/ingest', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    this.module = this.ingestUrl.protocol === 'https:' ? https : http;
    this.agent = new this.module.Agent({ keepAlive: true, maxSockets: 4 });
  }

  post(body: string, timeoutMs: number): Promise<PostResult> {
    return new Promise((resolve) => {
      let req: http.ClientRequest;
      const done = (result: PostResult) => {
        this.live.delete(req);
        resolve(result);
      };
      try {
        req = this.module.request(this.ingestUrl, {
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        });
      } catch (error) {
        resolve({ error: error as Error });
        return;
      }
      this.live.add(req);
      req.on('socket', (socket) => socket.unref());
      req.setTimeout(timeoutMs, () =>
        req.destroy(Object.assign(new Error(`no reply within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })),
      );
      req.on('error', (error) => done({ error }));
      req.on('response', (res) => {
        const ok = res.statusCode !== undefined && res.statusCode < 300;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (!ok && text.length < 4000) text += chunk;
        });
        res.on('end', () => done(ok ? { status: res.statusCode } : { status: res.statusCode, body: text }));
        res.on('error', (error) => done({ error }));
      });
      req.end(body);
    });
  }

  /** Gives up on every request still in flight (their promises resolve with an error). */
  abortAll(): void {
    for (const req of this.live)
      req.destroy(Object.assign(new Error('aborted at exit deadline'), { code: 'EABORTED' }));
  }

  close(): void {
    this.abortAll();
    this.agent.destroy();
  }
}
