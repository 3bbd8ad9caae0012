// The agent tools over a real store in a temp folder (through StoreTraceReader, as the
// extension host reads): what each tool returns, how it cuts what is too big, and that every
// bad argument is a tool error that names it.

import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { runAgentTool } from '../../src/agent/agentTools';
import { RESULT_CAP } from '../../src/agent/clip';
import { StoreTraceReader } from '../../src/agent/storeTraceReader';
import { AGENT_TOOL_DEFINITIONS, DATA_NOTICE } from '../../src/agent/toolDefinitions';
import type { FunctionStats, TraceReader } from '../../src/agent/traceReader';
import type { Patch } from '../../src/core/model/model';
import { openStore, type TraceStore } from '../../src/store/traceStore';
import { at } from '../support/builders';
import { tempDir } from '../support/collector';

const BIG = 'q'.repeat(9000) + 'NEEDLE-IN-INPUT' + 'r'.repeat(1000);
let store: TraceStore;
let reader: TraceReader;

function chainPatches(): Patch[] {
  return [
    {
      kind: 'trace',
      trace: {
        id: 't-new',
        project_name: 'shop',
        name: 'llm_chain',
        start_time: at(10_000),
        end_time: at(12_000),
        input: { question: 'why?' },
        output: 'because',
        tags: ['beta'],
      },
    },
    {
      kind: 'span',
      span: {
        id: 's-root',
        trace_id: 't-new',
        name: 'llm_chain',
        type: 'general',
        start_time: at(10_000),
        end_time: at(12_000),
        code_location: { file: '/app/chain.py', line: 12, function: 'llm_chain' },
      },
    },
    {
      kind: 'span',
      span: {
        id: 's-llm',
        trace_id: 't-new',
        parent_span_id: 's-root',
        name: 'generate',
        type: 'llm',
        start_time: at(10_100),
        end_time: at(11_100),
        model: 'gpt-4o-mini',
        provider: 'openai',
        usage: { prompt_tokens: 42, completion_tokens: 17, total_tokens: 59 },
        total_estimated_cost: 0.0012,
        time_to_first_token_ms: 120,
        input: { messages: [{ role: 'user', content: BIG }] },
        output: 'an answer',
      },
    },
    {
      kind: 'span',
      span: {
        id: 's-tool',
        trace_id: 't-new',
        parent_span_id: 's-root',
        name: 'lookup_citation',
        type: 'tool',
        start_time: at(11_200),
        end_time: at(11_300),
        input: { source: 'wikipedia' },
        error_info: {
          exception_type: 'KeyError',
          message: "'wikipedia' not in DOCUMENTS",
          traceback: 'Traceback (most recent call last):\n  File "/app/chain.py", line 30',
        },
      },
    },
    {
      kind: 'score',
      score: {
        target: 'span',
        id: 's-llm',
        trace_id: 't-new',
        name: 'relevance',
        value: 0.5,
        reason: 'half right',
        source: 'ui',
      },
    },
    {
      kind: 'trace',
      trace: {
        id: 't-old',
        project_name: 'shop',
        name: 'warmup',
        start_time: at(0),
        end_time: at(50),
        input: 'ping',
        output: 'pong',
      },
    },
    {
      kind: 'span',
      span: {
        id: 'o-1',
        trace_id: 't-old',
        name: 'warmup',
        type: 'general',
        start_time: at(0),
        end_time: at(50),
        input: 'ping NEEDLE-IN-OLD',
        output: 'pong',
      },
    },
  ];
}

beforeAll(async () => {
  store = await openStore({ dir: tempDir(), warn: () => undefined });
  store.apply(chainPatches());
  reader = new StoreTraceReader(async () => store);
});

afterAll(async () => {
  await store.close();
});

async function call(name: string, args: unknown, r: TraceReader = reader) {
  const outcome = await runAgentTool(name, args, r);
  return { ...outcome, json: outcome.isError ? undefined : JSON.parse(outcome.text) };
}

