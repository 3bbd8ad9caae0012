import { describe, expect, it } from 'vitest';
import { TraceModel, TRACE_KEY } from '../../webview/trace/traceModel';
import { TreeView } from '../../webview/trace/treeView';
import { makeSpan, makeTrace, spanId } from '../fixtures/traceBuilder';

const names = (view: TreeView) => view.rows.map((n) => (n === view.model.root ? 'TRACE' : n.span.name));

describe('tree view model', () => {
  it('shows the trace as the top row with every span under it, expanded, in start order', () => {
    const view = new TreeView(new TraceModel(makeTrace({ spans: 5, fanout: 2 })));
    // s0 ─ s1 ─ s3, s4 ; s0 ─ s2
    expect(names(view)).toEqual(['TRACE', 'step_0', 'step_1', 'step_3', 'step_4', 'step_2']);
    expect(view.rows.map((n) => view.model.levelOf(n))).toEqual([0, 1, 2, 3, 3, 2]);
  });

  it('collapses and expands a node, hiding and restoring its descendants', () => {
    const model = new TraceModel(makeTrace({ spans: 5, fanout: 2 }));
    const view = new TreeView(model);
    const s1 = model.nodeByKey(spanId('trace-1', 1))!;
    view.setExpanded(s1, false);
    expect(names(view)).toEqual(['TRACE', 'step_0', 'step_1', 'step_2']);
    view.toggle(s1);
    expect(names(view)).toEqual(['TRACE', 'step_0', 'step_1', 'step_3', 'step_4', 'step_2']);
  });

  it('keeps expanded state by key in a compact form, and restores it', () => {
    const model = new TraceModel(makeTrace({ spans: 5, fanout: 2 }));
    const view = new TreeView(model);
    view.collapseAll();
    expect(names(view)).toEqual(['TRACE', 'step_0']);
    view.setExpanded(model.nodeByKey(spanId('trace-1', 0))!, true);
    const saved = view.expansion;
    expect(saved).toEqual({ defaultExpanded: false, exceptions: [TRACE_KEY, spanId('trace-1', 0)] });
    const restored = new TreeView(new TraceModel(makeTrace({ spans: 5, fanout: 2 })), saved);
    expect(names(restored)).toEqual(['TRACE', 'step_0', 'step_1', 'step_2']);
  });

  it('reveals a node inside collapsed parents', () => {
    const model = new TraceModel(makeTrace({ spans: 20, fanout: 2 }));
    const view = new TreeView(model);
    view.collapseAll();
    const deep = model.nodeByKey(spanId('trace-1', 15))!; // 15 → 7 → 3 → 1 → 0
    const row = view.reveal(deep);
    expect(view.rows[row]).toBe(deep);
    expect(names(view).slice(0, 6)).toEqual(['TRACE', 'step_0', 'step_1', 'step_3', 'step_7', 'step_15']);
  });

  it('flattens a 100k-deep chain without recursion', () => {
    const model = new TraceModel(makeTrace({ spans: 100_000, fanout: 1 }));
    const view = new TreeView(model);
    expect(view.rows.length).toBe(100_001);
    expect(model.levelOf(view.rows[100_000])).toBe(100_000);
  });
});

