import { describe, expect, it } from 'vitest';
import { FilterSyntaxError, parseFilter } from '../../src/core/queries/filterParser';
import type { TraceSummary } from '../../src/core/model/model';
import { checkFilter, compileFilter, type FilterOptions } from '../../src/core/queries/traceFilter';
import { at, summary } from '../support/summaries';

function names(traces: TraceSummary[], filter: string, options?: FilterOptions): string[] {
  const match = compileFilter(filter, options);
  return traces.filter(match).map((t) => t.name);
}

function errorOf(filter: string): FilterSyntaxError {
  const err = checkFilter(filter);
  if (!err) throw new Error(`expected "${filter}" to be refused`);
  return err;
}

const traces = [
  summary({
    name: 'summarise',
    project_name: 'My Project',
    tags: ['beta', 'nightly'],
    scores: { user_feedback: 0.2, correctness: 1 },
    durationMs: 3500,
    input_preview: '{"question":"What is the capital of France?"}',
    output_preview: '"Paris"',
    usage: { prompt_tokens: 900, completion_tokens: 300 },
    total_estimated_cost: 0.02,
    span_count: 60,
    start_time: at(0),
    thread_id: 'conv-1',
  }),
  summary({
    name: 'classify',
    project_name: 'My Project',
    tags: ['Beta'],
    scores: { user_feedback: 0.9 },
    durationMs: 800,
    input_preview: 'classify this ticket',
    usage: { total_tokens: 120 },
    total_estimated_cost: 0.001,
    span_count: 3,
    start_time: at(10),
  }),
  summary({
    name: 'retrieve',
    project_name: 'Other',
    status: 'error',
    durationMs: 100,
    error_info: { exception_type: 'TimeoutError', message: 'upstream slow' },
    start_time: at(20),
    thread_id: 'conv-1',
  }),
  summary({ name: 'stream answer', project_name: 'Other', start_time: at(30) }), // running: no end, no score, no cost
];

describe('filter language: free text', () => {
  it('matches names, previews, tags, thread ids and error messages, ignoring case', () => {
    expect(names(traces, 'FRANCE')).toEqual(['summarise']);
    expect(names(traces, 'paris')).toEqual(['summarise']);
    expect(names(traces, 'nightly')).toEqual(['summarise']);
    expect(names(traces, 'timeouterror')).toEqual(['retrieve']);
    expect(names(traces, 'slow')).toEqual(['retrieve']);
    expect(names(traces, 'conv-1')).toEqual(['summarise', 'retrieve']);
  });

  it('ANDs juxtaposed words and keeps a quoted phrase together', () => {
    expect(names(traces, 'capital france')).toEqual(['summarise']);
    expect(names(traces, 'capital classify')).toEqual([]);
    expect(names(traces, '"stream answer"')).toEqual(['stream answer']);
    expect(names(traces, '"answer stream"')).toEqual([]);
  });

  it('searches the extra text the store supplies', () => {
    const extra = (t: TraceSummary) => (t.name === 'classify' ? 'whole input mentions invoices' : undefined);
    expect(names(traces, 'invoices', { searchText: extra })).toEqual(['classify']);
    expect(names(traces, 'invoices')).toEqual([]);
  });

  it('matches everything when empty or blank', () => {
    expect(names(traces, '')).toHaveLength(4);
    expect(names(traces, '   ')).toHaveLength(4);
  });
});

