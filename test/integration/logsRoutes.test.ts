import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at } from '../support/summaries';
import { startTestCollector, type TestCollector } from '../support/collector';
import type { HttpReply } from '../support/http';
import { traceEvents } from '../support/logsEvents';

/** A collector with the token, and a helper to ingest events that must be accepted. */
async function start(): Promise<
  TestCollector & {
    call(method: string, path: string, body?: unknown): Promise<HttpReply>;
    seed(events: unknown[]): Promise<void>;
  }
> {
  const t = await startTestCollector({ store: { maxTraces: 100_000 } });
  return {
    ...t,
    call: (method, path, body) => t.get(path, { method, body: body as object | undefined }),
    async seed(events) {
      const r = await t.ingest({ events });
      if (r.status !== 200) throw new Error(`ingest failed: ${r.status} ${r.text}`);
    },
  };
}

let c: Awaited<ReturnType<typeof start>>;

beforeAll(async () => {
  c = await start();
  await c.seed([
    ...traceEvents({
      id: 't1',
      name: 'summarise',
      project: 'Alpha',
      start: at(0),
      end: at(0.05),
      input: { question: 'What is the capital of France?' },
      output: 'Paris',
      usage: { prompt_tokens: 900, completion_tokens: 300 },
      cost: 0.02,
      spans: 3,
      scores: { user_feedback: 0.2 },
      tags: ['beta'],
    }),
    ...traceEvents({
      id: 't2',
      name: 'classify',
      project: 'Alpha',
      start: at(1.5),
      end: at(1.51),
      usage: { total_tokens: 100 },
      cost: 0.001,
      scores: { user_feedback: 1 },
      thread: 'conv-9',
    }),
    ...traceEvents({ id: 't3', name: 'retrieve', project: 'Alpha', start: at(2.2), end: at(2.21), error: true }),
    ...traceEvents({ id: 't4', name: 'stream', project: 'Alpha', start: at(2.5) }), // still running
    ...traceEvents({
      id: 't5',
      name: 'other project',
      project: 'Beta',
      start: at(1),
      end: at(1.1),
      scores: { user_feedback: 0 },
    }),
  ]);
});

afterAll(async () => {
  await c?.close();
});

const ids = (r: HttpReply): string[] => r.json.traces.map((t: { id: string }) => t.id);

describe('GET /api/query', () => {
  it('returns a page of traces newest first with the total and every score name', async () => {
    const r = await c.call('GET', '/api/query?limit=2');
    expect(r.status).toBe(200);
    expect(ids(r)).toEqual(['t4', 't3']);
    expect(r.json.total).toBe(5);
    expect(r.json.offset).toBe(0);
    expect(r.json.score_names).toEqual(['user_feedback']);
  });

  it('filters by score, leaving out unscored traces', async () => {
    const r = await c.call('GET', `/api/query?filter=${encodeURIComponent('user_feedback < 0.5')}`);
    expect(ids(r).sort()).toEqual(['t1', 't5']);
  });

  it('filters by free text over names and input/output previews', async () => {
    expect(ids(await c.call('GET', '/api/query?filter=france'))).toEqual(['t1']);
    expect(ids(await c.call('GET', `/api/query?filter=${encodeURIComponent('"other project"')}`))).toEqual(['t5']);
  });

  it('filters by status, project, thread, tokens and cost', async () => {
    expect(ids(await c.call('GET', '/api/query?filter=status:error'))).toEqual(['t3']);
    expect(ids(await c.call('GET', '/api/query?filter=status:running'))).toEqual(['t4']);
    expect(
      ids(await c.call('GET', `/api/query?filter=${encodeURIComponent('project:Alpha -status:running')}`)),
    ).toEqual(['t3', 't2', 't1']);
    expect(ids(await c.call('GET', '/api/query?filter=thread:conv-9'))).toEqual(['t2']);
    expect(ids(await c.call('GET', `/api/query?filter=${encodeURIComponent('tokens > 1000 cost > 0.01')}`))).toEqual([
      't1',
    ]);
    expect(ids(await c.call('GET', `/api/query?filter=${encodeURIComponent('spans >= 3')}`))).toEqual(['t1']);
  });

  it('narrows to one project with project=', async () => {
    expect(ids(await c.call('GET', '/api/query?project=Beta'))).toEqual(['t5']);
  });

  it('sorts by any column, including a score, and pages', async () => {
    expect(ids(await c.call('GET', '/api/query?sort=score:user_feedback&order=desc'))).toEqual([
      't2',
      't1',
      't5',
      't4',
      't3',
    ]);
    expect(ids(await c.call('GET', '/api/query?sort=tokens&order=desc&limit=2'))).toEqual(['t1', 't2']);
    const p2 = await c.call('GET', '/api/query?sort=name&order=asc&offset=2&limit=2');
    // classify, other project, | retrieve, stream |, summarise
    expect(ids(p2)).toEqual(['t3', 't4']);
    expect(p2.json.total).toBe(5);
  });

  it('keeps an anchor row in place', async () => {
    const r = await c.call('GET', '/api/query?anchor=t2&anchor_before=1&limit=3');
    // newest first: t4 t3 t2 t5 t1
    expect(r.json.anchor_index).toBe(2);
    expect(r.json.offset).toBe(1);
    expect(ids(r)).toEqual(['t3', 't2', 't5']);
  });

  it('answers a bad filter with 400, the message and the position', async () => {
    const r = await c.call('GET', `/api/query?filter=${encodeURIComponent('status:done')}`);
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(/^invalid filter: unknown status "done"/);
    expect(r.json.details).toEqual([
      { path: 'filter', start: 7, end: 11, message: expect.stringContaining('at column 8') },
    ]);
  });

  it('answers bad paging and sorting with 400', async () => {
    expect((await c.call('GET', '/api/query?sort=colour')).json.error).toMatch(/sort must be one of/);
    expect((await c.call('GET', '/api/query?order=up')).status).toBe(400);
    expect((await c.call('GET', '/api/query?limit=0')).status).toBe(400);
    expect((await c.call('GET', '/api/query?offset=-1')).status).toBe(400);
    expect((await c.call('GET', '/api/query?limit=abc')).status).toBe(400);
  });

  it('needs the token', async () => {
    expect((await c.raw('/api/query')).status).toBe(401);
  });
});

