// Reading a request body under a size cap, before and after decompression: a 1 MB gzip bomb
// that inflates to 1 GB is refused at the cap, not after it has filled memory.

import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import { HttpError } from './httpError';

export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  let inflater: Gunzip | Inflate | undefined;
  if (encoding === 'gzip' || encoding === 'x-gzip') inflater = createGunzip();
  else if (encoding === 'deflate') inflater = createInflate();
  else if (encoding !== 'identity' && encoding !== '') return Promise.reject(new HttpError(415, `unsupported Content-Encoding "${encoding}" (use gzip, deflate or none)`));

  return new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let done = false;
    const fail = (err: Error) => {
      if (done) return;
      done = true;
      req.unpipe();
      inflater?.destroy();
      reject(err);
    };
    const source = inflater ?? req;
    source.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return fail(tooLarge(maxBytes));
      parts.push(chunk);
    });
    source.on('end', () => {
      if (done) return;
      done = true;
      resolve(parts.length === 1 ? parts[0] : Buffer.concat(parts, size));
    });
    source.on('error', (err) => fail(inflater && source === inflater ? new HttpError(400, `the body is not valid ${encoding} data: ${err.message}`) : err));
    if (inflater) {
      req.on('error', fail);
      req.pipe(inflater);
    }
    req.on('aborted', () => fail(new HttpError(400, 'the request was aborted')));
  });
}

function tooLarge(maxBytes: number): HttpError {
  const limit = maxBytes >= 1024 * 1024 ? `${Math.round((maxBytes / 1024 / 1024) * 10) / 10} MiB` : `${maxBytes} bytes`;
  return new HttpError(413, `the body is over the ${limit} limit (decompressed)`);
}
