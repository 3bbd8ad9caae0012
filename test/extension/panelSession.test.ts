// The host's end of the trace webview, over a real RpcEndpoint pair and a real store in a
// temp folder. The editor actions (open a file, find a symbol, copy) need VS Code; here they
// are recorded calls, and the e2e tests drive the real ones.

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { normaliseNativeBatch } from '../../src/core/normalise/native';
import { PanelSession, type HostActions } from '../../src/extension/panel/panelSession';
import {
  AddTracesToDataset,
  ReadDataset,
  ShowDataset,
  ChangesNotification,
  CompareWith,
  CopyText,
  DeleteTraces,
  FindSymbol,
  GetTrace,
  ListTraces,
  OpenSource,
  OpenSpanDiff,
  Ready,
  RunSpanCommand,
  SetScore,
  ShowCompare,
  ShowTrace,
  WatchTraces,
  type Changes,
  type WireMessage,
} from '../../src/shared/protocol';
import { RpcEndpoint } from '../../src/shared/rpc';
import { type TraceStore, openStore } from '../../src/store/traceStore';
import { batch, spanStart, traceBatch, traceStart } from '../support/builders';
import { tempDir } from '../support/collector';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function ingest(store: TraceStore, body: unknown): void {
  const r = normaliseNativeBatch(body);
  if (!r.ok) throw new Error(JSON.stringify(r.details));
  store.apply(r.patches);
}

