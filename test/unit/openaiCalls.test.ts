// OpenAI-compatible calls in the model's terms (src/core/llmCalls/openaiCalls.ts) and the incremental
// server-sent events reader (src/core/llmCalls/sseEvents.ts) the proxy watches streams with.

import { describe, expect, it } from 'vitest';
import {
  describeReply,
  describeRequest,
  endpointOf,
  openAiUsage,
  streamAccumulator,
} from '../../src/core/llmCalls/openaiCalls';
import { MAX_LINE_CHARS, SseReader } from '../../src/core/llmCalls/sseEvents';

function read(chunks: string[]): string[] {
  const out: string[] = [];
  const reader = new SseReader((d) => out.push(d));
  for (const c of chunks) reader.push(c);
  return out;
}

describe('the server-sent events reader', () => {
  const stream = 'event: a\ndata: {"x":1}\n\n: keep-alive\n\ndata: line 1\ndata: line 2\n\ndata:[DONE]\n\n';

  it("hands on each event's data whatever the chunks' boundaries", () => {
    const whole = read([stream]);
    expect(whole).toEqual(['{"x":1}', 'line 1\nline 2', '[DONE]']);
    for (let cut = 1; cut < stream.length; cut++)
      expect(read([stream.slice(0, cut), stream.slice(cut)])).toEqual(whole);
    expect(read(stream.split(''))).toEqual(whole);
  });

  it('reads \\r\\n and \\r line ends, split between chunks too', () => {
    expect(read(['data: a\r', '\n\r', '\ndata: b\r\r'])).toEqual(['a', 'b']);
  });

  it('drops a line longer than MAX_LINE_CHARS and reads the events after it', () => {
    const long = 'x'.repeat(1024 * 1024);
    const chunks = [
      'data: ',
      ...Array.from({ length: MAX_LINE_CHARS / long.length + 1 }, () => long),
      '\n\ndata: after\n\n',
    ];
    expect(read(chunks)).toEqual(['after']);
  });
});

describe('OpenAI calls as spans', () => {
  it('names the endpoint from the path', () => {
    expect(
      [
        '/chat/completions',
        '/responses',
        '/completions',
        '/embeddings',
        '/models/gpt-4o',
        '/files',
        '/chat/completions/',
      ].map(endpointOf),
    ).toEqual(['chat.completions', 'responses', 'completions', 'embeddings', 'models', 'other', 'chat.completions']);
  });

  it('takes the messages as input, the model apart, and the rest as parameters', () => {
    const body = {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0,
      seed: 3,
      stream: true,
    };
    expect(describeRequest('chat.completions', body)).toEqual({
      input: { messages: body.messages },
      model: 'gpt-4o',
      metadata: { temperature: 0, seed: 3, stream: true },
      stream: true,
    });
    expect(
      describeRequest('responses', {
        model: 'm',
        input: [{ role: 'user', content: [{ type: 'input_text', text: 'hey' }] }],
      }).input,
    ).toMatchObject({ messages: [{ role: 'user' }] });
    expect(describeRequest('other', { model: 'm', file: 'f' })).toEqual({
      input: { model: 'm', file: 'f' },
      model: 'm',
      metadata: {},
      stream: false,
    });
  });

  it('keeps a `__proto__` parameter as a parameter (JSON.parse makes it an own field)', () => {
    const { metadata } = describeRequest(
      'chat.completions',
      JSON.parse('{"model":"m","messages":[],"__proto__":{"x":1},"seed":1}'),
    );
    expect(Object.keys(metadata)).toEqual(['__proto__', 'seed']);
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    expect(JSON.stringify(metadata)).toBe('{"__proto__":{"x":1},"seed":1}');
  });

  it('reads a chat reply: message, tool calls, usage with details, model, finish reason', () => {
    const reply = {
      id: 'c1',
      model: 'gpt-4o-2024',
      choices: [
        {
          index: 0,
          finish_reason: 'tool_calls',
          message: {
            role: 'assistant',
            content: null,
            refusal: null,
            tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{}' } }],
          },
        },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5, prompt_tokens_details: { cached_tokens: 1 } },
    };
    expect(describeReply('chat.completions', reply)).toEqual({
      output: {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{}' } }],
      },
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5, 'prompt_tokens_details.cached_tokens': 1 },
      model: 'gpt-4o-2024',
      metadata: { response_id: 'c1', finish_reason: 'tool_calls' },
    });
    expect(openAiUsage({ input_tokens: 4, output_tokens: 6 })).toEqual({
      prompt_tokens: 4,
      completion_tokens: 6,
      total_tokens: 10,
    });
  });

  it('assembles a streamed chat: text and tool calls across chunks, usage from the last, the first token flagged', () => {
    const acc = streamAccumulator('chat.completions');
    expect(acc.add({ model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] })).toBe(false);
    expect(acc.add({ choices: [{ index: 0, delta: { content: 'Hel' } }] })).toBe(true);
    acc.add({ choices: [{ index: 0, delta: { content: 'lo' } }] });
    acc.add({
      choices: [
        { index: 0, delta: { tool_calls: [{ index: 0, id: 'c', function: { name: 'get', arguments: '{"a"' } }] } },
      ],
    });
    acc.add({
      choices: [
        {
          index: 0,
          delta: { tool_calls: [{ index: 0, function: { arguments: ':1}' } }] },
          finish_reason: 'tool_calls',
        },
      ],
    });
    acc.add({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 2 } });
    expect(acc.result()).toEqual({
      output: {
        role: 'assistant',
        content: 'Hello',
        tool_calls: [{ id: 'c', type: 'function', function: { name: 'get', arguments: '{"a":1}' } }],
      },
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
      model: 'm',
      metadata: { finish_reason: 'tool_calls' },
    });
  });

  it('assembles a streamed response from its deltas and its completed event', () => {
    const acc = streamAccumulator('responses');
    expect(
      acc.add({ type: 'response.created', response: { id: 'r', status: 'in_progress', model: 'm', output: [] } }),
    ).toBe(false);
    expect(acc.add({ type: 'response.output_text.delta', delta: 'Hi' })).toBe(true);
    acc.add({
      type: 'response.completed',
      response: { id: 'r', status: 'completed', model: 'm', output: [], usage: { input_tokens: 2, output_tokens: 1 } },
    });
    expect(acc.result()).toMatchObject({
      output: { role: 'assistant', content: 'Hi' },
      usage: { prompt_tokens: 2, completion_tokens: 1 },
      metadata: { status: 'completed' },
    });
  });
});
