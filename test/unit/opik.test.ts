import { describe, expect, it } from 'vitest';
import type { Patch, SpanPatch, TracePatch } from '../../src/core/model/model';
import {
  opikScoreDelete,
  opikScores,
  opikSpan,
  opikSpanBatch,
  opikSpanUpdate,
  opikThreadScoreDelete,
  opikThreadScores,
  opikTrace,
  opikTraceBatch,
  opikTraceUpdate,
} from '../../src/core/normalise/opik';

const TRACE_ID = '0193e0a1-0000-7000-8000-000000000001';
const SPAN_ID = '0193e0a1-0000-7000-8000-000000000002';

function traceWrite(over: Record<string, unknown> = {}) {
  return { id: TRACE_ID, project_name: 'proj', name: 'chain', start_time: '2026-01-02T03:04:05.123Z', ...over };
}

function spanWrite(over: Record<string, unknown> = {}) {
  return { id: SPAN_ID, trace_id: TRACE_ID, name: 'llm', type: 'llm', start_time: '2026-01-02T03:04:05.200Z', ...over };
}

const traces = (patches: Patch[]): TracePatch[] => patches.flatMap((p) => (p.kind === 'trace' ? [p.trace] : []));
const spans = (patches: Patch[]): SpanPatch[] => patches.flatMap((p) => (p.kind === 'span' ? [p.span] : []));

describe('Opik trace and span creates', () => {
  it('keeps Opik fields under the same names and makes times canonical', () => {
    const result = opikTraceBatch({
      traces: [
        traceWrite({
          end_time: '2026-01-02T03:04:06Z',
          input: { q: 'hi' },
          output: 'yo',
          metadata: { a: 1 },
          tags: ['x'],
          thread_id: 'th-1',
        }),
      ],
    });
    expect(result.problems).toEqual([]);
    expect(traces(result.patches)).toEqual([
      {
        id: TRACE_ID,
        project_name: 'proj',
        name: 'chain',
        start_time: '2026-01-02T03:04:05.123000Z',
        end_time: '2026-01-02T03:04:06.000000Z',
        input: { q: 'hi' },
        output: 'yo',
        metadata: { a: 1 },
        tags: ['x'],
        thread_id: 'th-1',
      },
    ]);
  });

  it('reads the LLM fields of spans: model, provider, usage, cost, parent', () => {
    const result = opikSpanBatch({
      spans: [
        spanWrite({
          parent_span_id: 'p1',
          model: 'gpt-4o',
          provider: 'openai',
          usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
          total_estimated_cost: 0.01,
        }),
      ],
    });
    expect(result.problems).toEqual([]);
    expect(spans(result.patches)[0]).toMatchObject({
      id: SPAN_ID,
      trace_id: TRACE_ID,
      parent_span_id: 'p1',
      type: 'llm',
      model: 'gpt-4o',
      provider: 'openai',
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
      total_estimated_cost: 0.01,
      start_time: '2026-01-02T03:04:05.200000Z',
    });
  });

  it('reads times with microseconds and offsets as the Python SDK sends them', () => {
    const result = opikSpan(spanWrite({ start_time: '2026-01-02T05:04:05.123456+02:00' }));
    expect(spans(result.patches)[0].start_time).toBe('2026-01-02T03:04:05.123456Z');
  });

  it('gives a create without an id a fresh one, as the Opik server does', () => {
    const a = opikTrace({ ...traceWrite(), id: undefined });
    const b = opikTrace({ ...traceWrite(), id: undefined });
    expect(a.problems).toEqual([]);
    expect(traces(a.patches)[0].id).toMatch(/^[0-9a-f-]{36}$/);
    expect(traces(a.patches)[0].id).not.toBe(traces(b.patches)[0].id);
  });

  it('treats null as absent, so a null field does not erase a stored one', () => {
    const result = opikTraceBatch({ traces: [traceWrite({ output: null, end_time: null, tags: null })] });
    expect(result.problems).toEqual([]);
    expect(traces(result.patches)[0]).not.toHaveProperty('output');
    expect(traces(result.patches)[0]).not.toHaveProperty('end_time');
  });

  it('wraps metadata that is not an object rather than dropping it', () => {
    const result = opikTrace(traceWrite({ metadata: ['a', 'b'] }));
    expect(traces(result.patches)[0].metadata).toEqual({ metadata: ['a', 'b'] });
  });

  it('keeps the environment in metadata and makes ttft the time to first token', () => {
    const result = opikSpan(spanWrite({ environment: 'staging', ttft: 120, metadata: { k: 'v' } }));
    expect(spans(result.patches)[0].metadata).toEqual({ k: 'v', environment: 'staging' });
    expect(spans(result.patches)[0].time_to_first_token_ms).toBe(120);
  });

  it('does not count original_usage.* again: only its cache and reasoning details stay, under canonical names', () => {
    const usage = {
      prompt_tokens: 12,
      completion_tokens: 5,
      total_tokens: 17,
      'original_usage.prompt_tokens': 12,
      'original_usage.completion_tokens': 5,
      'original_usage.total_tokens': 17,
      'original_usage.prompt_tokens_details.cached_tokens': 4,
      'original_usage.completion_tokens_details.reasoning_tokens': 0,
    };
    expect(spans(opikSpan(spanWrite({ usage })).patches)[0].usage).toEqual({
      prompt_tokens: 12,
      completion_tokens: 5,
      total_tokens: 17,
      cached_tokens: 4,
    });
  });

  it('ignores fields the model does not have (source, last_updated_at, project_id)', () => {
    const result = opikSpan(
      spanWrite({
        source: 'sdk',
        last_updated_at: '2026-01-02T03:04:05Z',
        project_id: 'x',
        total_estimated_cost_version: 'v1',
      }),
    );
    expect(result.problems).toEqual([]);
    expect(Object.keys(spans(result.patches)[0]).sort()).toEqual(['id', 'name', 'start_time', 'trace_id', 'type']);
  });

  it('keeps error_info with its traceback', () => {
    const result = opikSpan(
      spanWrite({ error_info: { exception_type: 'ValueError', message: 'bad', traceback: 'Traceback…' } }),
    );
    expect(spans(result.patches)[0].error_info).toEqual({
      exception_type: 'ValueError',
      message: 'bad',
      traceback: 'Traceback…',
    });
  });
});

