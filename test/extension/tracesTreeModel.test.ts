// The Traces view's model over a real store in a temp folder: what the sidebar lists, in
// which order, and which rows a live change redraws.

import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { normaliseNativeBatch } from '../../src/core/normalise/native';
import { TracesTreeModel, type TraceNode } from '../../src/extension/tree/tracesTreeModel';
import type { StoreChange } from '../../src/store/types';
import { LazySpans } from '../../src/store/applyBatch';
import { openStore } from '../../src/store/traceStore';
import { at, batch, score, spanEnd, spanStart, traceEnd, traceStart } from '../support/builders';
import { tempDir } from '../support/collector';
import { span } from './support';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(tracesPerProject = 50) {
  const dir = tempDir();
  const store = await openStore({ dir });
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const changes: StoreChange[] = [];
  store.onChange((c) => changes.push(c));
  const model = new TracesTreeModel(store, { tracesPerProject, thumbsName: () => 'user_feedback' });
  const ingest = (...events: Record<string, unknown>[]) => {
    const r = normaliseNativeBatch(batch(...events));
    if (!r.ok) throw new Error(JSON.stringify(r.details));
    store.apply(r.patches);
  };
  /** Everything the store reported since the last call, as one batch (what the view's throttle hands over). */
  const drain = () => {
    const all = changes.splice(0);
    const spans = new Map<string, import('../../src/core/model/model').Span[]>();
    for (const c of all) for (const [k, v] of c.spans) spans.set(k, [...(spans.get(k) ?? []), ...v]);
    return model.applyChange({ traces: all.flatMap((c) => c.traces), removed: all.flatMap((c) => c.removed), spans });
  };
  return { store, model, ingest, drain };
}

const labels = (model: TracesTreeModel, nodes: { kind: string }[]) =>
  nodes.map((n) => model.view(n as TraceNode)!.label);