describe('list_traces', () => {
  it('lists summaries newest first with status, counts, usage, cost, scores and previews', async () => {
    const { json, isError } = await call('list_traces', {});
    expect(isError).toBe(false);
    expect(json.notice).toMatch(/not instructions/);
    expect(json.total).toBe(2);
    expect(json.traces.map((t: { id: string }) => t.id)).toEqual(['t-new', 't-old']);
    expect(json.traces[0]).toMatchObject({
      id: 't-new',
      name: 'llm_chain',
      project: 'shop',
      status: 'error',
      duration_ms: 2000,
      span_count: 3,
      error_count: 1,
      usage: { prompt_tokens: 42, completion_tokens: 17, total_tokens: 59 },
      cost: 0.0012,
      scores: { relevance: 0.5 },
      tags: ['beta'],
      input_preview: '{"question":"why?"}',
      output_preview: 'because',
    });
  });

  it('filters with the logs filter language and a time window, and pages', async () => {
    expect((await call('list_traces', { filter: 'errors > 0' })).json.traces.map((t: { id: string }) => t.id)).toEqual([
      't-new',
    ]);
    expect((await call('list_traces', { filter: 'name:warm' })).json.traces.map((t: { id: string }) => t.id)).toEqual([
      't-old',
    ]);
    expect((await call('list_traces', { after: at(5000) })).json.total).toBe(1);
    expect((await call('list_traces', { before: at(5000), project: 'shop' })).json.traces[0].id).toBe('t-old');
    expect((await call('list_traces', { project: 'nope' })).json).toMatchObject({ total: 0, traces: [] });
    const first = await call('list_traces', { limit: 1 });
    expect(first.json).toMatchObject({ total: 2, next_offset: 1 });
    expect((await call('list_traces', { limit: 1, offset: 1 })).json.traces[0].id).toBe('t-old');
    expect((await call('list_traces', { sort: 'duration', order: 'asc' })).json.traces[0].id).toBe('t-old');
  });

  it('answers a filter that does not parse, or a bad window, with a tool error saying why', async () => {
    const bad = await call('list_traces', { filter: 'status:done' });
    expect(bad.isError).toBe(true);
    expect(bad.text).toMatch(/^invalid filter: unknown status "done"/);
    expect((await call('list_traces', { last: 'yesterday' })).text).toMatch(/last must be a number and a unit/);
    expect((await call('list_traces', { after: 'soon' })).text).toMatch(/after must be a date or ISO time/);
  });
});

