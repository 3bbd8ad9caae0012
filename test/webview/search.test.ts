import { describe, expect, it } from 'vitest';
import { TraceModel } from '../../webview/trace/traceModel';
import { TreeView } from '../../webview/trace/treeView';
import { matchRanges, searchTrace, stepMatch } from '../../webview/trace/search';
import { makeSpan, makeTrace, spanId } from '../fixtures/traceBuilder';

describe('search', () => {
  const model = () => {
    const detail = makeTrace({ spans: 7, fanout: 2 });
    detail.spans[4] = makeSpan('trace-1', 4, 2, { name: 'call_openai', model: 'gpt-4o' });
    detail.spans[6] = makeSpan('trace-1', 6, 2, {
      name: 'retrieve',
      error_info: { exception_type: 'TimeoutError', message: 'OpenAI took too long' },
    });
    return new TraceModel(detail);
  };

  it('finds spans by name, model and error text, case-insensitively, in tree order', () => {
    const result = searchTrace(model(), 'OPENAI')!;
    expect(result.matches.map((n) => n.span.name)).toEqual(['call_openai', 'retrieve']);
    expect(searchTrace(model(), 'gpt-4')!.matches.map((n) => n.span.name)).toEqual(['call_openai']);
    expect(searchTrace(model(), '   ')).toBeUndefined();
  });

  it('filters the tree to the matches and their ancestors', () => {
    const m = model();
    const view = new TreeView(m);
    view.setFilter(searchTrace(m, 'call_openai')!.include);
    expect(view.rows.map((n) => (n === m.root ? 'TRACE' : n.span.name))).toEqual([
      'TRACE',
      'step_0',
      'step_1',
      'call_openai',
    ]);
    view.setFilter(undefined);
    expect(view.rows.length).toBe(8);
  });

  it('steps to the next and previous match, wrapping, also from a row that is not a match', () => {
    const m = model();
    const result = searchTrace(m, 'openai')!;
    const [a, b] = result.matches;
    expect(stepMatch(result, undefined, 1)).toBe(a);
    expect(stepMatch(result, a, 1)).toBe(b);
    expect(stepMatch(result, b, 1)).toBe(a);
    expect(stepMatch(result, a, -1)).toBe(b);
    const between = m.nodeByKey(spanId('trace-1', 2))!; // after step_4's subtree in tree order
    expect(stepMatch(result, between, 1)).toBe(b);
    expect(stepMatch(result, between, -1)).toBe(a);
  });

  it('gives the ranges to highlight', () => {
    expect(matchRanges('Call OpenAI, openai', 'openai')).toEqual([
      [5, 11],
      [13, 19],
    ]);
    expect(matchRanges('abc', '')).toEqual([]);
  });
});