describe('Opik updates', () => {
  it('takes the id from the path and needs no start time', () => {
    const result = opikTraceUpdate(TRACE_ID, {
      end_time: '2026-01-02T03:04:07Z',
      output: { a: 1 },
      project_name: 'proj',
    });
    expect(result.problems).toEqual([]);
    expect(traces(result.patches)).toEqual([
      { id: TRACE_ID, project_name: 'proj', end_time: '2026-01-02T03:04:07.000000Z', output: { a: 1 } },
    ]);
  });

  it('merges tags_to_add into tags', () => {
    const result = opikSpanUpdate(SPAN_ID, { trace_id: TRACE_ID, tags: ['a'], tags_to_add: ['b'] });
    expect(spans(result.patches)[0].tags).toEqual(['a', 'b']);
  });

  it('needs the trace id on a span update, as Opik does', () => {
    const result = opikSpanUpdate(SPAN_ID, { output: 'x' });
    expect(result.patches).toEqual([]);
    expect(result.problems).toEqual([{ index: 0, path: 'span.trace_id', message: 'is required' }]);
  });
});

describe('Opik validation', () => {
  it('lists every problem with its path and applies nothing of the batch', () => {
    const result = opikSpanBatch({
      spans: [
        spanWrite(),
        spanWrite({ type: 'agent', start_time: 'yesterday' }),
        spanWrite({ trace_id: undefined, usage: { prompt_tokens: 'many' } }),
        'not a span',
      ],
    });
    expect(result.patches).toEqual([]);
    expect(result.problems).toEqual([
      { index: 1, path: 'spans[1].start_time', message: 'must be an ISO 8601 date-time or epoch milliseconds' },
      { index: 1, path: 'spans[1].type', message: 'must be one of general, llm, tool, guardrail' },
      { index: 2, path: 'spans[2].usage', message: 'must be an object of numbers (prompt_tokens is not)' },
      { index: 2, path: 'spans[2].trace_id', message: 'is required' },
      { index: 3, path: 'spans[3]', message: 'must be an object' },
    ]);
  });

  it('needs a start time on creates', () => {
    expect(opikTraceBatch({ traces: [traceWrite({ start_time: undefined })] }).problems).toEqual([
      { index: 0, path: 'traces[0].start_time', message: 'is required' },
    ]);
  });

  it('refuses ids that are empty, too long or hold control characters', () => {
    const messages = ['', 'x'.repeat(129), 'a\nb', 42].map((id) =>
      opikTrace(traceWrite({ id })).problems.map((p) => `${p.path} ${p.message}`),
    );
    expect(messages).toEqual([
      ['trace.id must be 1–128 characters'],
      ['trace.id must be 1–128 characters'],
      ['trace.id must not contain control characters'],
      ['trace.id must be a string'],
    ]);
  });

  it('says what shape the body should have', () => {
    expect(opikTraceBatch([]).problems).toEqual([
      { index: 0, path: 'traces', message: 'the body must be an object with a "traces" array' },
    ]);
    expect(opikSpan('x').problems).toEqual([{ index: 0, path: 'span', message: 'the body must be a JSON object' }]);
  });

  it('checks error_info', () => {
    expect(opikTrace(traceWrite({ error_info: { message: 'x' } })).problems).toEqual([
      { index: 0, path: 'trace.error_info', message: 'must have exception_type (a string)' },
    ]);
  });
});