async function setup(dir = tempDir()) {
  const store = await openStore({ dir });
  cleanups.push(async () => {
    await store.close();
  });
  const posted: WireMessage[] = [];
  const calls: string[] = [];
  const actions: HostActions = {
    openSource: async (loc) => void calls.push(`open ${loc.file}:${loc.line}`),
    findSymbol: async (name) => (calls.push(`find ${name}`), name === 'known'),
    copyText: async (text) => void calls.push(`copy ${text}`),
    openDiff: async (p) =>
      void calls.push(`diff ${p.left.traceId}/${p.left.spanId} ${p.right.traceId}/${p.right.spanId} ${p.title}`),
    compareWith: async (p) => void calls.push(`compare ${p.traceId}${p.spanId ? `/${p.spanId}` : ''}`),
    runSpanCommand: async (p) => void calls.push(`${p.command} ${p.traceId}${p.spanId ? `/${p.spanId}` : ''}`),
    // Never resolves: the page's request must be answered before the user has picked a dataset.
    addTracesToDataset: (ids) => (calls.push(`dataset ${ids.join(',')}`), new Promise<void>(() => undefined)),
    readDataset: async (uri) => {
      if (!uri.endsWith('.jsonl')) throw new Error(`not a dataset of this workspace: ${uri}`);
      return { name: 'golden', text: readFileSync(uri, 'utf8') };
    },
  };
  // The webview's end: what the host posts arrives here, what it sends goes to the session.
  let session!: PanelSession;
  const page = new RpcEndpoint((m) => void session.receive(JSON.parse(JSON.stringify(m))), 2000);
  session = new PanelSession({
    store,
    post: (m) => {
      posted.push(m);
      void page.receive(JSON.parse(JSON.stringify(m)));
    },
    actions,
    info: () => ({ host: 'vscode', version: '0.1.0', scoreDefinitions: [{ name: 'tone', categories: { good: 1 } }] }),
    pushIntervalMs: 100,
  });
  cleanups.push(() => {
    session.dispose();
    page.dispose();
  });
  const changes: Changes[] = [];
  page.onNotification(ChangesNotification, (c) => changes.push(c));
  const shown: unknown[] = [];
  page.onNotification(ShowTrace, (s) => shown.push(s));
  return { store, session, page, posted, calls, changes, shown, dir };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the trace panel’s host session', () => {
  it('posts nothing before Ready, then answers Ready with the snapshot and the trace to show', async () => {
    const { store, session, page, posted } = await setup();
    ingest(store, traceBatch('t1', 2));
    session.showTrace('t1', 't1-s1');
    await wait(150);
    expect(posted).toEqual([]);
    const ready = await page.request(Ready, {});
    expect(ready.info.scoreDefinitions).toEqual([{ name: 'tone', categories: { good: 1 } }]);
    expect(ready.traces.map((t) => t.id)).toEqual(['t1']);
    expect(ready).toMatchObject({ showTraceId: 't1', showSpanId: 't1-s1' });
  });

  it('shows the restored trace after a reload, and a later ShowTrace as a notification', async () => {
    const { session, page, shown } = await setup();
    expect((await page.request(Ready, { restoredTraceId: 'r' })).showTraceId).toBe('r');
    session.showTrace('t2');
    await wait(10);
    expect(shown).toEqual([{ traceId: 't2' }]);
  });

  it('answers the read requests from the store', async () => {
    const { store, page } = await setup();
    ingest(store, traceBatch('a', 3));
    ingest(store, batch(traceStart('b', { project_name: 'other' })));
    await page.request(Ready, {});
    expect((await page.request(ListTraces, { project: 'other' })).traces.map((t) => t.id)).toEqual(['b']);
    expect((await page.request(GetTrace, { traceId: 'a' }))!.spans).toHaveLength(3);
    expect(await page.request(GetTrace, { traceId: 'nope' })).toBeNull();
    await expect(page.request(GetTrace, { traceId: '' })).rejects.toThrow('traceId must be a non-empty string');
  });

  it('stores a score as the person’s (source ui), and it survives a restart', async () => {
    const { store, page, dir } = await setup();
    ingest(store, traceBatch('a', 2));
    await page.request(Ready, {});
    await page.request(SetScore, {
      target: 'span',
      id: 'a-s1',
      name: 'tone',
      value: 1,
      reason: ' nice ',
      category_name: 'good',
      source: 'sdk',
    });
    await page.request(SetScore, { target: 'trace', id: 'a', name: 'user_feedback', value: 0 });
    await store.close();
    const again = await openStore({ dir });
    cleanups.push(() => again.close());
    const detail = (await again.getTrace('a'))!;
    expect(detail.spans.find((s) => s.id === 'a-s1')!.feedback_scores).toMatchObject([
      { name: 'tone', value: 1, reason: 'nice', category_name: 'good', source: 'ui' },
    ]);
    expect(detail.trace.feedback_scores).toMatchObject([{ name: 'user_feedback', value: 0, source: 'ui' }]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a malformed score with a reason and stores nothing', async () => {
    const { store, page } = await setup();
    ingest(store, traceBatch('a', 1));
    await page.request(Ready, {});
    await expect(page.request(SetScore, { target: 'span', id: 'a-s0', name: ' ', value: 1 })).rejects.toThrow(
      'name must be a non-empty string',
    );
    await expect(
      page.request(SetScore, { target: 'span', id: 'a-s0', name: 'x', value: 'high' as unknown as number }),
    ).rejects.toThrow('value must be a finite number');
    await expect(page.request(SetScore, { target: 'nope' as 'span', id: 'a-s0', name: 'x', value: 1 })).rejects.toThrow(
      "target must be 'trace' or 'span'",
    );
    expect((await store.getTrace('a'))!.spans[0].feedback_scores).toBeUndefined();
  });

  it('lets a person delete an SDK score', async () => {
    const { store, page } = await setup();
    ingest(
      store,
      batch(traceStart('a'), { event: 'score', score: { target: 'trace', id: 'a', name: 'auto', value: 0.2 } }),
    );
    await page.request(Ready, {});
    await page.request(SetScore, { target: 'trace', id: 'a', name: 'auto', value: null, source: 'sdk' });
    expect(store.getSummary('a')!.feedback_scores ?? []).toEqual([]);
  });

  it('pushes changes batched, at once for a single change, and spans only for watched traces', async () => {
    const { store, page, changes } = await setup();
    await page.request(Ready, {});
    await page.request(WatchTraces, { traceIds: ['w'] });
    const started = performance.now();
    ingest(store, batch(traceStart('w'), spanStart('w-s', 'w')));
    while (!changes.length && performance.now() - started < 1000) await wait(2);
    expect(performance.now() - started).toBeLessThan(100);
    expect(changes[0].spans.map((s) => s.trace_id)).toEqual(['w']);

    changes.length = 0;
    const burstStart = performance.now();
    for (let i = 0; i < 200; i++) {
      ingest(store, batch(traceStart(`u${i}`), spanStart(`u${i}-s`, `u${i}`)));
      if (i % 20 === 0) await wait(5);
    }
    await wait(250);
    const elapsed = performance.now() - burstStart;
    // ≤ 10 pushes a second, and every trace arrives.
    expect(changes.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 1);
    expect(new Set(changes.flatMap((c) => c.traces.map((t) => t.id))).size).toBe(200);
    expect(changes.flatMap((c) => c.spans)).toEqual([]);
  });

  it('holds pushes while the page is gone, until it is Ready again', async () => {
    const { store, session, page, changes, posted } = await setup();
    await page.request(Ready, {});
    session.pageGone();
    const before = posted.length;
    ingest(store, traceBatch('x', 1));
    await wait(200);
    expect(posted.length).toBe(before);
    const ready = await page.request(Ready, {});
    expect(ready.traces.map((t) => t.id)).toEqual(['x']);
    expect(changes).toEqual([]);
  });

  it('deletes traces and tells the page', async () => {
    const { store, page, changes } = await setup();
    ingest(store, traceBatch('a', 1));
    ingest(store, traceBatch('b', 1));
    await page.request(Ready, {});
    await page.request(DeleteTraces, { traceIds: ['a'] });
    await wait(150);
    expect(store.listTraces().map((t) => t.id)).toEqual(['b']);
    expect(changes.flatMap((c) => c.removed)).toEqual(['a']);
  });

  it('hands editor requests to the host’s actions', async () => {
    const { page, calls } = await setup();
    await page.request(Ready, {});
    await page.request(OpenSource, { file: '/src/app.py', line: 3 });
    expect(await page.request(FindSymbol, { name: 'known' })).toEqual({ found: true });
    expect(await page.request(FindSymbol, { name: 'other' })).toEqual({ found: false });
    await page.request(CopyText, { text: 'hello' });
    expect(calls).toEqual(['open /src/app.py:3', 'find known', 'find other', 'copy hello']);
    await expect(page.request(OpenSource, { file: '', line: 1 })).rejects.toThrow('file must be a non-empty string');
  });
});