describe('GET /api/monitor', () => {
  const base = Date.parse(at(0));

  it('buckets a project over a range: counts, errors, latency without running traces, tokens, cost, scores', async () => {
    const r = await c.call(
      'GET',
      `/api/monitor?project=Alpha&from=${encodeURIComponent(at(0))}&to=${encodeURIComponent(at(3))}&bucket=1m`,
    );
    expect(r.status).toBe(200);
    expect(r.json.bucket_ms).toBe(60_000);
    expect(r.json.project).toBe('Alpha');
    expect(r.json.buckets.map((b: any) => b.start)).toEqual([at(0), at(1), at(2)]);
    const [b0, b1, b2] = r.json.buckets;
    expect(b0).toMatchObject({
      trace_count: 1,
      error_count: 0,
      latency_p50_ms: 3000,
      prompt_tokens: 900,
      completion_tokens: 300,
      total_tokens: 1200,
      cost: 0.02,
      scores: { user_feedback: { avg: 0.2, count: 1 } },
    });
    expect(b1).toMatchObject({ trace_count: 1, total_tokens: 100, scores: { user_feedback: { avg: 1, count: 1 } } });
    expect(b2).toMatchObject({
      trace_count: 2,
      running_count: 1,
      error_count: 1,
      error_rate: 0.5,
      latency_p50_ms: 600,
      latency_p95_ms: 600,
    });
    expect(r.json.score_names).toEqual(['user_feedback']);
  });

  it('gives empty buckets for a range with no traces', async () => {
    const r = await c.call('GET', `/api/monitor?from=${base + 3_600_000}&to=${base + 7_200_000}`);
    expect(r.status).toBe(200);
    expect(r.json.buckets).toHaveLength(60);
    expect(
      r.json.buckets.every((b: any) => b.trace_count === 0 && b.latency_p50_ms === null && b.error_rate === null),
    ).toBe(true);
  });

  it('takes relative bounds and defaults to the last 24 hours', async () => {
    const r = await c.call('GET', '/api/monitor?from=now-1h');
    expect(r.json.bucket_ms).toBe(60_000);
    const d = await c.call('GET', '/api/monitor');
    expect(d.json.bucket_ms).toBe(15 * 60_000);
    expect(d.json.buckets.length).toBeGreaterThanOrEqual(96);
  });

  it('refuses bad bounds and bucket sizes with 400', async () => {
    expect((await c.call('GET', '/api/monitor?from=yesterday')).json.error).toMatch(/from must be an ISO time/);
    expect((await c.call('GET', `/api/monitor?from=${base}&to=${base - 1}`)).json.error).toMatch(/to is before from/);
    expect((await c.call('GET', '/api/monitor?bucket=1ms&from=now-30d')).json.error).toMatch(/at most 2000/);
    expect((await c.call('GET', '/api/monitor?bucket=soon')).status).toBe(400);
  });
});