describe('Opik feedback scores', () => {
  it('turns trace and span scores into score patches with source sdk by default', () => {
    const result = opikScores('span', {
      scores: [
        { id: SPAN_ID, name: 'relevance', value: 0.5, reason: 'ok', project_name: 'proj' },
        { id: SPAN_ID, name: 'ui', value: 1, source: 'ui', category_name: 'c' },
      ],
    });
    expect(result.problems).toEqual([]);
    expect(result.patches).toEqual([
      {
        kind: 'score',
        score: { target: 'span', id: SPAN_ID, name: 'relevance', value: 0.5, reason: 'ok', source: 'sdk' },
      },
      { kind: 'score', score: { target: 'span', id: SPAN_ID, name: 'ui', value: 1, source: 'ui', category_name: 'c' } },
    ]);
  });

  it('needs a name and a numeric value', () => {
    expect(opikScores('trace', { scores: [{ id: TRACE_ID, value: 'high' }] }).problems).toEqual([
      { index: 0, path: 'scores[0].value', message: 'must be a number' },
      { index: 0, path: 'scores[0].name', message: 'is required' },
    ]);
  });

  it('turns a delete into a null-valued score', () => {
    expect(opikScoreDelete('trace', TRACE_ID, { name: 'relevance' }).patches).toEqual([
      { kind: 'score', score: { target: 'trace', id: TRACE_ID, name: 'relevance', value: null, source: 'sdk' } },
    ]);
  });

  it('writes a thread score onto every trace of that thread', () => {
    const asked: [string, string | undefined][] = [];
    const lookup = (thread: string, project: string | undefined) => {
      asked.push([thread, project]);
      return thread === 'th-1' ? ['t1', 't2'] : [];
    };
    const result = opikThreadScores(
      { scores: [{ thread_id: 'th-1', project_name: 'proj', name: 'satisfaction', value: 0.8, source: 'sdk' }] },
      lookup,
    );
    expect(asked).toEqual([['th-1', 'proj']]);
    expect(result.unmatched).toEqual([]);
    expect(result.patches).toEqual([
      { kind: 'score', score: { target: 'trace', id: 't1', name: 'satisfaction', value: 0.8, source: 'sdk' } },
      { kind: 'score', score: { target: 'trace', id: 't2', name: 'satisfaction', value: 0.8, source: 'sdk' } },
    ]);
  });

  it('reports threads of which no trace is known', () => {
    const result = opikThreadScores({ scores: [{ thread_id: 'gone', name: 's', value: 1 }] }, () => []);
    expect(result.patches).toEqual([]);
    expect(result.unmatched).toEqual(['gone']);
  });

  it('deletes the named thread scores from every trace of the thread', () => {
    const result = opikThreadScoreDelete({ project_name: 'proj', thread_id: 'th-1', names: ['a', 'b'] }, () => ['t1']);
    expect(result.patches).toEqual([
      { kind: 'score', score: { target: 'trace', id: 't1', name: 'a', value: null, source: 'sdk' } },
      { kind: 'score', score: { target: 'trace', id: 't1', name: 'b', value: null, source: 'sdk' } },
    ]);
    expect(opikThreadScoreDelete({ thread_id: 'th-1' }, () => ['t1']).problems).toEqual([
      { index: 0, path: 'thread.names', message: 'is required' },
    ]);
  });
});
