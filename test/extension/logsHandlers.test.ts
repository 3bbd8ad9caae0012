// The host's answers to the logs table and the monitor, over a real RpcEndpoint pair and a
// real store in a temp folder. Saving an export needs VS Code's dialog; here the host action
// records the job and reads its content, as the dialog's writer would.

import { afterEach, describe, expect, it } from 'vitest';
import { normaliseNativeBatch } from '../../src/core/normalise/native';
import { registerLogsHandlers, type ExportJob } from '../../src/extension/logsHandlers';
import { ExportTraces, ListProjects, QueryMonitor, QueryTraces, ScoreTraces } from '../../src/shared/protocol';
import { RpcEndpoint } from '../../src/shared/rpc';
import { openStore } from '../../src/store/traceStore';
import { tempDir } from '../support/collector';
import { traceEvents } from '../support/logsEvents';
import { at } from '../support/summaries';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(withSave = true) {
  const store = await openStore({ dir: tempDir() });
  cleanups.push(() => store.close());
  const r = normaliseNativeBatch({
    events: [
      ...traceEvents({
        id: 'a',
        name: 'alpha',
        project: 'P1',
        start: at(0),
        end: at(0.5),
        scores: { q: 0.2 },
        usage: { total_tokens: 50 },
      }),
      ...traceEvents({
        id: 'b',
        name: 'beta',
        project: 'P1',
        start: at(1),
        end: at(1.5),
        error: true,
        scores: { q: 0.9 },
      }),
      ...traceEvents({ id: 'c', name: 'gamma, "quoted"', project: 'P2', start: at(2) }),
    ],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.details));
  store.apply(r.patches);
  const jobs: { job: ExportJob; text: string }[] = [];
  let host!: RpcEndpoint;
  const page = new RpcEndpoint((m) => void host.receive(JSON.parse(JSON.stringify(m))), 2000);
  host = new RpcEndpoint((m) => void page.receive(JSON.parse(JSON.stringify(m))));
  const saved = new Promise<void>((resolve) => {
    registerLogsHandlers(host, store, {
      saveExport: withSave
        ? async (job) => {
            let text = '';
            for await (const piece of job.content) text += piece;
            jobs.push({ job, text });
            resolve();
          }
        : undefined,
    });
  });
  cleanups.push(() => {
    page.dispose();
    host.dispose();
  });
  return { store, page, jobs, saved };
}

describe('the host’s logs handlers', () => {
  it('answers a filtered, sorted page like the collector does', async () => {
    const { page } = await setup();
    const r = await page.request(QueryTraces, { filter: 'project:P1', sort: 'score:q', order: 'asc' });
    expect(r.traces.map((t) => t.id)).toEqual(['a', 'b']);
    expect(r.total).toBe(2);
    expect(r.score_names).toEqual(['q']);
    const anchored = await page.request(QueryTraces, { anchor: { id: 'b', before: 0 }, limit: 1 });
    expect(anchored).toMatchObject({ anchor_index: 1, offset: 1 });
  });

  it('rejects a bad filter with the message and its column', async () => {
    const { page } = await setup();
    await expect(page.request(QueryTraces, { filter: 'status:maybe' })).rejects.toThrow(
      /unknown status "maybe".*at column 8/,
    );
    await expect(page.request(QueryTraces, { sort: 'colour' as never })).rejects.toThrow(/unknown sort column/);
    await expect(page.request(QueryTraces, { limit: 0 })).rejects.toThrow(/limit/);
  });

  it('answers the monitor for a project, running traces counted and not timed', async () => {
    const { page } = await setup();
    const from = Date.parse(at(0));
    const r = await page.request(QueryMonitor, { from, to: from + 3 * 60_000, bucketMs: 60_000 });
    expect(r.buckets.map((b) => b.trace_count)).toEqual([1, 1, 1]);
    expect(r.buckets[2]).toMatchObject({ running_count: 1, latency_p50_ms: null });
    const p1 = await page.request(QueryMonitor, { project: 'P1', from, to: from + 3 * 60_000, bucketMs: 60_000 });
    expect(p1.buckets.map((b) => b.trace_count)).toEqual([1, 1, 0]);
    await expect(page.request(QueryMonitor, { from, to: from - 1 })).rejects.toThrow(/to is before from/);
  });

  it('lists projects', async () => {
    const { page } = await setup();
    const { projects } = await page.request(ListProjects, {});
    expect(projects.map((p) => [p.name, p.trace_count])).toEqual([
      ['P2', 1],
      ['P1', 2],
    ]);
  });

  it('scores many traces with source ui, and reports unknown ids', async () => {
    const { page, store } = await setup();
    expect(
      await page.request(ScoreTraces, { traceIds: ['a', 'c', 'zz'], name: 'reviewed', value: 1, reason: ' ok ' }),
    ).toEqual({ scored: 2, missing: ['zz'] });
    const a = await store.getTrace('a');
    expect(a?.trace.feedback_scores).toContainEqual(
      expect.objectContaining({ name: 'reviewed', value: 1, source: 'ui', reason: 'ok' }),
    );
    await expect(page.request(ScoreTraces, { traceIds: ['a'], name: ' ', value: 1 })).rejects.toThrow(/name/);
    await expect(page.request(ScoreTraces, { traceIds: ['a'], name: 'x', value: 'high' as never })).rejects.toThrow(
      /value/,
    );
  });

  it('exports the selected traces as JSON Lines through the host’s save action', async () => {
    const { page, jobs, saved } = await setup();
    await page.request(ExportTraces, { format: 'jsonl', traceIds: ['c', 'a'] });
    await saved;
    expect(jobs[0].job).toMatchObject({ format: 'jsonl', count: 2 });
    expect(jobs[0].job.suggestedName).toMatch(/^spanscope-traces-\d{8}-\d{6}\.jsonl$/);
    expect(
      jobs[0].text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).trace.id),
    ).toEqual(['c', 'a']);
  });

  it('exports the table as shown as CSV: the filter, the order, the columns', async () => {
    const { page, jobs, saved } = await setup();
    await page.request(ExportTraces, {
      format: 'csv',
      filter: '-status:error',
      sort: 'name',
      order: 'asc',
      columns: ['name', 'status', 'score:q'],
    });
    await saved;
    expect(jobs[0].text).toBe('name,status,q,id\r\nalpha,ok,0.2,a\r\n"gamma, ""quoted""",running,,c\r\n');
  });

  it('refuses an export it can not save, or with a bad format or column', async () => {
    const none = await setup(false);
    await expect(none.page.request(ExportTraces, { format: 'jsonl' })).rejects.toThrow(/not available/);
    const { page } = await setup();
    await expect(page.request(ExportTraces, { format: 'xml' as never })).rejects.toThrow(/format/);
    await expect(page.request(ExportTraces, { format: 'csv', columns: ['colour'] })).rejects.toThrow(
      /unknown column "colour"/,
    );
  });
});
