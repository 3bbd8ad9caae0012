// Replay LLM Call's document: an llm span's request as editable JSON and back, with the span
// it replays kept, and clear messages for documents that can not be sent.

import { describe, expect, it } from 'vitest';
import { withDerived } from '../../src/core/model/aggregates';
import type { Span } from '../../src/core/model/model';
import { isReplayableLlm, parseReplayDocument, replayDocument, streamDelta } from '../../src/core/replay/llmReplay';

const llm: Span = withDerived({
  id: 'llm1',
  trace_id: 't1',
  project_name: 'p',
  name: 'chat.completions gpt-4o-mini',
  type: 'llm',
  start_time: '2026-12-07T12:00:00.000000Z',
  end_time: '2026-12-07T12:00:01.000000Z',
  model: 'gpt-4o-mini',
  input: {
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
    ],
  },
  output: { role: 'assistant', content: 'Hello' },
  metadata: { temperature: 0, seed: 3, proxy_path: '/chat/completions', cache_mode: 'auto', cached: false },
});

describe('replay documents', () => {
  it('holds the messages, model and parameters as recorded, and reads back to the same request', () => {
    const text = replayDocument(llm);
    const parsed = parseReplayDocument(text);
    expect(parsed).toEqual({
      replayOf: { trace_id: 't1', span_id: 'llm1' },
      cache: 'auto',
      body: { model: 'gpt-4o-mini', messages: llm.input!['messages' as never], temperature: 0, seed: 3 },
    });
  });

  it('takes an edited message and cache mode', () => {
    const doc = JSON.parse(replayDocument(llm));
    doc.request.messages[1].content = 'Bonjour';
    doc.spanscope_llm_replay.cache = 'replay';
    const parsed = parseReplayDocument(JSON.stringify(doc));
    expect(typeof parsed !== 'string' && parsed.body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Bonjour' },
    ]);
    expect(typeof parsed !== 'string' && parsed.cache).toBe('replay');
  });

  it.each([
    ['{ not json', 'not valid JSON'],
    ['{"request": {}}', 'not a Spanscope replay document'],
    ['{"spanscope_llm_replay": {"replay_of": {"trace_id": "t"}}, "request": {}}', 'must keep the trace_id and span_id'],
    [
      '{"spanscope_llm_replay": {"replay_of": {"trace_id": "t", "span_id": "s"}, "cache": "sometimes"}, "request": {}}',
      '"cache" must be one of auto, always, never, replay',
    ],
    [
      '{"spanscope_llm_replay": {"replay_of": {"trace_id": "t", "span_id": "s"}}, "request": {"model": "m", "messages": []}}',
      'non-empty list of messages',
    ],
  ])('refuses %s', (text, message) => {
    expect(parseReplayDocument(text)).toContain(message);
  });

  it('is offered for llm spans with chat messages only', () => {
    expect(isReplayableLlm(llm)).toBe(true);
    expect(isReplayableLlm({ ...llm, input: { prompt: 'x' } })).toBe(false);
    expect(isReplayableLlm({ ...llm, type: 'general' })).toBe(false);
  });

  it('reads the text of a stream chunk', () => {
    expect(streamDelta('{"choices":[{"delta":{"content":"Bon"}}]}')).toBe('Bon');
    expect(streamDelta('{"choices":[]}')).toBe('');
    expect(streamDelta('garbage')).toBe('');
  });
});
