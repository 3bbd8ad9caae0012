// What the proxy reads from a reply as it passes: a JSON body (compressed or not), a stream's
// events, an API error.

import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ReplyObserver } from '../../src/collector/proxy/replyObserver';

const completion = {
  id: 'c',
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1, completion_tokens: 1 },
};

describe('the reply observer', () => {
  it('reads a JSON reply cut into chunks, and one the upstream gzipped anyway', () => {
    const text = Buffer.from(JSON.stringify(completion));
    const plain = new ReplyObserver('chat.completions', 200, 'application/json', Date.now());
    plain.push(text.subarray(0, 10));
    plain.push(text.subarray(10));
    expect(plain.result()).toMatchObject({
      output: { role: 'assistant', content: 'hi' },
      usage: { total_tokens: 2 },
      model: 'm',
    });
    const zipped = new ReplyObserver('chat.completions', 200, 'application/json', Date.now(), 'gzip');
    zipped.push(gzipSync(text));
    expect(zipped.result()).toMatchObject({ output: { role: 'assistant', content: 'hi' } });
  });

  it('reads a stream split mid-character and mid-event, and times its first token', () => {
    const observer = new ReplyObserver('chat.completions', 200, 'text/event-stream; charset=utf-8', Date.now() - 5);
    const bytes = Buffer.from(
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant', content: 'ça' } }] })}\n\ndata: [DONE]\n\n`,
    );
    const cut = bytes.indexOf(Buffer.from('ç')) + 1; // inside the two bytes of ç
    observer.push(bytes.subarray(0, cut));
    expect(observer.firstTokenMs).toBeUndefined();
    observer.push(bytes.subarray(cut));
    expect(observer.firstTokenMs).toBeGreaterThanOrEqual(5);
    expect(observer.result()).toMatchObject({ output: { role: 'assistant', content: 'ça' } });
  });

  it("turns an API error into the span's error", () => {
    const observer = new ReplyObserver('chat.completions', 401, 'application/json', Date.now());
    observer.push(
      Buffer.from(
        JSON.stringify({
          error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' },
        }),
      ),
    );
    expect(observer.result().error).toEqual({
      exception_type: 'HTTP 401 invalid_request_error',
      message: 'Incorrect API key provided',
    });
    const text = new ReplyObserver('chat.completions', 503, 'text/plain', Date.now());
    text.push(Buffer.from('upstream overloaded'));
    expect(text.result().error).toEqual({ exception_type: 'HTTP 503', message: 'upstream overloaded' });
  });
});
