// Reading a request body under a size cap, before and after decompression: a 1 MB gzip bomb
// that inflates to 1 GB is refused at the cap, not after it has filled memory.

import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import { HttpError } from './httpError';

export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
/** Bodies being received at once, all requests together: eight bodies at the cap. */
export const DEFAULT_MAX_PENDING_BODY_BYTES = 8 * DEFAULT_MAX_BODY_BYTES;

/**
 * The bytes of request bodies the collector holds while they arrive, across connections. The
 * cap bounds one body; without this, a client holding many connections open, each with a body
 * just under the cap and never finished, took as much memory as it liked (the collector runs
 * inside VS Code's extension host). Past it a body is refused with 503 and Retry-After.
 */
export class BodyBudget {
  private used = 0;

  constructor(readonly maxBytes: number) {}

  take(bytes: number): boolean {
    if (this.used + bytes > this.maxBytes) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used -= bytes;
  }
}

/** `budget`: shared by every request of a collector; the body's bytes count against it until it is read whole (or refused). */
export function readBody(req: IncomingMessage, maxBytes: number, budget?: BodyBudget): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  let inflater: Gunzip | Inflate | undefined;
  if (encoding === 'gzip' || encoding === 'x-gzip') inflater = createGunzip();
  else if (encoding === 'deflate') inflater = createInflate();
  else if (encoding !== 'identity' && encoding !== '')
    return Promise.reject(new HttpError(415, `unsupported Content-Encoding "${encoding}" (use gzip, deflate or none)`));

  return new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let done = false;
    // Given back once the body is read (the handler parses it at once) or refused.
    const settle = () => {
      done = true;
      budget?.give(size);
    };
    const fail = (err: Error) => {
      if (done) return;
      settle();
      req.unpipe();
      inflater?.destroy();
      reject(err);
    };
    const source = inflater ?? req;
    source.on('data', (chunk: Buffer) => {
      if (done) return;
      if (size + chunk.length > maxBytes) return fail(tooLarge(maxBytes));
      if (budget && !budget.take(chunk.length)) return fail(busy(budget));
      size += chunk.length;
      parts.push(chunk);
    });
    source.on('end', () => {
      if (done) return;
      settle();
      resolve(parts.length === 1 ? parts[0] : Buffer.concat(parts, size));
    });
    source.on('error', (err) =>
      fail(
        inflater && source === inflater
          ? new HttpError(400, `the body is not valid ${encoding} data: ${err.message}`)
          : err,
      ),
    );
    if (inflater) {
      req.on('error', fail);
      req.pipe(inflater);
    }
    req.on('aborted', () => fail(new HttpError(400, 'the request was aborted')));
  });
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, `the body is over the ${bytesText(maxBytes)} limit (decompressed)`);
}

function busy(budget: BodyBudget): HttpError {
  return new HttpError(
    503,
    `the collector is receiving ${bytesText(budget.maxBytes)} of request bodies at once, its limit; nothing of this request was stored; retry later`,
    undefined,
    { 'retry-after': '1' },
  );
}

function bytesText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB` : `${bytes} bytes`;
}
