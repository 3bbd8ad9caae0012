import { describe, expect, it } from 'vitest';
import { asChat } from '../../webview/trace/details/chat';

describe('chat detection', () => {
  it('reads a request with messages and keeps its other fields', () => {
    const chat = asChat({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
    })!;
    expect(chat.messages.map((m) => [m.role, m.parts])).toEqual([
      ['system', [{ kind: 'text', text: 'Be brief.' }]],
      ['user', [{ kind: 'text', text: 'Hi' }]],
    ]);
    expect(chat.rest).toEqual({ model: 'gpt-4o' });
  });

  it('reads an assistant reply that only calls tools, parsing JSON arguments', () => {
    const chat = asChat({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
    })!;
    expect(chat.messages[0].toolCalls).toEqual([{ id: 'c1', name: 'get_weather', arguments: { city: 'Paris' } }]);
    expect(chat.messages[0].parts).toEqual([]);
  });

  it('reads an OpenAI completion through choices[].message', () => {
    const chat = asChat({
      id: 'x',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' } }],
      usage: { total_tokens: 3 },
    })!;
    expect(chat.messages[0]).toMatchObject({ role: 'assistant', parts: [{ kind: 'text', text: 'Hello' }] });
    expect(chat.rest).toEqual({ id: 'x', usage: { total_tokens: 3 } });
  });

  it('reads one reply, and several replies as numbered choices, in the shape our SDKs and OTLP write', () => {
    const one = asChat({ role: 'assistant', content: 'Paris.' })!;
    expect(one.messages.map((m) => m.parts)).toEqual([[{ kind: 'text', text: 'Paris.' }]]);
    expect(one.choices).toBeUndefined();
    const several = asChat({
      choices: [
        { role: 'assistant', content: 'Paris.' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"q":"capital"}' } }],
        },
      ],
    })!;
    expect(several.choices).toBe(true);
    expect(several.messages.map((m) => m.role)).toEqual(['assistant', 'assistant']);
    expect(several.messages[0].parts).toEqual([{ kind: 'text', text: 'Paris.' }]);
    expect(several.messages[1].toolCalls).toEqual([{ id: 'c1', name: 'lookup', arguments: { q: 'capital' } }]);
    expect(several.rest).toBeUndefined();
    // An OpenAI completion with n > 1 is read the same way.
    expect(
      asChat({
        choices: [{ message: { role: 'assistant', content: 'A' } }, { message: { role: 'assistant', content: 'B' } }],
      })!.choices,
    ).toBe(true);
  });

  it('reads content parts and Anthropic tool_use blocks, and tool replies', () => {
    const chat = asChat([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'look' },
          { type: 'image_url', image_url: { url: 'data:…' } },
        ],
      },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'search', input: { q: 'x' } }] },
      { role: 'tool', tool_call_id: 't1', content: 'result' },
    ])!;
    expect(chat.messages[0].parts.map((p) => p.kind)).toEqual(['text', 'other']);
    expect(chat.messages[1].toolCalls).toEqual([{ id: 't1', name: 'search', arguments: { q: 'x' } }]);
    expect(chat.messages[2].toolCallId).toBe('t1');
  });

  it('rejects anything that is not a conversation', () => {
    expect(asChat('hello')).toBeUndefined();
    expect(asChat({ messages: [] })).toBeUndefined();
    expect(asChat({ messages: [{ role: 'user', content: 'hi' }, { text: 'no role' }] })).toBeUndefined();
    expect(asChat({ role: 'user' })).toBeUndefined();
    expect(asChat([1, 2])).toBeUndefined();
    expect(asChat({ choices: [{ text: 'legacy completion' }] })).toBeUndefined();
  });
});
