// The row book on its own: how pieces of a row combine, what waits for what, and where a
// comment goes. (Over HTTP, in every arrival order, with the real store: braintrustRoutes.test.ts.)

import { describe, expect, it } from 'vitest';
import { RowBook } from '../../src/core/normalise/braintrust/rowBook';
import type { Patch, ScorePatch, SpanPatch, TracePatch } from '../../src/core/model/model';
import { normaliseLogs3 } from '../../src/core/normalise/braintrust';

const spans = (patches: Patch[]): SpanPatch[] => patches.flatMap((p) => (p.kind === 'span' ? [p.span] : []));
const traces = (patches: Patch[]): TracePatch[] => patches.flatMap((p) => (p.kind === 'trace' ? [p.trace] : []));
const scores = (patches: Patch[]): ScorePatch[] => patches.flatMap((p) => (p.kind === 'score' ? [p.score] : []));

const ids = (row: string, span: string, root = span, parents: string[] | null = null) => ({
  id: row,
  span_id: span,
  root_span_id: root,
  span_parents: parents,
  project_id: 'p-cHktYXBw',
});

describe('the row book', () => {
  it('patches a merge that came before its first row with the whole, deep-merged, once the first row comes', () => {
    const book = new RowBook();
    const merge = book.take([
      {
        ...ids('r1', 's1'),
        _is_merge: true,
        metadata: { user: { plan: 'pro' } },
        output: 'answer',
        metrics: { end: 1796650001 },
      },
    ]);
    expect(spans(merge)[0]).toMatchObject({
      id: 's1',
      trace_id: 's1',
      metadata: { user: { plan: 'pro' } },
      output: 'answer',
      end_time: '2026-12-07T13:26:41.000000Z',
    });
    const first = book.take([
      {
        ...ids('r1', 's1'),
        _is_merge: false,
        metadata: { user: { id: 'u1' } },
        input: 'q',
        metrics: { start: 1796650000 },
        span_attributes: { name: 'root', type: 'task' },
      },
    ]);
    expect(spans(first)[0]).toMatchObject({
      name: 'root',
      input: 'q',
      output: 'answer',
      metadata: { user: { id: 'u1', plan: 'pro' } },
      start_time: '2026-12-07T13:26:40.000000Z',
    });
    expect(traces(first)[0]).toMatchObject({
      id: 's1',
      project_name: 'py-app',
      name: 'root',
      input: 'q',
      output: 'answer',
    });
    // Ended: its pieces are let go, and a later merge is taken as it comes.
    const late = book.take([{ ...ids('r1', 's1'), _is_merge: true, metadata: { user: { late: true } } }]);
    expect(spans(late)[0].metadata).toEqual({ user: { late: true } });
  });

  it('holds feedback named by row id until a row of that id brings its span, and keeps a child off the trace record', () => {
    const book = new RowBook();
    expect(book.take([{ id: 'r2', scores: { ok: 1 }, _is_merge: true }])).toEqual([]);
    const patches = book.take([
      { ...ids('r2', 's2', 's1', ['s1']), span_attributes: { name: 'child' }, metrics: { start: 1796650000 } },
    ]);
    expect(traces(patches)).toEqual([]);
    expect(spans(patches)[0]).toMatchObject({ id: 's2', trace_id: 's1', parent_span_id: 's1', name: 'child' });
    expect(scores(patches)).toEqual([
      { target: 'span', id: 's2', trace_id: 's1', name: 'ok', value: 1, source: 'sdk' },
    ]);
  });

  it("starts a span at its row's `created` when it has no metrics.start, and keeps an error that is not text", () => {
    const patches = new RowBook().take([
      { ...ids('rt', 'st'), created: '2026-12-07T10:46:40.250001+01:00', error: { code: 7 } },
    ]);
    expect(spans(patches)[0]).toMatchObject({
      start_time: '2026-12-07T09:46:40.250001Z',
      error_info: { exception_type: 'Error', message: '{"code":7}' },
    });
  });

  it('lets the oldest waiting row id go when too many wait', () => {
    const book = new RowBook({ held: 1 });
    book.take([{ id: 'old', scores: { a: 1 }, _is_merge: true }]);
    book.take([{ id: 'new', scores: { b: 1 }, _is_merge: true }]);
    expect(scores(book.take([ids('old', 's-old')]))).toEqual([]);
    expect(scores(book.take([ids('new', 's-new')]))).toMatchObject([{ name: 'b' }]);
  });

  it('keeps the pieces of a bounded number of open rows: past it, the oldest merge field by field', () => {
    const book = new RowBook({ open: 1 });
    book.take([{ ...ids('ra', 'sa'), metadata: { a: { x: 1 } }, metrics: { start: 1796650000 } }]);
    book.take([{ ...ids('rb', 'sb'), metrics: { start: 1796650000 } }]);
    expect(spans(book.take([{ ...ids('ra', 'sa'), _is_merge: true, metadata: { a: { y: 2 } } }]))[0].metadata).toEqual({
      a: { y: 2 },
    });
    expect(
      spans(
        new RowBook({ openChars: 10 }).take([
          { ...ids('rc', 'sc'), metadata: { a: { x: 1 } } },
          { ...ids('rd', 'sd'), metadata: {} },
          { ...ids('rc', 'sc'), _is_merge: true, metadata: { a: { y: 2 } } },
        ]),
      )[2].metadata,
    ).toEqual({ a: { y: 2 } });
  });

  it('never lets a "__proto__" key of a row become a prototype', () => {
    const book = new RowBook();
    const row = JSON.parse(
      '{"id": "rp", "span_id": "sp", "root_span_id": "sp", "__proto__": {"metrics": {"start": 1}}, "input": "q"}',
    );
    const patches = book.take([
      row,
      JSON.parse('{"id": "rp", "_is_merge": true, "__proto__": {"polluted": 1}, "output": "a"}'),
    ]);
    expect(spans(patches).map((s) => [s.input, s.output, s.start_time])).toEqual([
      ['q', undefined, undefined],
      [undefined, 'a', undefined],
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const meta = spans(
      book.take([
        JSON.parse('{"id": "rq", "span_id": "sq", "root_span_id": "sq", "metadata": {"__proto__": {"x": 1}, "k": 2}}'),
      ]),
    )[0].metadata!;
    expect(Object.getPrototypeOf(meta)).toBe(Object.prototype);
    expect(Object.keys(meta).sort()).toEqual(['__proto__', 'k']);
  });

  it("makes a comment the reason of its call's scores, and any comment it cannot match a note", () => {
    const book = new RowBook();
    book.take([{ ...ids('r3', 's3'), metrics: { start: 1796650000 } }]);
    const comment = (text: string, audit: unknown) => ({
      id: `c-${text}`,
      origin: { id: 'r3' },
      comment: { text },
      _audit_metadata: audit,
    });
    const one = book.take([
      { id: 'r3', scores: { good: 1 }, _audit_metadata: { user: 'a' }, _is_merge: true },
      comment('yes', { user: 'a' }),
    ]);
    expect(scores(one)[0].reason).toBe('yes');
    expect(spans(one).some((s) => s.metadata?.comment)).toBe(false);
    // Two comments in one request: the one whose audit metadata is the scores' wins; the other is a note.
    const two = book.take([
      comment('note', { user: 'b' }),
      { id: 'r3', scores: { good: 0 }, _audit_metadata: { user: 'c' }, _is_merge: true },
      comment('why', { user: 'c' }),
    ]);
    expect(scores(two)[0].reason).toBe('why');
    expect(spans(two).find((s) => s.metadata?.comment)?.metadata).toEqual({
      comment: 'note',
      feedback_metadata: { user: 'b' },
    });
  });
});

describe('/logs3 bodies', () => {
  it('refuses a body with any bad row whole, and the book never sees it', () => {
    const book = new RowBook();
    const result = normaliseLogs3({ rows: [{ id: 'held', scores: { a: 1 }, _is_merge: true }, { id: 42 }] }, book);
    expect(result.patches).toEqual([]);
    expect(result.problems).toEqual([{ index: 1, path: 'rows[1].id', message: 'must be a string' }]);
    // The valid row of the refused body was not held either.
    expect(scores(book.take([ids('held', 's-held')]))).toEqual([]);
  });

  it('refuses a start or end time outside the years 0001–9999, naming the metric (a fuzzed 9007199254740993 s was a 500)', () => {
    for (const [key, value] of [
      ['start', 2 ** 53],
      ['end', -1e15],
      ['start', 253402300800],
    ] as const) {
      const result = normaliseLogs3({ rows: [{ ...ids('r', 's'), metrics: { [key]: value } }] }, new RowBook());
      expect(result.patches).toEqual([]);
      expect(result.problems).toEqual([
        {
          index: 0,
          path: `rows[0].metrics.${key}`,
          message: 'must be a time in epoch seconds within the years 0001–9999',
        },
      ]);
    }
    const edge = normaliseLogs3(
      { rows: [{ ...ids('r', 's'), metrics: { start: 253402300799, end: 253402300799.5 } }] },
      new RowBook(),
    );
    expect(edge.problems).toEqual([]);
    expect(spans(edge.patches)[0]).toMatchObject({
      start_time: '9999-12-31T23:59:59.000000Z',
      end_time: '9999-12-31T23:59:59.500000Z',
    });
  });

  it('reads client metric names and audit sources as names, never as object members', () => {
    const result = normaliseLogs3(
      {
        rows: [
          {
            ...ids('r', 's'),
            metrics: { constructor: 3, toString: 4, tokens: 7 },
            _audit_source: 'constructor',
            scores: { q: 1 },
          },
        ],
      },
      new RowBook(),
    );
    expect(result.problems).toEqual([]);
    const span = spans(result.patches)[0];
    expect(span.usage).toEqual({ total_tokens: 7 });
    expect(span.metadata).toMatchObject({ metrics: { constructor: 3, toString: 4 } });
    expect(scores(result.patches).map((s) => s.source)).toEqual(['sdk']);
  });
});
