// Datasets both ways: traces and spans become `{input, expected, metadata, source_span}` rows,
// and a dataset file is read back for the logs table, its bad lines reported by number and
// skipped.

import { describe, expect, it } from 'vitest';
import { withDerived } from '../../src/core/model/aggregates';
import type { Span, TraceDetail } from '../../src/core/model/model';
import { isDatasetPath, parseDataset } from '../../src/core/replay/datasetFile';
import { datasetLines, traceDatasetRow } from '../../src/core/replay/datasetRow';

const T0 = '2026-12-07T12:00:00.000000Z';

function span(id: string, extra: Partial<Span> = {}): Span {
  return withDerived({
    id,
    trace_id: 'trace1',
    project_name: 'shop',
    name: id,
    type: 'general',
    start_time: T0,
    end_time: '2026-12-07T12:00:01.000000Z',
    ...extra,
  });
}

function detail(trace: Partial<TraceDetail['trace']>, spans: Span[]): TraceDetail {
  return {
    trace: {
      id: 'trace1',
      project_name: 'shop',
      name: 'checkout',
      start_time: T0,
      status: 'ok',
      duration_ms: 1000,
      span_count: spans.length,
      error_count: 0,
      usage: {},
      score_averages: {},
      last_updated_at: T0,
      ...trace,
    },
    spans,
  };
}

describe('a trace as a dataset row', () => {
  it("takes the trace's own input and output, its metadata over the root span's, and points at the root span", () => {
    const root = span('root', {
      input: { q: 'root in' },
      output: 'root out',
      metadata: { model_tier: 'small', 'spanscope.call': { qualname: 'x' } },
      code_location: { file: '/ws/a.py', line: 1, function: 'checkout' },
    });
    const child = span('child', {
      parent_span_id: 'root',
      start_time: '2026-12-07T11:59:59.000000Z',
      input: 'child in',
    });
    const row = traceDatasetRow(
      detail({ input: { cart: [1, 2] }, output: { total: 3 }, metadata: { env: 'dev' } }, [child, root]),
    );
    expect(row).toEqual({
      input: { cart: [1, 2] },
      expected: { total: 3 },
      metadata: { model_tier: 'small', function: 'checkout', env: 'dev' },
      source_span: { trace_id: 'trace1', span_id: 'root', project_name: 'shop', name: 'checkout', start_time: T0 },
    });
  });

  it("falls back to the root span's input and output when the trace has none (OTLP), and a reviewer's expected wins", () => {
    const root = span('root', { input: 'asked', output: 'answered' });
    expect(traceDatasetRow(detail({}, [root]))).toMatchObject({ input: 'asked', expected: 'answered' });
    expect(traceDatasetRow(detail({}, [{ ...root, expected: 'better' }])).expected).toBe('better');
    expect(traceDatasetRow(detail({ output: 'trace out', expected: 'reviewed' }, [root])).expected).toBe('reviewed');
  });

  it('still gives a row for a trace without spans, with no span id', () => {
    const row = traceDatasetRow(detail({ input: 'i' }, []));
    expect(row).toMatchObject({ input: 'i', expected: null, metadata: {} });
    expect(row.source_span).toEqual({
      trace_id: 'trace1',
      span_id: undefined,
      project_name: 'shop',
      name: 'checkout',
      start_time: T0,
    });
  });
});

describe('reading a dataset file', () => {
  it('reads back what Add to Dataset writes, with line numbers and sources', () => {
    const text = datasetLines([traceDatasetRow(detail({ input: 'a', output: 'b' }, [span('root')]))]);
    const parsed = parseDataset(text);
    expect(parsed.problems).toEqual([]);
    expect(parsed.rows).toEqual([
      {
        line: 1,
        input: 'a',
        expected: 'b',
        metadata: {},
        source: { trace_id: 'trace1', span_id: 'root', name: 'checkout' },
      },
    ]);
  });

  it('reports each bad line by number and keeps the good ones around it', () => {
    const text = [
      '\uFEFF{"input": 1, "expected": 2}',
      '{"input": "cut off',
      '',
      '[1, 2]',
      '   ',
      '42',
      'null',
      '{"input": 3, "source_span": {"trace_id": 7}}',
    ].join('\r\n');
    const { rows, problems } = parseDataset(text);
    expect(rows.map((r) => [r.line, r.input, r.source])).toEqual([
      [1, 1, undefined],
      [8, 3, undefined],
    ]);
    expect(problems.map((p) => p.line)).toEqual([2, 4, 6, 7]);
    expect(problems[0].message).toMatch(/^not JSON \(/);
    expect(problems.slice(1).map((p) => p.message)).toEqual([
      'not a JSON object (an array)',
      'not a JSON object (number)',
      'not a JSON object (null)',
    ]);
  });

  it('shows a line of other fields (an Opik item) whole as its input, without its source', () => {
    const { rows } = parseDataset(
      '{"question": "q?", "answer": "a", "source_span": {"trace_id": "t9", "span_id": "s9"}}\n',
    );
    expect(rows).toEqual([
      {
        line: 1,
        input: { question: 'q?', answer: 'a' },
        expected: undefined,
        metadata: undefined,
        source: { trace_id: 't9', span_id: 's9' },
      },
    ]);
  });

  it('keeps the first rows of a big file and counts the rest; caps the problems it lists', () => {
    const good = Array.from({ length: 12 }, (_, i) => JSON.stringify({ input: i })).join('\n');
    const big = parseDataset(good, 10);
    expect(big.rows.map((r) => r.input)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(big.omitted).toBe(2);
    const junk = parseDataset(Array.from({ length: 80 }, () => 'x').join('\n'));
    expect(junk.problems).toHaveLength(51);
    expect(junk.problems[50]).toEqual({ line: 50, message: 'and 30 more lines that could not be read' });
  });
});

describe('which files are datasets', () => {
  it('takes .jsonl files directly in a .spanscope/datasets folder only', () => {
    expect(isDatasetPath('/ws/.spanscope/datasets/golden set.jsonl')).toBe(true);
    expect(isDatasetPath('/c:/ws/.spanscope/datasets/a.JSONL')).toBe(true);
    expect(isDatasetPath('/ws/.spanscope/datasets/sub/a.jsonl')).toBe(false);
    expect(isDatasetPath('/ws/.spanscope/datasets/a.json')).toBe(false);
    expect(isDatasetPath('/home/me/.ssh/id_rsa')).toBe(false);
    expect(isDatasetPath('/ws/x.spanscope/datasets/a.jsonl')).toBe(false);
  });
});