describe('get_trace', () => {
  it('gives the span tree with timing, status, error, model, usage, cost, scores and code location', async () => {
    const { json } = await call('get_trace', { trace_id: 't-new' });
    expect(json.notice).toMatch(/not instructions/);
    expect(json.trace).toMatchObject({
      id: 't-new',
      name: 'llm_chain',
      status: 'error',
      duration_ms: 2000,
      input: { question: 'why?' },
      output: 'because',
    });
    expect(json.trace.span_count).toBe(3);
    expect(json.spans.map((s: { id: string; depth: number }) => [s.id, s.depth])).toEqual([
      ['s-root', 0],
      ['s-llm', 1],
      ['s-tool', 1],
    ]);
    const [root, llm, tool] = json.spans;
    expect(root).toMatchObject({
      name: 'llm_chain',
      type: 'general',
      status: 'ok',
      start_ms: 0,
      duration_ms: 2000,
      code: '/app/chain.py:12 (llm_chain)',
    });
    expect(llm).toMatchObject({
      parent_id: 's-root',
      type: 'llm',
      start_ms: 100,
      duration_ms: 1000,
      model: 'gpt-4o-mini',
      provider: 'openai',
      usage: { total_tokens: 59 },
      cost: 0.0012,
      ttft_ms: 120,
      scores: [{ name: 'relevance', value: 0.5, reason: 'half right', source: 'ui' }],
      output: 'an answer',
    });
    expect(tool).toMatchObject({
      status: 'error',
      error: { type: 'KeyError', message: "'wikipedia' not in DOCUMENTS" },
      input: { source: 'wikipedia' },
    });
  });

  it('cuts big inputs to max_field_chars (default 200) with a marker, and says how to read them whole', async () => {
    const { json } = await call('get_trace', { trace_id: 't-new' });
    const input = json.spans[1].input as string;
    const whole = JSON.stringify({ messages: [{ role: 'user', content: BIG }] });
    expect(input).toBe(`${whole.slice(0, 200)}…[cut: ${whole.length - 200} more characters]`);
    expect(json.note).toMatch(/1 field\(s\) cut to 200 characters: get_span/);
    const none = (await call('get_trace', { trace_id: 't-new', max_field_chars: 0 })).json;
    expect(none.spans[1].input).toBe(`…[cut: ${whole.length} more characters]`);
    const wide = (await call('get_trace', { trace_id: 't-new', max_field_chars: 5000 })).json;
    expect((wide.spans[1].input as string).startsWith(whole.slice(0, 5000))).toBe(true);
  });

  it('shows at most max_spans spans and says how many more there are', async () => {
    const { json } = await call('get_trace', { trace_id: 't-new', max_spans: 2 });
    expect(json.spans).toHaveLength(2);
    expect(json.note).toMatch(/^1 more spans after these/);
  });

  it('answers an unknown id with a tool error', async () => {
    const r = await call('get_trace', { trace_id: 'nope' });
    expect(r).toMatchObject({ isError: true, text: expect.stringMatching(/no trace with id nope/) });
  });
});

describe('get_span', () => {
  it('returns the asked fields whole when they fit', async () => {
    const { json } = await call('get_span', {
      trace_id: 't-new',
      span_id: 's-llm',
      fields: ['input', 'usage', 'scores'],
    });
    expect(json).toMatchObject({ trace_id: 't-new', id: 's-llm', name: 'generate', type: 'llm', model: 'gpt-4o-mini' });
    expect(json.fields.input).toEqual({ messages: [{ role: 'user', content: BIG }] });
    expect(json.fields.usage).toEqual({ prompt_tokens: 42, completion_tokens: 17, total_tokens: 59 });
    expect(json.fields.scores[0]).toMatchObject({ name: 'relevance', value: 0.5 });
  });

  it('reads a field too long for max_chars in pages that add up to the whole', async () => {
    const whole = JSON.stringify({ messages: [{ role: 'user', content: BIG }] });
    let offset = 0;
    let text = '';
    for (let pages = 0; pages < 20; pages++) {
      const { json } = await call('get_span', {
        trace_id: 't-new',
        span_id: 's-llm',
        fields: ['input'],
        max_chars: 4000,
        offset,
      });
      expect(json.fields.input.total_chars).toBe(whole.length);
      text += json.fields.input.text;
      if (json.fields.input.next_offset === undefined) break;
      expect(json.note).toContain(`offset ${json.fields.input.next_offset}`);
      offset = json.fields.input.next_offset;
    }
    expect(text).toBe(whole);
  });

  it("defaults to input, output, metadata and error; gives the trace's own fields for the trace id", async () => {
    const tool = (await call('get_span', { trace_id: 't-new', span_id: 's-tool' })).json;
    expect(Object.keys(tool.fields)).toEqual(['input', 'output', 'metadata', 'error']);
    expect(tool.fields.error).toMatchObject({
      exception_type: 'KeyError',
      traceback: expect.stringContaining('line 30'),
    });
    expect(tool.fields.output).toBeNull();
    const trace = (await call('get_span', { trace_id: 't-new', span_id: 't-new', fields: ['input', 'output', 'tags'] }))
      .json;
    expect(trace.fields).toEqual({ input: { question: 'why?' }, output: 'because', tags: ['beta'] });
  });

  it('answers an unknown span with a tool error', async () => {
    expect((await call('get_span', { trace_id: 't-new', span_id: 'zz' })).text).toMatch(/trace t-new has no span zz/);
  });
});