describe('keyboard navigation', () => {
  const setup = () => {
    const model = new TraceModel(makeTrace({ spans: 5, fanout: 2 }));
    return { model, view: new TreeView(model) };
  };

  it('moves up and down one row, and home/end to the ends, clamped', () => {
    const { view } = setup();
    expect(view.navigate(0, 'ArrowUp', 10)).toBe(0);
    expect(view.navigate(0, 'ArrowDown', 10)).toBe(1);
    expect(view.navigate(5, 'ArrowDown', 10)).toBe(5);
    expect(view.navigate(3, 'Home', 10)).toBe(0);
    expect(view.navigate(1, 'End', 10)).toBe(5);
    expect(view.navigate(-1, 'ArrowDown', 10)).toBe(0);
  });

  it('pages by the visible row count', () => {
    const { view } = setup();
    expect(view.navigate(0, 'PageDown', 3)).toBe(2);
    expect(view.navigate(5, 'PageUp', 3)).toBe(3);
  });

  it('right expands a collapsed parent, then steps into its first child; on a leaf it stays', () => {
    const { model, view } = setup();
    const s1 = model.nodeByKey(spanId('trace-1', 1))!;
    view.setExpanded(s1, false);
    const at = view.indexOf(s1);
    expect(view.navigate(at, 'ArrowRight', 10)).toBe(at);
    expect(view.isExpanded(s1)).toBe(true);
    expect(view.rows[view.navigate(at, 'ArrowRight', 10)].span.name).toBe('step_3');
    const leaf = view.indexOf(model.nodeByKey(spanId('trace-1', 3))!);
    expect(view.navigate(leaf, 'ArrowRight', 10)).toBe(leaf);
  });

  it('left collapses an expanded parent, then steps out to its parent, up to the trace row', () => {
    const { model, view } = setup();
    const leaf = view.indexOf(model.nodeByKey(spanId('trace-1', 4))!);
    const toParent = view.navigate(leaf, 'ArrowLeft', 10);
    expect(view.rows[toParent].span.name).toBe('step_1');
    expect(view.navigate(toParent, 'ArrowLeft', 10)).toBe(toParent);
    expect(view.isExpanded(view.rows[toParent])).toBe(false);
    expect(view.rows[view.navigate(toParent, 'ArrowLeft', 10)].span.name).toBe('step_0');
    expect(view.navigate(1, 'ArrowLeft', 10)).toBe(1); // collapses step_0
    expect(view.navigate(1, 'ArrowLeft', 10)).toBe(0); // then to the trace row
  });
});

describe('live changes', () => {
  it('updates a running span in place without rebuilding rows', () => {
    const model = new TraceModel(makeTrace({ spans: 4, running: 1 }));
    const view = new TreeView(model);
    const node = model.nodeByKey(spanId('trace-1', 3))!;
    const ended = { ...node.span, end_time: '2026-01-02T03:04:05.999999Z', status: 'ok' as const, duration_ms: 995 };
    const result = model.applySpans([ended]);
    expect(result.structural).toBe(false);
    expect(model.nodeByKey(spanId('trace-1', 3))).toBe(node);
    expect(node.span.status).toBe('ok');
    expect(view.rows).toContain(node);
  });

  it('inserts a new child in start order under its parent', () => {
    const model = new TraceModel(makeTrace({ spans: 3, fanout: 2 }));
    const view = new TreeView(model);
    const early = makeSpan('trace-1', 9, 2, {
      parent_span_id: spanId('trace-1', 0),
      start_time: '2026-01-02T03:04:05.001500Z',
      name: 'late_arrival',
    });
    const result = model.applySpans([early]);
    expect(result.structural).toBe(true);
    view.refresh();
    expect(names(view)).toEqual(['TRACE', 'step_0', 'step_1', 'late_arrival', 'step_2']);
  });

  it('re-links an orphan when its parent arrives later', () => {
    const detail = makeTrace({ spans: 3, fanout: 2 });
    const child = makeSpan('trace-1', 7, 2, { parent_span_id: 'later-parent', name: 'child' });
    const model = new TraceModel({ ...detail, spans: [...detail.spans, child] });
    const view = new TreeView(model);
    expect(model.nodeByKey(child.id)!.orphan).toBe(true);
    model.applySpans([
      makeSpan('trace-1', 8, 2, { id: 'later-parent', parent_span_id: spanId('trace-1', 0), name: 'parent' }),
    ]);
    view.refresh();
    expect(model.nodeByKey(child.id)!.parent!.span.id).toBe('later-parent');
    expect(names(view)).toEqual(['TRACE', 'step_0', 'step_1', 'step_2', 'parent', 'child']);
  });

  it('keeps a collapsed node collapsed across a rebuild', () => {
    const model = new TraceModel(makeTrace({ spans: 5, fanout: 2 }));
    const view = new TreeView(model);
    view.setExpanded(model.nodeByKey(spanId('trace-1', 1))!, false);
    model.applySpans([{ ...model.nodeByKey(spanId('trace-1', 2))!.span, parent_span_id: spanId('trace-1', 1) }]);
    view.refresh();
    expect(names(view)).toEqual(['TRACE', 'step_0', 'step_1']);
  });
});
