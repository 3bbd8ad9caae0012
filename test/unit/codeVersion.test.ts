// `code_version` on traces (issue 16, item 6): native ingest takes it strictly, the store
// keeps it on the trace and its summary, the logs table shows it as a column whose click
// filters by it, and the filter language's `commit:` matches a commit by its start.

import { describe, expect, it } from 'vitest';
import { codeVersionText } from '../../src/core/model/codeVersion';
import { parseFilter } from '../../src/core/queries/filterParser';
import { logsColumns } from '../../src/core/queries/logsColumns';
import type { TraceSummary } from '../../src/core/model/model';
import { normaliseNativeBatch } from '../../src/core/normalise/native';
import { checkFilter, compileFilter } from '../../src/core/queries/traceFilter';
import { sortTraces } from '../../src/core/queries/traceSort';
import { batch, spanStart, traceStart } from '../support/builders';
import { summary } from '../support/summaries';

const COMMIT = '9eec1edb2c0e4c7ef5033a686450cbdb506ba0e4';

describe('native ingest of code_version', () => {
  it('takes a commit with a branch and a dirty flag, or a commit alone', () => {
    const result = normaliseNativeBatch(
      batch(
        traceStart('a', { code_version: { commit: COMMIT, branch: 'main', dirty: true } }),
        traceStart('b', { code_version: { commit: COMMIT } }),
      ),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.patches.map((p) => (p.kind === 'trace' ? p.trace.code_version : undefined))).toEqual([
      { commit: COMMIT, branch: 'main', dirty: true },
      { commit: COMMIT },
    ]);
  });

  it.each([
    [{ branch: 'main' }, 'commit must be 7 to 64 hexadecimal characters'],
    [{ commit: 'not-hex!' }, 'commit must be 7 to 64 hexadecimal characters'],
    [{ commit: 'abc' }, 'commit must be 7 to 64 hexadecimal characters'],
    [{ commit: COMMIT, branch: '' }, 'branch must be a string of 1 to 256 characters without control characters'],
    [{ commit: COMMIT, branch: 'a\nb' }, 'branch must be a string of 1 to 256 characters without control characters'],
    [{ commit: COMMIT, dirty: 'yes' }, 'dirty must be true or false'],
    [{ commit: COMMIT, author: 'me' }, 'has an unknown field "author" (allowed: commit, branch, dirty)'],
    ['abc1234', 'must be an object'],
  ])('refuses %j, naming the field, and applies nothing of the batch', (value, message) => {
    const result = normaliseNativeBatch(batch(traceStart('ok'), traceStart('bad', { code_version: value })));
    expect(result).toMatchObject({ ok: false, details: [{ index: 1, path: 'trace.code_version', message }] });
  });

  it('is a trace field: a span carrying it is told nothing and keeps nothing of it', () => {
    const result = normaliseNativeBatch(batch(spanStart('s', 't', { code_version: { commit: COMMIT } })));
    expect(result.ok).toBe(true);
    if (result.ok && result.patches[0].kind === 'span')
      expect(result.patches[0].span).not.toHaveProperty('code_version');
  });
});

const traces: TraceSummary[] = [
  summary({ name: 'clean', code_version: { commit: COMMIT, branch: 'main', dirty: false }, durationMs: 10 }),
  summary({
    name: 'dirty',
    code_version: { commit: 'ABCDEF1234567890abcdef1234567890abcdef12', dirty: true },
    durationMs: 10,
  }),
  summary({ name: 'none', durationMs: 10 }),
];
const names = (filter: string) => traces.filter(compileFilter(filter)).map((t) => t.name);

describe('commit: in the filter language', () => {
  it('matches the start of the commit, in any case', () => {
    expect(names('commit:9eec1ed')).toEqual(['clean']);
    expect(names(`commit:${COMMIT}`)).toEqual(['clean']);
    expect(names('commit:abcdef')).toEqual(['dirty']);
    expect(names('COMMIT:ABCDEF12')).toEqual(['dirty']);
    expect(names('code_version:9eec')).toEqual(['clean']);
    expect(names('-commit:9eec')).toEqual(['dirty', 'none']);
    expect(names('has:commit')).toEqual(['clean', 'dirty']);
  });

  it('refuses what is not a commit, pointing at it', () => {
    const err = checkFilter('status:ok commit:main');
    expect(err?.message).toContain('commit:main is not a commit');
    expect([err?.start, err?.end]).toEqual([17, 21]);
  });
});

describe('the Commit column', () => {
  const column = logsColumns([]).find((c) => c.id === 'commit')!;

  it('shows the short commit, the branch and whether the tree was dirty', () => {
    expect(traces.map((t) => column.value(t))).toEqual(['9eec1ed main', 'ABCDEF1 (dirty)', undefined]);
    expect(codeVersionText({ commit: COMMIT, branch: 'feature/x', dirty: true })).toBe('9eec1ed feature/x (dirty)');
  });

  it('filters by its commit when clicked, and the term parses back to the same match', () => {
    const [term] = column.filterTerms(traces[0]);
    expect(term).toBe('commit:9eec1edb2c0e');
    expect(parseFilter(term)).toMatchObject({ kind: 'field', field: 'commit' });
    expect(names(term)).toEqual(['clean']);
    expect(column.filterTerms(traces[2])).toEqual([]);
  });

  it('sorts by commit, traces without one last', () => {
    expect(sortTraces(traces, 'commit', 'asc').map((t) => t.name)).toEqual(['clean', 'dirty', 'none']);
    expect(sortTraces(traces, 'commit', 'desc').map((t) => t.name)).toEqual(['dirty', 'clean', 'none']);
  });
});