describe('search_spans', () => {
  it('finds spans by text in their fields, with the trace id, where it was found and a snippet', async () => {
    const { json } = await call('search_spans', { text: 'needle-in-input' });
    expect(json.matches).toHaveLength(1);
    expect(json.matches[0]).toMatchObject({
      trace_id: 't-new',
      trace_name: 'llm_chain',
      span_id: 's-llm',
      name: 'generate',
      type: 'llm',
      found_in: ['input'],
    });
    expect(json.matches[0].snippet).toMatch(/^…q+NEEDLE-IN-INPUTr+…$/);
    expect(json.matches[0].snippet.length).toBeLessThanOrEqual(162);
    expect(json).toMatchObject({ traces_read: 2, traces_matching_filter: 2 });
    const errors = (await call('search_spans', { text: 'not in documents' })).json;
    expect(errors.matches.map((m: { span_id: string; found_in: string[] }) => [m.span_id, m.found_in])).toEqual([
      ['s-tool', ['error']],
    ]);
  });

  it('narrows the traces with a filter, and says when traces were left unsearched', async () => {
    expect(
      (await call('search_spans', { text: 'needle', filter: 'name:warmup' })).json.matches.map(
        (m: { span_id: string }) => m.span_id,
      ),
    ).toEqual(['o-1']);
    const budget = (await call('search_spans', { text: 'NEEDLE-IN-OLD', max_traces: 1 })).json;
    expect(budget.matches).toEqual([]);
    expect(budget.note).toMatch(/only the newest 1 of 2 traces were searched/);
    const limited = (await call('search_spans', { text: 'needle', limit: 1 })).json;
    expect(limited.matches).toHaveLength(1);
    expect(limited.note).toMatch(/stopped at 1 matches; 1 older trace\(s\) not searched/);
  });
});

describe('function_stats', () => {
  it('says when the source has no function index', async () => {
    const r = await call('function_stats', { file: '/app/chain.py' });
    expect(r).toMatchObject({
      isError: true,
      text: expect.stringMatching(/^a store folder has no function index .* --url instead of --data/),
    });
    const old = new StoreTraceReader(
      async () => store,
      async () => undefined,
    ); // what a 404 from the collector gives
    expect((await call('function_stats', { file: '/app/chain.py' }, old)).text).toBe(
      'this collector has no function index (it is older than the one that adds GET /api/functions)',
    );
  });

  it('filters the index by function name, busiest first, with at most 5 recent calls each', async () => {
    // The index itself is the collector's (GET /api/functions); here a fixed one in its shape.
    const fn = (name: string, calls: number): FunctionStats => ({
      file: '/app/chain.py',
      function: name,
      line: 10,
      calls,
      errors: 1,
      p50_ms: 12,
      p95_ms: 40,
      tokens: 59,
      cost: 0.001,
      scores: { relevance: 0.5 },
      recent: Array.from({ length: 8 }, (_, i) => ({ trace_id: `t${i}`, duration_ms: i })),
    });
    const asked: (string | undefined)[] = [];
    const withIndex = new StoreTraceReader(
      async () => store,
      async (file) => (asked.push(file), [fn('retrieve', 3), fn('llm_chain', 9), fn('chain_helper', 20)]),
    );
    const { json } = await call('function_stats', { file: '/app/chain.py', function: 'llm_chain' }, withIndex);
    expect(asked).toEqual(['/app/chain.py']);
    expect(json.functions.map((f: { function: string }) => f.function)).toEqual(['llm_chain']);
    expect(json.functions[0]).toMatchObject({
      calls: 9,
      errors: 1,
      p50_ms: 12,
      p95_ms: 40,
      tokens: 59,
      cost: 0.001,
      scores: { relevance: 0.5 },
      line: 10,
    });
    expect(json.functions[0].recent).toHaveLength(5);
    const like = (await call('function_stats', { function: 'chain' }, withIndex)).json;
    expect(like.functions.map((f: { function: string }) => f.function)).toEqual(['chain_helper', 'llm_chain']);
    expect((await call('function_stats', { file: 'chain.py' }, withIndex)).text).toMatch(
      /file must be an absolute path/,
    );
    expect((await call('function_stats', {}, withIndex)).text).toMatch(/give file .* function .* or both/);
  });
});