describe('exports', () => {
  it('streams JSON Lines in the read API shape, one trace per line, for a filter', async () => {
    const r = await c.call(
      'GET',
      `/api/export?format=jsonl&filter=${encodeURIComponent('project:Alpha -status:running')}`,
    );
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(r.headers['content-disposition']).toMatch(/attachment; filename="spanscope-traces-\d{8}-\d{6}\.jsonl"/);
    const lines = r.text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.trace.id)).toEqual(['t3', 't2', 't1']);
    const t1 = lines[2];
    expect(t1.trace.input).toEqual({ question: 'What is the capital of France?' });
    expect(t1.spans).toHaveLength(3);
    expect(t1).toEqual((await c.call('GET', '/api/traces/t1')).json);
  });

  it('exports the selected traces by id with POST, in the order asked for', async () => {
    const r = await c.call('POST', '/api/export', {
      format: 'jsonl',
      trace_ids: ['t1', 't5', 'missing'],
      sort: 'start_time',
      order: 'asc',
    });
    expect(
      r.text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).trace.id),
    ).toEqual(['t1', 't5']);
  });

  it('exports CSV of the table, every column or the ones named', async () => {
    const r = await c.call(
      'GET',
      `/api/export?format=csv&filter=${encodeURIComponent('project:Alpha')}&sort=name&order=asc`,
    );
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    const rows = r.text.trimEnd().split('\r\n');
    expect(rows[0]).toBe(
      'name,project,start_time,duration_ms,status,span_count,total_tokens,total_estimated_cost,time_to_first_token_ms,user_feedback,tags,thread_id,code_version,id',
    );
    expect(rows.slice(1).map((row) => row.split(',')[0])).toEqual(['classify', 'retrieve', 'stream', 'summarise']);
    expect(rows[4]).toBe(`summarise,Alpha,${at(0)},3000,ok,3,1200,0.02,,0.2,beta,,,t1`);
    const some = await c.call('GET', '/api/export?format=csv&columns=name,score:user_feedback&trace_ids=t2');
    expect(some.text).toBe('name,user_feedback,id\r\nclassify,1,t2\r\n');
  });

  it('streams an export larger than one piece whole, and survives a reader that hangs up', async () => {
    const big = await start();
    try {
      const events = Array.from({ length: 300 }, (_, i) =>
        traceEvents({ id: `big-${i}`, start: at(i), end: at(i + 0.5), input: 'x'.repeat(2000) + i }),
      ).flat();
      await big.seed(events);
      const r = await big.call('GET', '/api/export?format=jsonl');
      const lines = r.text.trimEnd().split('\n');
      expect(r.text.length).toBeGreaterThan(3 * 64 * 1024);
      expect(lines).toHaveLength(300);
      expect(new Set(lines.map((l) => JSON.parse(l).trace.id)).size).toBe(300);
      // A reader that stops after the first bytes: the collector keeps answering.
      const ctl = new AbortController();
      const res = await fetch(`${big.collector.url}/api/export?format=jsonl`, {
        headers: { authorization: 'Bearer test-token' },
        signal: ctl.signal,
      });
      await res.body!.getReader().read();
      ctl.abort();
      expect((await big.call('GET', '/api/query?limit=1')).json.total).toBe(300);
    } finally {
      await big.close();
    }
  });

  it('refuses an unknown format or column', async () => {
    expect((await c.call('GET', '/api/export?format=xml')).status).toBe(400);
    expect((await c.call('GET', '/api/export?format=csv&columns=name,colour')).json.error).toMatch(
      /unknown column "colour"/,
    );
  });
});

describe('bulk scoring and deleting', () => {
  it('scores many traces at once and reports the ids it did not find', async () => {
    const r = await c.call('POST', '/api/scores/bulk', {
      trace_ids: ['t3', 't4', 'nope'],
      name: 'reviewed',
      value: 1,
      reason: 'triage',
    });
    expect(r.json).toEqual({ ok: true, scored: 2, missing: ['nope'] });
    const t3 = (await c.call('GET', '/api/traces/t3')).json.trace;
    expect(t3.feedback_scores).toEqual([
      expect.objectContaining({ name: 'reviewed', value: 1, reason: 'triage', source: 'ui' }),
    ]);
    expect(ids(await c.call('GET', '/api/query?filter=score:reviewed')).sort()).toEqual(['t3', 't4']);
  });

  it('refuses a bulk score without ids or with a bad value, changing nothing', async () => {
    expect((await c.call('POST', '/api/scores/bulk', { name: 'x', value: 1 })).json.error).toBe(
      'trace_ids is required',
    );
    const bad = await c.call('POST', '/api/scores/bulk', { trace_ids: ['t1'], name: 'x', value: 'high' });
    expect(bad.status).toBe(400);
    expect(ids(await c.call('GET', '/api/query?filter=score:x'))).toEqual([]);
  });

  it('deletes by ids or by filter, and never everything by accident', async () => {
    const extra = await start();
    try {
      await extra.seed([
        ...traceEvents({ id: 'a', start: at(0), end: at(1) }),
        ...traceEvents({ id: 'b', start: at(1), end: at(2), error: true }),
        ...traceEvents({ id: 'c', start: at(2), end: at(3) }),
      ]);
      expect((await extra.call('POST', '/api/traces/delete', {})).status).toBe(400);
      expect((await extra.call('POST', '/api/traces/delete', { trace_ids: ['a', 'zz'] })).json).toEqual({
        deleted: 1,
        missing: ['zz'],
      });
      expect((await extra.call('POST', '/api/traces/delete', { filter: 'status:error' })).json).toEqual({
        deleted: 1,
        missing: [],
      });
      expect(ids(await extra.call('GET', '/api/query'))).toEqual(['c']);
    } finally {
      await extra.close();
    }
  });
});
