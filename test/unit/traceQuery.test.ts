import { describe, expect, it } from 'vitest';
import { FilterSyntaxError } from '../../src/core/queries/filterParser';
import {
  addFilterTerm,
  fieldTerm,
  quoteFilterValue,
  scoreTerm,
  timeRangeTerm,
} from '../../src/core/queries/filterTerms';
import { compileFilter } from '../../src/core/queries/traceFilter';
import { queryTraces } from '../../src/core/queries/traceQuery';
import { parseSortKey, rankOf, sortedSlice, sortTraces, type SortKey } from '../../src/core/queries/traceSort';
import { at, summary } from '../support/summaries';

const a = summary({
  name: 'alpha',
  project_name: 'P2',
  start_time: at(1),
  durationMs: 300,
  scores: { q: 0.5 },
  usage: { total_tokens: 50 },
  total_estimated_cost: 0.5,
  span_count: 4,
  tags: ['z'],
});
const b = summary({
  name: 'Beta',
  project_name: 'p1',
  start_time: at(2),
  durationMs: 100,
  scores: { q: 0.9 },
  usage: { prompt_tokens: 10, completion_tokens: 5 },
  span_count: 9,
  thread_id: 't2',
});
const c = summary({
  name: 'gamma',
  project_name: 'P3',
  start_time: at(3),
  status: 'error',
  durationMs: 200,
  span_count: 4,
  tags: ['a', 'b'],
  thread_id: 't1',
});
const d = summary({ name: 'delta', project_name: 'P3', start_time: at(4), span_count: 4 }); // running
const all = [a, b, c, d];

const order = (key: string, dir: 'asc' | 'desc' = 'asc') => sortTraces(all, parseSortKey(key)!, dir).map((t) => t.name);

describe('sorting the logs table', () => {
  it('sorts by name and project ignoring case', () => {
    expect(order('name')).toEqual(['alpha', 'Beta', 'delta', 'gamma']);
    expect(order('project', 'desc')).toEqual(['delta', 'gamma', 'alpha', 'Beta']); // P3 twice: newest first
  });

  it('sorts by start time, duration, tokens, cost, each score; missing values last in both directions', () => {
    expect(order('start_time', 'desc')).toEqual(['delta', 'gamma', 'Beta', 'alpha']);
    expect(order('duration')).toEqual(['Beta', 'gamma', 'alpha', 'delta']);
    expect(order('duration', 'desc')).toEqual(['alpha', 'gamma', 'Beta', 'delta']);
    expect(order('tokens', 'desc')).toEqual(['alpha', 'Beta', 'delta', 'gamma']);
    expect(order('cost', 'asc')).toEqual(['alpha', 'delta', 'gamma', 'Beta']);
    expect(order('score:q', 'asc')).toEqual(['alpha', 'Beta', 'delta', 'gamma']);
    expect(order('score:q', 'desc')).toEqual(['Beta', 'alpha', 'delta', 'gamma']);
  });

  it('sorts status errors first ascending, tags and threads as text', () => {
    expect(order('status')).toEqual(['gamma', 'delta', 'Beta', 'alpha']);
    expect(order('tags')).toEqual(['gamma', 'alpha', 'delta', 'Beta']);
    expect(order('thread')).toEqual(['gamma', 'Beta', 'delta', 'alpha']);
  });

  it('breaks ties by newest start, then id, so equal rows keep one order', () => {
    // a, c, d all have 4 spans
    expect(order('spans')).toEqual(['delta', 'gamma', 'alpha', 'Beta']);
    const same = [
      summary({ id: 'b', start_time: at(0) }),
      summary({ id: 'a', start_time: at(0) }),
      summary({ id: 'c', start_time: at(0) }),
    ];
    expect(sortTraces(same, 'spans', 'asc').map((t) => t.id)).toEqual(['a', 'b', 'c']);
    expect(sortTraces(same, 'spans', 'desc').map((t) => t.id)).toEqual(['a', 'b', 'c']);
  });

  it('cuts a page from a large list exactly as a full sort would (ties, missing values, both orders)', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const many = Array.from({ length: 2000 }, (_, i) =>
      summary({
        id: `m${i}`,
        start_time: at(Math.floor(random() * 50)), // many equal start times
        durationMs: random() < 0.1 ? undefined : Math.floor(random() * 20),
        scores: random() < 0.5 ? { q: Math.floor(random() * 5) } : {},
        span_count: Math.floor(random() * 4),
      }),
    );
    for (const key of ['start_time', 'duration', 'spans', 'score:q', 'name'] as SortKey[]) {
      for (const dir of ['asc', 'desc'] as const) {
        const full = sortTraces(many, key, dir).map((t) => t.id);
        for (const [offset, limit] of [
          [0, 100],
          [37, 50],
          [300, 100],
          [1990, 100],
        ]) {
          expect(
            sortedSlice(many, key, dir, offset, limit).map((t) => t.id),
            `${key} ${dir} ${offset}`,
          ).toEqual(full.slice(offset, offset + limit));
        }
        for (const id of ['m0', 'm777', 'm1999']) expect(rankOf(many, id, key, dir)).toBe(full.indexOf(id));
      }
    }
    expect(rankOf(many, 'absent', 'name', 'asc')).toBe(-1);
  });

  it('refuses unknown sort keys', () => {
    expect(parseSortKey('colour')).toBeUndefined();
    expect(parseSortKey('score:')).toBeUndefined();
    expect(parseSortKey('score:user feedback')).toBe('score:user feedback');
  });
});