describe('compare_traces', () => {
  it("pairs two runs' spans by name path with both sides' figures and the change, as the Compare tab does", async () => {
    const run = (trace: string, llmMs: number, fail: boolean): Patch[] => [
      {
        kind: 'trace',
        trace: {
          id: trace,
          project_name: 'cmp',
          name: 'llm_chain',
          start_time: at(0),
          end_time: at(2000),
          code_version: { commit: trace === 'c-left' ? 'aaaaaaa1' : 'bbbbbbb2', dirty: trace !== 'c-left' },
        },
      },
      {
        kind: 'span',
        span: {
          id: `${trace}-root`,
          trace_id: trace,
          name: 'llm_chain',
          type: 'general',
          start_time: at(0),
          end_time: at(2000),
        },
      },
      {
        kind: 'span',
        span: {
          id: `${trace}-llm`,
          trace_id: trace,
          parent_span_id: `${trace}-root`,
          name: 'generate',
          type: 'llm',
          start_time: at(10),
          end_time: at(10 + llmMs),
          usage: { total_tokens: llmMs / 10 },
          total_estimated_cost: llmMs / 1e6,
        },
      },
      {
        kind: 'span',
        span: {
          id: `${trace}-tool`,
          trace_id: trace,
          parent_span_id: `${trace}-root`,
          name: 'lookup',
          type: 'tool',
          start_time: at(1500),
          end_time: at(1600),
          ...(fail ? { error_info: { exception_type: 'KeyError', message: 'gone' } } : {}),
        },
      },
    ];
    store.apply([...run('c-left', 500, false), ...run('c-right', 900, true)]);
    const { json } = await call('compare_traces', { left_trace_id: 'c-left', right_trace_id: 'c-right' });
    expect(json.left).toMatchObject({ id: 'c-left', code_version: 'aaaaaaa' });
    expect(json.right).toMatchObject({ id: 'c-right', code_version: 'bbbbbbb (dirty)' });
    expect(json.rows.map((r: { path: string }) => r.path)).toEqual([
      'llm_chain',
      'llm_chain > generate',
      'llm_chain > lookup',
    ]);
    expect(json.rows[1]).toMatchObject({
      change: 'same',
      left: { span_id: 'c-left-llm', duration_ms: 500, tokens: 50 },
      right: { duration_ms: 900, tokens: 90 },
      delta: { duration_ms: 400, tokens: 40 },
    });
    expect(json.rows[2]).toMatchObject({ change: 'changed', right: { status: 'error', error: 'KeyError: gone' } });
    const changes = (
      await call('compare_traces', { left_trace_id: 'c-left', right_trace_id: 'c-right', only_changes: true })
    ).json;
    expect(changes.rows.map((r: { path: string }) => r.path)).toEqual(['llm_chain > lookup']);
    expect((await call('compare_traces', { left_trace_id: 'c-left', right_trace_id: 'nope' })).text).toMatch(
      /no trace with id nope/,
    );
    expect(
      (await call('compare_traces', { left_trace_id: 'c-left', right_trace_id: 'c-right', only_changes: 'yes' })).text,
    ).toMatch(/only_changes must be true or false/);
  });
});

