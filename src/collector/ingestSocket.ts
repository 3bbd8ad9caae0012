// The native ingest protocol over a WebSocket: each text frame is one batch, answered with an
// ack when it carries a `seq`. A bad frame is answered and the connection stays open, so one
// malformed batch from an SDK does not cost it the stream.

import type { WebSocket } from 'ws';
import { normaliseNativeBatch } from '../core/normalise/native';
import { StoreWriteError } from '../store/types';
import type { CollectorDeps } from './router';

/**
 * Replies waiting to go out to a peer that is not reading them. Past this its frames are not
 * read either (TCP holds them back) until the replies have gone: a bad frame of 200 bytes is
 * answered with kilobytes of problems, and a peer that kept sending without reading had them
 * queued in the collector's memory for as long as it sent (150 MB in 8 s).
 */
export const MAX_QUEUED_REPLY_BYTES = 1024 * 1024;

export function serveIngestSocket(ws: WebSocket, deps: CollectorDeps): void {
  const drained = () => {
    if (ws.isPaused && ws.bufferedAmount < MAX_QUEUED_REPLY_BYTES) ws.resume();
  };
  ws.on('message', (data, isBinary) => {
    // A text frame is checked to be UTF-8 by ws, so its bytes can be kept as they came (see ingestBatch).
    const reply = isBinary
      ? { error: 'send each batch as a text frame of JSON' }
      : safely(() => handleFrame(data.toString(), Buffer.isBuffer(data) ? data : undefined, deps), deps);
    if (!reply) return;
    ws.send(JSON.stringify(reply), drained);
    if (ws.bufferedAmount > MAX_QUEUED_REPLY_BYTES) ws.pause();
  });
}

/**
 * A frame's handling, never throwing: a throw from a socket's message listener is not a
 * request's failure (as in an HTTP route) but an uncaught exception that ends the process.
 */
function safely(handle: () => object | undefined, deps: CollectorDeps): object | undefined {
  try {
    return handle();
  } catch (err) {
    deps.log(`Spanscope: handling an ingest frame failed: ${(err as Error).stack ?? err}`);
    return { error: 'internal error in the collector (see its log)' };
  }
}

function handleFrame(text: string, bytes: Buffer | undefined, deps: CollectorDeps): object | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    return { error: `malformed JSON: ${(err as Error).message}` };
  }
  const result = normaliseNativeBatch(body);
  const ack = result.seq === undefined ? {} : { ack: result.seq };
  if (!result.ok) return { ...ack, error: result.error, details: result.details };
  try {
    deps.store.apply(result.patches, bytes && !result.cut ? { format: 'native', bytes } : undefined);
  } catch (err) {
    if (err instanceof StoreWriteError)
      return { ...ack, error: err.message, status: 507, retry_after_ms: err.retryAfterMs };
    deps.log(`Spanscope: applying a batch failed: ${(err as Error).stack ?? err}`);
    return { ...ack, error: 'the collector could not store this batch' };
  }
  return result.seq === undefined ? undefined : { ack: result.seq, accepted: result.patches.length };
}
