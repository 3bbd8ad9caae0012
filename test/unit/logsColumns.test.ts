import { describe, expect, it } from 'vitest';
import { logsColumns, tracesToCsv } from '../../src/core/queries/logsColumns';
import { compileFilter } from '../../src/core/queries/traceFilter';
import { queryTraces } from '../../src/core/queries/traceQuery';
import { at, summary } from '../support/summaries';

describe('logs columns', () => {
  it('puts one column per score name between the fixed columns and tags', () => {
    expect(logsColumns(['correctness', 'user_feedback']).map((c) => c.id)).toEqual([
      'name',
      'project',
      'start_time',
      'duration',
      'status',
      'spans',
      'tokens',
      'cost',
      'ttft',
      'score:correctness',
      'score:user_feedback',
      'tags',
      'thread',
      'commit',
    ]);
  });

  it('gives each filterable cell a term that selects its own trace', () => {
    const t = summary({
      name: 'x "y"',
      project_name: 'My Project',
      status: 'error',
      tags: ['a b', 'c'],
      thread_id: 'th-1',
      scores: { q: 1 / 3 },
    });
    const other = summary({ name: 'z', project_name: 'Mine', tags: ['a'], scores: { q: 0.3 } });
    const cols = logsColumns(['q']);
    const terms = cols.flatMap((c) => c.filterTerms(t));
    expect(terms).toEqual([
      'name:"x \\"y\\""',
      'project:"My Project"',
      'status:error',
      `q = ${1 / 3}`,
      'tag:"a b"',
      'tag:c',
      'thread:th-1',
    ]);
    for (const term of terms) {
      expect(compileFilter(term)(t), term).toBe(true);
      expect(compileFilter(term)(other), term).toBe(false);
    }
  });
});

describe('CSV of the table', () => {
  it('writes headers, raw values, empty cells for missing values, and the id last', () => {
    const t = summary({
      id: 'T1',
      name: 'plain',
      start_time: at(0),
      durationMs: 1500,
      usage: { total_tokens: 42 },
      total_estimated_cost: 0.0123,
      span_count: 3,
      scores: { q: 0.5 },
      tags: ['a', 'b'],
    });
    const running = summary({ id: 'T2', name: 'open', start_time: at(1) });
    const csv = tracesToCsv([t, running], logsColumns(['q']));
    expect(csv.split('\r\n')).toEqual([
      'name,project,start_time,duration_ms,status,span_count,total_tokens,total_estimated_cost,time_to_first_token_ms,q,tags,thread_id,code_version,id',
      `plain,Default Project,${at(0)},1500,ok,3,42,0.0123,,0.5,"a, b",,,T1`,
      `open,Default Project,${at(1)},,running,1,,,,,,,,T2`,
      '',
    ]);
  });

  it('quotes commas, quotes and line breaks, and defuses cells a spreadsheet would run as formulas', () => {
    const t = summary({ id: 'T3', name: '=HYPERLINK("http://evil")', project_name: 'a,"b"\nc', tags: ['-1+1', '@x'] });
    const [, row] = tracesToCsv([t], logsColumns([])).split('\r\n');
    expect(row.startsWith(`"'=HYPERLINK(""http://evil"")","a,""b""\nc",`)).toBe(true);
    expect(row).toContain(`,"'-1+1, @x",`);
  });

  it('follows the order of the query it is given', () => {
    const ts = [summary({ name: 'b', span_count: 2 }), summary({ name: 'a', span_count: 1 })];
    const rows = queryTraces(ts, { sort: 'spans', order: 'asc', limit: Infinity }).traces;
    expect(
      tracesToCsv(rows, logsColumns([]))
        .split('\r\n')
        .slice(1, 3)
        .map((r) => r.split(',')[0]),
    ).toEqual(['a', 'b']);
  });
});