describe('filter language: fields', () => {
  it('filters by status', () => {
    expect(names(traces, 'status:error')).toEqual(['retrieve']);
    expect(names(traces, 'status:running')).toEqual(['stream answer']);
    expect(names(traces, 'status:OK')).toEqual(['summarise', 'classify']);
  });

  it('filters by tag (whole tag, any case), project (quoted), name (substring), thread and id prefix', () => {
    expect(names(traces, 'tag:beta')).toEqual(['summarise', 'classify']);
    expect(names(traces, 'tag:bet')).toEqual([]);
    expect(names(traces, 'project:"my project"')).toEqual(['summarise', 'classify']);
    expect(names(traces, 'project:My')).toEqual([]);
    expect(names(traces, 'name:ARIS')).toEqual(['summarise']);
    expect(names(traces, 'thread:conv-1')).toEqual(['summarise', 'retrieve']);
    expect(names(traces, `id:${traces[2].id.slice(0, -1)}`)).toContain('retrieve');
    expect(names(traces, 'input:capital output:paris')).toEqual(['summarise']);
  });

  it('tests presence with has: and score:', () => {
    expect(names(traces, 'has:cost')).toEqual(['summarise', 'classify']);
    expect(names(traces, '-has:scores')).toEqual(['retrieve', 'stream answer']);
    expect(names(traces, 'has:thread')).toEqual(['summarise', 'retrieve']);
    expect(names(traces, 'score:correctness')).toEqual(['summarise']);
  });

  it('filters by time range: after includes its instant, before excludes it, last counts back from now', () => {
    expect(names(traces, `after:${at(10)}`)).toEqual(['classify', 'retrieve', 'stream answer']);
    expect(names(traces, `before:${at(10)}`)).toEqual(['summarise']);
    expect(names(traces, `after:${at(10)} before:${at(30)}`)).toEqual(['classify', 'retrieve']);
    expect(names(traces, 'after:2026-01-02T03:15')).toEqual(['retrieve', 'stream answer']);
    expect(names(traces, 'after:2026-01-02T05:15+02:00')).toEqual(['retrieve', 'stream answer']);
    expect(names(traces, 'before:2026-01-02')).toEqual([]);
    const now = Date.parse(at(35));
    expect(names(traces, 'last:15m', { now })).toEqual(['retrieve', 'stream answer']);
    expect(names(traces, 'last:1h', { now })).toHaveLength(4);
  });
});

describe('filter language: comparisons', () => {
  it('compares scores, leaving out traces that were never scored', () => {
    expect(names(traces, 'user_feedback < 0.5')).toEqual(['summarise']);
    expect(names(traces, 'user_feedback>=0.2')).toEqual(['summarise', 'classify']);
    expect(names(traces, 'correctness = 1')).toEqual(['summarise']);
    expect(names(traces, 'correctness != 1')).toEqual([]);
    expect(names(traces, '-user_feedback<0.5')).toEqual(['classify', 'retrieve', 'stream answer']);
    expect(names(traces, 'User_Feedback > 0.5')).toEqual(['classify']);
  });

  it('compares durations with units, leaving out running traces', () => {
    expect(names(traces, 'duration > 2s')).toEqual(['summarise']);
    expect(names(traces, 'duration <= 800')).toEqual(['classify', 'retrieve']);
    expect(names(traces, 'duration:<0.5s')).toEqual(['retrieve']);
    expect(names(traces, 'latency >= 1m')).toEqual([]);
  });

  it('compares tokens (total, or prompt + completion), cost and span counts', () => {
    expect(names(traces, 'tokens > 1000')).toEqual(['summarise']);
    expect(names(traces, 'tokens >= 1.2k')).toEqual(['summarise']);
    expect(names(traces, 'tokens < 200')).toEqual(['classify']);
    expect(names(traces, 'prompt_tokens = 900')).toEqual(['summarise']);
    expect(names(traces, 'cost > 0.01')).toEqual(['summarise']);
    expect(names(traces, 'cost < $0.01')).toEqual(['classify']);
    expect(names(traces, 'spans > 50')).toEqual(['summarise']);
    expect(names(traces, 'spans:3')).toEqual(['classify']);
  });

  it('compares the time to first token, only of traces that streamed', () => {
    const streamed = [
      ...traces,
      summary({ name: 'chat', start_time: at(40), durationMs: 900, time_to_first_token_ms: 320 }),
    ];
    expect(names(streamed, 'ttft > 300ms')).toEqual(['chat']);
    expect(names(streamed, 'ttft < 0.3s')).toEqual([]);
    expect(names(streamed, 'has:ttft')).toEqual(['chat']);
  });

  it('reads a score named like a field when written score:NAME', () => {
    const scored = [summary({ name: 'a', scores: { duration: 4 } }), summary({ name: 'b', durationMs: 5000 })];
    expect(names(scored, 'score:duration > 3')).toEqual(['a']);
    expect(names(scored, 'duration > 3s')).toEqual(['b']);
    expect(names([summary({ name: 'q', scores: { 'answer quality': 0.7 } })], 'score:"answer quality">=0.7')).toEqual([
      'q',
    ]);
    expect(names([summary({ name: 'q', scores: { 'answer quality': 0.7 } })], '"answer quality" < 0.5')).toEqual([]);
  });
});