describe('querying a page of traces', () => {
  it('filters, sorts, pages and counts every match', () => {
    const page1 = queryTraces(all, { filter: 'spans:4', sort: 'name', order: 'asc', limit: 2 });
    expect(page1.traces.map((t) => t.name)).toEqual(['alpha', 'delta']);
    expect(page1.total).toBe(3);
    const page2 = queryTraces(all, { filter: 'spans:4', sort: 'name', order: 'asc', offset: 2, limit: 2 });
    expect(page2.traces.map((t) => t.name)).toEqual(['gamma']);
    expect(page2.offset).toBe(2);
  });

  it('defaults to newest first, 100 per page', () => {
    const many = Array.from({ length: 150 }, (_, i) => summary({ start_time: at(i) }));
    const r = queryTraces(many);
    expect(r.traces).toHaveLength(100);
    expect(r.total).toBe(150);
    expect(r.traces[0].start_time).toBe(at(149));
  });

  it('lists every score name of the traces searched, even when the filter hides them', () => {
    const withScores = [...all, summary({ scores: { relevance: 1 } })];
    expect(queryTraces(withScores, { filter: 'status:error' }).score_names).toEqual(['q', 'relevance']);
  });

  it('throws a FilterSyntaxError for a bad filter', () => {
    expect(() => queryTraces(all, { filter: 'status:' })).toThrow(FilterSyntaxError);
  });

  it('returns everything with an infinite limit', () => {
    expect(queryTraces(all, { limit: Infinity }).traces).toHaveLength(4);
  });
});

describe('filter terms built by clicks', () => {
  it('quotes values that would not read back bare', () => {
    expect(quoteFilterValue('beta')).toBe('beta');
    expect(quoteFilterValue('My Project')).toBe('"My Project"');
    expect(quoteFilterValue('OR')).toBe('"OR"');
    expect(quoteFilterValue('-x')).toBe('"-x"');
    expect(quoteFilterValue('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quoteFilterValue('a:b')).toBe('"a:b"');
  });

  it('writes terms that select exactly what was clicked', () => {
    const odd = summary({ name: 'x', project_name: 'We "quote" (things): OR -not', tags: ['a b'], thread_id: 'th:1' });
    const others = [summary({ project_name: 'We' }), summary({ tags: ['a'] })];
    for (const term of [fieldTerm('project', odd.project_name), fieldTerm('tag', 'a b'), fieldTerm('thread', 'th:1')]) {
      const match = compileFilter(term);
      expect(match(odd), term).toBe(true);
      expect(others.some(match), term).toBe(false);
    }
  });

  it('writes score terms, with score: for names that need it', () => {
    expect(scoreTerm('user_feedback', '>=', 0.5)).toBe('user_feedback >= 0.5');
    expect(scoreTerm('duration', '=', 1)).toBe('score:duration=1');
    expect(scoreTerm('answer quality', '<', 0.25)).toBe('score:"answer quality"<0.25');
    const t = summary({ scores: { duration: 0.1 + 0.2, 'answer quality': 0.25 } });
    expect(compileFilter(scoreTerm('duration', '=', 0.1 + 0.2))(t)).toBe(true);
    expect(compileFilter(scoreTerm('answer quality', '<=', 0.25))(t)).toBe(true);
  });

  it('adds a term to a filter, narrowing a top-level OR and not repeating itself', () => {
    expect(addFilterTerm('', 'status:error')).toBe('status:error');
    expect(addFilterTerm('tag:a', 'status:error')).toBe('tag:a status:error');
    expect(addFilterTerm('tag:a status:error', 'status:error')).toBe('tag:a status:error');
    expect(addFilterTerm('tag:a OR tag:b', 'status:error')).toBe('(tag:a OR tag:b) status:error');
    expect(addFilterTerm('status:', 'tag:a')).toBe('status: tag:a');
  });

  it('writes a time range that reads back as [start, end)', () => {
    const term = timeRangeTerm(at(1), at(3));
    expect(all.filter(compileFilter(term)).map((t) => t.name)).toEqual(['alpha', 'Beta']);
  });
});

describe("keeping the reader's row in place", () => {
  it('starts the page a given number of rows above the anchor trace, wherever it moved', () => {
    const rows = Array.from({ length: 50 }, (_, i) => summary({ id: `r${i}`, start_time: at(i) }));
    // newest first: r49 is index 0, r20 is index 29
    const r = queryTraces(rows, { around: { id: 'r20', before: 5 }, limit: 10 });
    expect(r.anchor_index).toBe(29);
    expect(r.offset).toBe(24);
    expect(r.traces[5].id).toBe('r20');
    const more = [...rows, summary({ id: 'new1', start_time: at(60) }), summary({ id: 'new2', start_time: at(61) })];
    const r2 = queryTraces(more, { around: { id: 'r20', before: 5 }, limit: 10 });
    expect(r2.anchor_index).toBe(31);
    expect(r2.traces[5].id).toBe('r20');
  });

  it('falls back to the offset when the anchor no longer matches', () => {
    const rows = Array.from({ length: 5 }, (_, i) => summary({ id: `r${i}`, start_time: at(i) }));
    const r = queryTraces(rows, { around: { id: 'gone', before: 2 }, offset: 1, limit: 2 });
    expect(r.anchor_index).toBeNull();
    expect(r.offset).toBe(1);
    expect(r.traces.map((t) => t.id)).toEqual(['r3', 'r2']);
  });
});
