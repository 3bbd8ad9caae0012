import { describe, expect, it } from 'vitest';
import { buildSpanTree, flattenTree } from '../../src/core/model/spanTree';
import { at, spanRecord } from '../support/builders';

const ids = (nodes: { span: { id: string } }[]) => nodes.map((n) => n.span.id);

describe('buildSpanTree', () => {
  it('keeps spans that arrive before their parent', () => {
    const tree = buildSpanTree([
      spanRecord('c', { parent_span_id: 'b', start_time: at(3) }),
      spanRecord('b', { parent_span_id: 'a', start_time: at(2) }),
      spanRecord('a', { start_time: at(1) }),
    ]);
    expect(ids(tree.roots)).toEqual(['a']);
    expect(ids(flattenTree(tree.roots))).toEqual(['a', 'b', 'c']);
    expect(tree.byId.get('c')!.depth).toBe(2);
    expect(tree.byId.get('c')!.orphan).toBe(false);
  });

  it('orders siblings by start time whatever the arrival order', () => {
    const tree = buildSpanTree([
      spanRecord('late', { parent_span_id: 'r', start_time: at(30) }),
      spanRecord('r', { start_time: at(0) }),
      spanRecord('early', { parent_span_id: 'r', start_time: at(10) }),
    ]);
    expect(ids(tree.roots[0].children)).toEqual(['early', 'late']);
  });

  it('shows a span whose parent never arrived as an orphan root', () => {
    const tree = buildSpanTree([spanRecord('a'), spanRecord('x', { parent_span_id: 'missing', start_time: at(5) })]);
    expect(ids(tree.roots)).toEqual(['a', 'x']);
    expect(tree.byId.get('x')!.orphan).toBe(true);
    expect(tree.byId.get('a')!.orphan).toBe(false);
  });

  it('merges duplicates of one span, later fields winning', () => {
    const tree = buildSpanTree([
      spanRecord('a', { output: 'first', metadata: { k: 1 }, tags: ['x'] }),
      spanRecord('a', { output: 'second', metadata: { j: 2 }, tags: ['y', 'x'], end_time: at(9) }),
    ]);
    expect(tree.byId.size).toBe(1);
    const span = tree.byId.get('a')!.span;
    expect(span.output).toBe('second');
    expect(span.metadata).toEqual({ k: 1, j: 2 });
    expect(span.tags).toEqual(['x', 'y']);
    expect(span.end_time).toBe(at(9));
  });

  it('cuts a parent loop at its first-started member and keeps everything below it', () => {
    const tree = buildSpanTree([
      spanRecord('c', { parent_span_id: 'a', start_time: at(3) }), // hangs below the loop
      spanRecord('a', { parent_span_id: 'b', start_time: at(1) }),
      spanRecord('b', { parent_span_id: 'a', start_time: at(2) }),
      spanRecord('root', { start_time: at(0) }),
    ]);
    expect(ids(tree.roots)).toEqual(['root', 'a']);
    expect(tree.byId.get('a')!.orphan).toBe(true);
    expect(ids(flattenTree([tree.byId.get('a')!]))).toEqual(['a', 'b', 'c']);
    expect(tree.byId.get('c')!.orphan).toBe(false);
    expect(tree.byId.get('c')!.depth).toBe(1);
  });

  it('treats a span that is its own parent as an orphan root', () => {
    const tree = buildSpanTree([spanRecord('a', { parent_span_id: 'a' })]);
    expect(ids(tree.roots)).toEqual(['a']);
    expect(tree.byId.get('a')!.orphan).toBe(true);
  });

  it('builds a 10k-span flat trace and a 10k-deep chain without recursion', () => {
    const flat = [spanRecord('root')];
    for (let i = 0; i < 10_000; i++)
      flat.push(spanRecord(`s${i}`, { parent_span_id: 'root', start_time: at(10_000 - i) }));
    const flatTree = buildSpanTree(flat.reverse());
    expect(flatTree.roots).toHaveLength(1);
    expect(flatTree.roots[0].children).toHaveLength(10_000);
    expect(flatTree.roots[0].children[0].span.id).toBe('s9999');

    const chain = [];
    for (let i = 0; i < 10_000; i++)
      chain.push(spanRecord(`c${i}`, { parent_span_id: i ? `c${i - 1}` : undefined, start_time: at(i) }));
    const chainTree = buildSpanTree(chain.reverse());
    expect(ids(chainTree.roots)).toEqual(['c0']);
    expect(chainTree.byId.get('c9999')!.depth).toBe(9_999);
    const rows = flattenTree(chainTree.roots);
    expect(rows).toHaveLength(10_000);
    expect(rows[9_999].span.id).toBe('c9999');
  });

  it('breaks a 10k-long parent loop', () => {
    const loop = [];
    for (let i = 0; i < 10_000; i++)
      loop.push(spanRecord(`l${i}`, { parent_span_id: `l${(i + 1) % 10_000}`, start_time: at(i) }));
    const tree = buildSpanTree(loop);
    expect(ids(tree.roots)).toEqual(['l0']);
    expect(tree.byId.get('l1')!.depth).toBe(9_999);
  });

  it('flattens only expanded nodes', () => {
    const tree = buildSpanTree([
      spanRecord('a'),
      spanRecord('b', { parent_span_id: 'a' }),
      spanRecord('c', { parent_span_id: 'b' }),
    ]);
    expect(ids(flattenTree(tree.roots, (n) => n.span.id !== 'b'))).toEqual(['a', 'b']);
  });
});