describe('filter language: boolean structure', () => {
  it('combines with OR, AND, negation and parentheses; AND binds tighter than OR', () => {
    expect(names(traces, 'status:error OR status:running')).toEqual(['retrieve', 'stream answer']);
    expect(names(traces, 'project:Other status:error OR tag:nightly')).toEqual(['summarise', 'retrieve']);
    expect(names(traces, 'project:Other (status:error OR tag:nightly)')).toEqual(['retrieve']);
    expect(names(traces, 'tag:beta AND -name:classify')).toEqual(['summarise']);
    expect(names(traces, 'NOT project:Other')).toEqual(['summarise', 'classify']);
    expect(names(traces, '-(status:error OR status:running)')).toEqual(['summarise', 'classify']);
    expect(names(traces, '--status:error')).toEqual(['retrieve']);
  });

  it('reads lowercase "or" and hyphenated words as text', () => {
    const ts = [summary({ name: 'this or that' }), summary({ name: 'gpt-4o call' })];
    expect(names(ts, 'this or that')).toEqual(['this or that']);
    expect(names(ts, 'gpt-4o')).toEqual(['gpt-4o call']);
  });

  it('parses escapes inside quotes', () => {
    const ts = [summary({ name: 'say "hi" \\ bye' })];
    expect(names(ts, '"say \\"hi\\" \\\\"')).toEqual(['say "hi" \\ bye']);
  });

  it('builds the tree it promises', () => {
    expect(parseFilter('a b OR -c')).toMatchObject({
      kind: 'or',
      items: [
        {
          kind: 'and',
          items: [
            { kind: 'text', text: 'a' },
            { kind: 'text', text: 'b' },
          ],
        },
        { kind: 'not', item: { kind: 'text', text: 'c' } },
      ],
    });
  });
});

describe('filter language: errors say what and where', () => {
  const cases: [string, RegExp, number, number][] = [
    ['status:done', /unknown status "done"/, 7, 11],
    ['foo:bar', /unknown field "foo".*quotes/, 0, 3],
    ['http://example.com', /unknown field "http"/, 0, 4],
    ['"unclosed', /never closed/, 0, 9],
    ['(status:error', /"\(" is never closed/, 0, 1],
    ['status:error)', /unmatched "\)"/, 12, 13],
    ['()', /empty parentheses/, 0, 2],
    ['status:', /expected a value after "status:"/, 0, 7],
    ['user_feedback <', /expected a value after "<"/, 14, 15],
    ['user_feedback < high', /compares with a number, not "high"/, 16, 20],
    ['duration > 2x', /duration expects a duration/, 11, 13],
    ['cost > cheap', /cost expects an amount in USD/, 7, 12],
    ['tokens > lots', /tokens expects a number/, 9, 13],
    ['after:yesterday', /"yesterday" is not a time/, 6, 15],
    ['after:2026-02-31', /is not a time/, 6, 16],
    ['last:15', /not a duration with a unit/, 5, 7],
    ['has:wings', /has:wings is unknown/, 4, 9],
    ['status > 1', /status is not a number/, 0, 6],
    ['OR foo', /expected a term before OR/, 0, 2],
    ['foo OR', /expected a term after OR/, 4, 6],
    ['foo AND', /AND needs a term on each side/, 4, 7],
    ['- foo', /expected a term after "-"/, 0, 1],
    ['> 3', /expected a field or score name before ">"/, 0, 1],
  ];
  for (const [text, message, start, end] of cases) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      const err = errorOf(text);
      expect(err).toBeInstanceOf(FilterSyntaxError);
      expect(err.message).toMatch(message);
      expect(err.message).toContain(`at column ${start + 1}`);
      expect([err.start, err.end]).toEqual([start, end]);
    });
  }

  it('accepts every valid filter above without error', () => {
    for (const ok of [
      'status:error',
      'user_feedback < 0.5',
      'duration:>2s',
      'score:"a b">=1',
      '(a OR b) -c',
      'after:2026-01-02 before:2026-01-03',
    ]) {
      expect(checkFilter(ok)).toBeUndefined();
    }
  });
});