describe('compare in the panel', () => {
  it('shows two traces in the Compare tab after Ready, and opens the diff of a pair the page asks for', async () => {
    const { store, session, page, calls } = await setup();
    ingest(store, traceBatch('t1', 2));
    ingest(store, traceBatch('t2', 2));
    const compared: unknown[] = [];
    page.onNotification(ShowCompare, (p) => compared.push(p));
    session.showCompare('t1', 't2'); // before Ready: held
    await wait(20);
    expect(compared).toEqual([]);
    await page.request(Ready, {});
    await expect.poll(() => compared).toEqual([{ leftTraceId: 't1', rightTraceId: 't2' }]);
    session.showCompare('t2', 't1'); // after Ready: at once
    await expect.poll(() => compared.length).toBe(2);
    await page.request(OpenSpanDiff, {
      left: { traceId: 't1', spanId: 't1-s1', label: 'a' },
      right: { traceId: 't2', spanId: 't2-s1', label: 'b' },
      title: 'step 1: left ↔ right',
    });
    expect(calls).toEqual(['diff t1/t1-s1 t2/t2-s1 step 1: left ↔ right']);
    await expect(
      page.request(OpenSpanDiff, {
        left: { traceId: '', label: 'a' },
        right: { traceId: 't2', label: 'b' },
        title: 'x',
      }),
    ).rejects.toThrow(/left.traceId/);
  });
});

