// Reads a reply as it passes through the proxy, without holding it up: a server-sent stream
// is parsed event by event (the first generated token's time is the call's time to first
// token), any other body is kept (up to a cap) and parsed once it has all arrived. The result
// is what the call's span says: output, usage, model, or the error the API answered with.

import { StringDecoder } from 'node:string_decoder';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { ErrorInfo } from '../../core/model/model';
import {
  type CallResult,
  type OpenAiEndpoint,
  describeReply,
  streamAccumulator,
  type StreamAccumulator,
} from '../../core/llmCalls/openaiCalls';
import { SseReader } from '../../core/llmCalls/sseEvents';
import { isPlainObject } from '../../core/model/merge';
import { cutDepth } from '../../core/normalise/limits';

/** A JSON reply larger than this is passed on but not parsed for its span. */
const MAX_PARSED_BYTES = 32 * 1024 * 1024;

export class ReplyObserver {
  private readonly decoder = new StringDecoder('utf8');
  private readonly sse?: SseReader;
  private readonly events?: StreamAccumulator;
  private readonly parts: Buffer[] = [];
  private size = 0;
  private firstEventMs?: number;
  firstTokenMs?: number;

  /** `contentEncoding`: a body the upstream compressed although asked not to is passed on as it is, and decompressed here to be read. */
  constructor(
    private readonly endpoint: OpenAiEndpoint,
    readonly status: number,
    contentType: string | undefined,
    private readonly startMs: number,
    private readonly contentEncoding?: string,
  ) {
    if (status >= 200 && status < 300 && /^text\/event-stream/i.test(contentType ?? '')) {
      const events = (this.events = streamAccumulator(endpoint));
      this.sse = new SseReader((data) => {
        this.firstEventMs ??= Date.now() - this.startMs;
        if (data === '[DONE]') return;
        let event: unknown;
        try {
          event = JSON.parse(data);
        } catch {
          return; // not JSON: passed on, not understood
        }
        if (events.add(cutDepth(event))) this.firstTokenMs ??= Date.now() - this.startMs;
      });
    }
  }

  get streamed(): boolean {
    return this.sse !== undefined;
  }

  push(chunk: Buffer): void {
    if (this.sse) return this.sse.push(this.decoder.write(chunk));
    this.size += chunk.length;
    if (this.size <= MAX_PARSED_BYTES) this.parts.push(chunk);
  }

  /** What the span records once the reply ended (or was cut short). */
  result(): CallResult & { timeToFirstTokenMs?: number } {
    if (this.sse && this.events) {
      this.sse.push(`${this.decoder.end()}\n\n`); // a last event without its blank line
      return { ...this.events.result(), timeToFirstTokenMs: this.firstTokenMs ?? this.firstEventMs };
    }
    const text = this.size <= MAX_PARSED_BYTES ? decode(Buffer.concat(this.parts), this.contentEncoding) : undefined;
    let body: unknown = text;
    try {
      // Cut to the depth the store keeps, before anything walks it: the readers below (chat
      // messages, JSON.stringify of a content part) recurse, and a reply nested 5,000 deep
      // overflowed them and left the call's span running for ever.
      if (text !== undefined) body = cutDepth(JSON.parse(text));
    } catch {
      // not JSON: the text itself is the output
    }
    if (this.status < 200 || this.status > 299)
      return { output: body, metadata: {}, error: httpError(this.status, body) };
    return describeReply(this.endpoint, body);
  }
}

function decode(bytes: Buffer, encoding: string | undefined): string | undefined {
  try {
    switch (encoding?.trim().toLowerCase()) {
      case 'gzip':
      case 'x-gzip':
        return gunzipSync(bytes, { maxOutputLength: MAX_PARSED_BYTES }).toString('utf8');
      case 'deflate':
        return inflateSync(bytes, { maxOutputLength: MAX_PARSED_BYTES }).toString('utf8');
      case 'br':
        return brotliDecompressSync(bytes, { maxOutputLength: MAX_PARSED_BYTES }).toString('utf8');
      default:
        return bytes.toString('utf8');
    }
  } catch {
    return undefined; // not what it says it is, or too large once inflated: not read
  }
}

/** The error an API answered with: OpenAI's `{"error": {"type", "code", "message"}}`, or the status. */
export function httpError(status: number, body: unknown): ErrorInfo {
  const error = isPlainObject(body) && isPlainObject(body.error) ? body.error : isPlainObject(body) ? body : {};
  const type = [error.type, error.code].find((v) => typeof v === 'string' && v) as string | undefined;
  const message =
    typeof error.message === 'string' ? error.message : typeof body === 'string' ? body.slice(0, 2000) : undefined;
  return { exception_type: `HTTP ${status}${type ? ` ${type}` : ''}`, message };
}