describe('arguments', () => {
  it('answers missing, unknown and mistyped arguments, and unknown tools, with tool errors naming them', async () => {
    expect(await call('get_trace', {})).toMatchObject({
      isError: true,
      text: 'invalid arguments for get_trace: trace_id is required',
    });
    expect((await call('get_trace', { trace_id: 't-new', depth: 3 })).text).toMatch(
      /unknown argument "depth" \(known: trace_id, max_field_chars, max_spans\)/,
    );
    expect((await call('list_traces', { limit: 0 })).text).toMatch(/limit must be from 1 to 100/);
    expect((await call('list_traces', { limit: '5' })).text).toMatch(/limit must be an integer/);
    expect((await call('get_span', { trace_id: 't-new', span_id: 's-llm', fields: ['secrets'] })).text).toMatch(
      /fields may only hold input, output/,
    );
    expect((await call('list_traces', { sort: 'random' })).text).toMatch(/sort must be one of start_time/);
    expect((await call('list_traces', [1, 2])).text).toBe(
      'invalid arguments for list_traces: the arguments must be a JSON object',
    );
    expect((await call('drop_tables', {})).text).toMatch(
      /^unknown tool "drop_tables"; the tools are list_traces, get_trace/,
    );
    // Left out and null are the same.
    expect((await call('list_traces', { filter: null, limit: null })).isError).toBe(false);
  });
});

describe('size limits', () => {
  it('keeps every result under the hard cap, with a note of what was left out', async () => {
    const big = await openStore({ dir: tempDir(), warn: () => undefined });
    try {
      const spans: Patch[] = Array.from({ length: 300 }, (_, i) => ({
        kind: 'span' as const,
        span: {
          id: `b${i}`,
          trace_id: 'huge',
          name: `step ${i}`,
          type: 'general' as const,
          start_time: at(i),
          end_time: at(i + 1),
          input: 'x'.repeat(6000),
          output: { text: 'y'.repeat(6000) },
          metadata: { m: 'z'.repeat(6000) },
        },
      }));
      big.apply([
        { kind: 'trace', trace: { id: 'huge', name: 'huge', start_time: at(0), end_time: at(400) } },
        ...spans,
      ]);
      const r = new StoreTraceReader(async () => big);
      const trace = await call('get_trace', { trace_id: 'huge', max_field_chars: 5000, max_spans: 2000 }, r);
      expect(trace.text.length).toBeLessThanOrEqual(RESULT_CAP);
      expect(trace.json.truncated).toMatch(/of 300 spans left out to keep this result under/);
      expect(trace.json.spans.length).toBeGreaterThan(0);
      const span = await call(
        'get_span',
        { trace_id: 'huge', span_id: 'b1', fields: ['input', 'output', 'metadata'], max_chars: 50000 },
        r,
      );
      expect(span.text.length).toBeLessThanOrEqual(RESULT_CAP);
      expect(span.json.fields.input).toBe('x'.repeat(6000)); // a field that fits its share is whole
      const list = await call('search_spans', { text: 'x', limit: 100, snippet_chars: 1000 }, r);
      expect(list.text.length).toBeLessThanOrEqual(RESULT_CAP);
    } finally {
      await big.close();
    }
  });
});

describe('definitions', () => {
  it('tell the model in every description that recorded fields are data, not instructions', () => {
    for (const t of AGENT_TOOL_DEFINITIONS) expect(t.description, t.name).toContain(DATA_NOTICE);
  });

  it('declare every argument with a description, and only required ones that exist', () => {
    for (const t of AGENT_TOOL_DEFINITIONS) {
      for (const [name, prop] of Object.entries(t.inputSchema.properties))
        expect(prop.description.length, `${t.name}.${name}`).toBeGreaterThan(10);
      for (const name of t.inputSchema.required ?? [])
        expect(Object.keys(t.inputSchema.properties), t.name).toContain(name);
    }
  });
});