describe('the Traces view model', () => {
  it('lists projects, most recently active first, then their traces newest first', async () => {
    const { model, ingest } = await setup();
    ingest(traceStart('a1', { name: 'first', project_name: 'alpha', start_time: at(0) }));
    ingest(traceStart('b1', { name: 'second', project_name: 'beta', start_time: at(10) }));
    ingest(traceStart('a2', { name: 'third', project_name: 'alpha', start_time: at(20) }));
    const roots = model.roots();
    expect(roots.map((r) => r.name)).toEqual(['alpha', 'beta']);
    expect(labels(model, model.traces('alpha'))).toEqual(['third', 'first']);
    expect(model.view(roots[0])!.description).toBe('2 traces');
  });

  it('nests spans under their parents, loading them on expand', async () => {
    const { model, ingest } = await setup();
    ingest(
      traceStart('t'),
      spanEnd('root', 't', { name: 'agent', start_time: at(1) }),
      spanEnd('c2', 't', { name: 'tool call', parent_span_id: 'root', type: 'tool', start_time: at(20) }),
      spanEnd('c1', 't', { name: 'llm call', parent_span_id: 'root', type: 'llm', start_time: at(5) }),
    );
    model.roots();
    const [trace] = model.traces('Default Project') as TraceNode[];
    const roots = await model.spans(trace.traceId);
    expect(labels(model, roots)).toEqual(['agent']);
    expect(model.view(roots[0])!.collapsible).toBe(true);
    const children = model.spanChildren(roots[0]);
    expect(labels(model, children)).toEqual(['llm call', 'tool call']);
    expect(children.map((c) => model.view(c)!.icon.id)).toEqual(['sparkle', 'tools']);
    expect(model.parentOf(children[0])).toBe(roots[0]);
    expect(model.parentOf(roots[0])).toBe(trace);
  });

  it('gives the same node object for the same item, so VS Code can redraw it by identity', async () => {
    const { model, ingest } = await setup();
    ingest(traceStart('t'), spanStart('s', 't'));
    model.roots();
    const first = model.traces('Default Project')[0];
    expect(model.traces('Default Project')[0]).toBe(first);
    expect((await model.spans('t'))[0]).toBe((await model.spans('t'))[0]);
  });

  it('redraws only the row of a shown trace that changed', async () => {
    const { model, ingest, drain } = await setup();
    ingest(traceStart('t'), traceStart('u'));
    model.roots();
    const nodes = model.traces('Default Project');
    drain();
    ingest(traceEnd('t'));
    const plan = drain();
    expect(plan).toEqual({ all: false, nodes: [nodes.find((n) => n.kind === 'trace' && n.traceId === 't')] });
  });

  it('redraws a project when a trace appears in it, and the root when a project appears', async () => {
    const { model, ingest, drain } = await setup();
    ingest(traceStart('t'));
    const [project] = model.roots();
    model.traces('Default Project');
    drain();
    ingest(traceStart('new'));
    expect(drain()).toEqual({ all: false, nodes: [project] });
    ingest(traceStart('elsewhere', { project_name: 'fresh' }));
    expect(drain().all).toBe(true);
  });

  it('redraws the project of a deleted trace', async () => {
    const { store, model, ingest, drain } = await setup();
    ingest(traceStart('t'), traceStart('u'));
    const [project] = model.roots();
    model.traces('Default Project');
    drain();
    store.deleteTraces(['t']);
    expect(drain()).toEqual({ all: false, nodes: [project] });
    expect(model.traces('Default Project').map((n) => (n as TraceNode).traceId)).toEqual(['u']);
  });

  it('redraws from the root when a project loses its last trace', async () => {
    const { store, model, ingest, drain } = await setup();
    ingest(traceStart('t'), traceStart('lonely', { project_name: 'other' }));
    model.roots();
    model.traces('Default Project');
    model.traces('other');
    drain();
    store.deleteTraces(['lonely']);
    expect(drain().all).toBe(true);
    expect(model.roots().map((p) => p.name)).toEqual(['Default Project']);
    store.clear();
    expect(drain().all).toBe(true);
    expect(model.roots()).toEqual([]);
  });

  it('keeps an expanded trace’s spans current from the changes, without reading it again', async () => {
    const { store, model, ingest, drain } = await setup();
    ingest(traceStart('t'), spanStart('root', 't', { name: 'agent' }));
    model.roots();
    model.traces('Default Project');
    const [root] = await model.spans('t');
    expect(model.view(root)!.icon.id).toBe('loading~spin');
    drain();
    const getTrace = store.getTrace.bind(store);
    let reads = 0;
    store.getTrace = (id) => (reads++, getTrace(id));
    ingest(
      spanEnd('child', 't', { name: 'step', parent_span_id: 'root', start_time: at(2) }),
      spanEnd('root', 't'),
      score('span', 'child', 'user_feedback', 1, { source: 'ui' }),
    );
    const plan = drain();
    expect(plan.nodes.map((n) => n.kind)).toEqual(['trace']);
    const [again] = await model.spans('t');
    expect(again).toBe(root);
    expect(model.view(root)!.icon.id).toBe('symbol-method');
    expect(labels(model, model.spanChildren(root))).toEqual(['step']);
    // The parent shows the score given to its child: the roll-up.
    expect(model.view(root)!.description).toContain('👍 1');
    expect(reads).toBe(0);
  });

  it('reads the changed spans of expanded traces only, not those of every trace a change touched', async () => {
    const { model, ingest } = await setup();
    ingest(traceStart('t'), spanStart('root', 't', { name: 'agent' }));
    model.roots();
    model.traces('Default Project');
    const [root] = await model.spans('t');
    const built: string[] = [];
    const spans = new LazySpans(
      (traceId) => {
        built.push(traceId);
        return [span('child', { trace_id: traceId, parent_span_id: 'root', name: 'step' })];
      },
      ['other-1', 't', 'other-2'],
    );
    model.applyChange({ traces: [], removed: [], spans });
    expect(built).toEqual(['t']);
    expect(labels(model, model.spanChildren(root))).toEqual(['step']);
  });

  it('filters by name, project or status, and finds a trace leaving the filter', async () => {
    const { model, ingest, drain } = await setup();
    ingest(
      traceStart('a', { name: 'chat' }),
      traceStart('b', { name: 'summarise' }),
      traceStart('c', { name: 'chat', project_name: 'other' }),
    );
    model.filter = 'chat';
    expect(
      model
        .roots()
        .map((r) => r.name)
        .sort(),
    ).toEqual(['Default Project', 'other']);
    expect(labels(model, model.traces('Default Project'))).toEqual(['chat']);
    expect(model.view(model.traces('Default Project')[0])!.highlights).toEqual([[0, 4]]);
    drain();
    model.filter = 'running';
    model.roots();
    model.traces('Default Project');
    ingest(traceEnd('a'));
    expect(drain().nodes.map((n) => n.kind)).toEqual(['project']);
  });

  it('says how many traces it leaves to the panel', async () => {
    const { model, ingest } = await setup(3);
    for (let i = 0; i < 5; i++) ingest(traceStart(`t${i}`, { start_time: at(i) }));
    model.roots();
    const nodes = model.traces('Default Project');
    expect(nodes.map((n) => n.kind)).toEqual(['trace', 'trace', 'trace', 'more']);
    expect(model.view(nodes[3])!.label).toBe('Showing the newest 3 of 5 traces');
  });
});