describe('Compare With… from the panel', () => {
  it('hands the trace or span the page names to the host, and refuses one without a trace id', async () => {
    const { page, calls } = await setup();
    await page.request(Ready, {});
    await page.request(CompareWith, { traceId: 't1' });
    await page.request(CompareWith, { traceId: 't1', spanId: 's1' });
    expect(calls).toEqual(['compare t1', 'compare t1/s1']);
    await expect(page.request(CompareWith, { traceId: '' })).rejects.toThrow(/traceId/);
  });
});

describe('span commands from the panel', () => {
  it('hands Debug This Call, Save as Test, … to the host, and refuses a command it does not know', async () => {
    const { page, calls } = await setup();
    await page.request(Ready, {});
    await page.request(RunSpanCommand, { command: 'debugCall', traceId: 't1', spanId: 's1' });
    await page.request(RunSpanCommand, { command: 'addToDataset', traceId: 't1' });
    expect(calls).toEqual(['debugCall t1/s1', 'addToDataset t1']);
    await expect(page.request(RunSpanCommand, { command: 'rm -rf' as never, traceId: 't1' })).rejects.toThrow(
      /command must be one of debugCall, saveAsTest/,
    );
    await expect(page.request(RunSpanCommand, { command: 'saveAsTest', traceId: '' })).rejects.toThrow(/traceId/);
  });
});

describe('datasets from the panel', () => {
  it("starts Add to Dataset… on the Logs tab's selection and answers before the dataset is picked", async () => {
    const { page, calls } = await setup();
    await page.request(Ready, {});
    await page.request(AddTracesToDataset, { traceIds: ['t1', 't2'] });
    expect(calls).toEqual(['dataset t1,t2']);
    await expect(page.request(AddTracesToDataset, { traceIds: [] })).rejects.toThrow(/non-empty list of trace ids/);
    await expect(page.request(AddTracesToDataset, { traceIds: ['t1', 3 as never] })).rejects.toThrow(/trace ids/);
  });

  it("reads a dataset file's rows, says which sources are still stored, and reports the bad lines", async () => {
    const { store, page } = await setup();
    ingest(store, traceBatch('t1', 1));
    const file = join(tempDir(), 'golden.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({
          input: 'kept',
          expected: 'e',
          metadata: {},
          source_span: { trace_id: 't1', span_id: 't1-s1', name: 'one' },
        }),
        'not json',
        JSON.stringify({
          input: 'gone',
          expected: null,
          metadata: {},
          source_span: { trace_id: 'deleted-trace', span_id: 'x', name: 'two' },
        }),
      ].join('\n'),
    );
    await page.request(Ready, {});
    const content = await page.request(ReadDataset, { uri: file });
    expect(content.name).toBe('golden');
    expect(content.rows.map((r) => [r.line, r.input, r.source?.in_store])).toEqual([
      [1, 'kept', true],
      [3, 'gone', false],
    ]);
    expect(content.problems).toEqual([{ line: 2, message: expect.stringMatching(/^not JSON/) }]);
    await expect(page.request(ReadDataset, { uri: '/etc/passwd' })).rejects.toThrow(/not a dataset/);
  });

  it('shows a dataset in the Logs tab right after Ready when asked before it', async () => {
    const { session, page } = await setup();
    const shown: unknown[] = [];
    page.onNotification(ShowDataset, (p) => shown.push(p));
    session.showDataset('file:///ws/.spanscope/datasets/golden.jsonl');
    await wait(20);
    expect(shown).toEqual([]);
    await page.request(Ready, {});
    await expect.poll(() => shown).toEqual([{ uri: 'file:///ws/.spanscope/datasets/golden.jsonl' }]);
  });
});
