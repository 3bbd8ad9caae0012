// The text a span shows in the diff editor: stable (keys sorted, sections in one order), chat
// messages one block each, every part a reader compares (model, usage, cost, scores, error).

import { describe, expect, it } from 'vitest';
import { derive, withDerived } from '../../src/core/model/aggregates';
import { renderSpanText, renderTraceText } from '../../src/core/compare/spanText';
import type { Span } from '../../src/core/model/model';

const llm: Span = withDerived({
  id: 's1',
  trace_id: 't1',
  project_name: 'p',
  name: 'generate',
  type: 'llm',
  start_time: '2026-12-07T12:00:00.000000Z',
  end_time: '2026-12-07T12:00:01.200000Z',
  model: 'gpt-4o-mini',
  provider: 'openai',
  input: {
    messages: [
      { role: 'system', content: 'Answer in French.' },
      { role: 'user', content: 'Hello' },
    ],
  },
  output: { role: 'assistant', content: 'Bonjour!' },
  metadata: { parameters: { temperature: 0.2, max_tokens: 100 } },
  usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
  total_estimated_cost: 0.00012,
  feedback_scores: [
    { name: 'relevance', value: 0.9, reason: 'on topic', source: 'ui', created_at: '2026-12-07T12:00:02.000000Z' },
  ],
});

describe('renderSpanText', () => {
  it('renders each chat message as its own block, then the answer, parameters, usage, cost and scores', () => {
    const text = renderSpanText(llm, { traceName: 'my_app' });
    expect(text).toBe(`# generate  (llm · ok · 1.20 s)
trace: my_app
model: gpt-4o-mini (openai)
started: 2026-12-07T12:00:00.000000Z

## Messages
### system
Answer in French.

### user
Hello

## Output
### assistant
Bonjour!

## Parameters
{
  "max_tokens": 100,
  "temperature": 0.2
}

## Usage
completion_tokens: 3
prompt_tokens: 12
total_tokens: 15

## Cost
$0.00012

## Scores
relevance: 0.9 — on topic

## Metadata
{
  "parameters": {
    "max_tokens": 100,
    "temperature": 0.2
  }
}
`);
  });

  it('renders the same value the same way whatever order its keys came in', () => {
    const a = renderSpanText({ ...llm, input: { b: 1, a: { d: 2, c: 3 } } });
    const b = renderSpanText({ ...llm, input: { a: { c: 3, d: 2 }, b: 1 } });
    expect(a).toBe(b);
  });

  it('shows the error with its traceback, and keeps a __proto__ key as a key', () => {
    const text = renderSpanText(
      withDerived({
        id: 's',
        trace_id: 't',
        project_name: 'p',
        name: 'boom',
        type: 'general',
        start_time: '2026-12-07T12:00:00.000000Z',
        input: JSON.parse('{"__proto__": {"x": 1}}'),
        error_info: { exception_type: 'ValueError', message: 'kaboom', traceback: 'Traceback…\nValueError: kaboom\n' },
      }),
    );
    expect(text).toContain('## Input\n{\n  "__proto__": {\n    "x": 1\n  }\n}');
    expect(text).toContain('## Error\nValueError: kaboom\nTraceback…\nValueError: kaboom\n');
  });

  it('renders a whole trace with its spans in start order', () => {
    const text = renderTraceText({
      trace: {
        ...derive({ id: 't1', project_name: 'p', name: 'my_app', start_time: llm.start_time, end_time: llm.end_time }),
        span_count: 1,
        error_count: 0,
        usage: {},
        score_averages: {},
        last_updated_at: llm.start_time,
      },
      spans: [llm],
    });
    expect(text.startsWith('# my_app  (ok · 1.20 s)')).toBe(true);
    expect(text).toContain('## Span: generate  (llm · ok · 1.20 s)');
  });
});
