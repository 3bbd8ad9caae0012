import { describe, expect, it } from 'vitest';
import { PendingChanges } from '../../src/extension/panel/pendingChanges';
import { LazySpans } from '../../src/store/applyBatch';
import { span, summary } from './support';

const watched = new Set(['t']);

describe('changes waiting for the next push', () => {
  it('keeps the latest news of each trace and span', () => {
    const p = new PendingChanges();
    p.add(
      { traces: [summary('t', { name: 'old' })], removed: [], spans: new Map([['t', [span('s', { name: 'v1' })]]]) },
      watched,
    );
    p.add(
      {
        traces: [summary('t', { name: 'new' })],
        removed: [],
        spans: new Map([['t', [span('s', { name: 'v2' }), span('s2')]]]),
      },
      watched,
    );
    const out = p.take()!;
    expect(out.traces.map((t) => t.name)).toEqual(['new']);
    expect(out.spans).toEqual([{ trace_id: 't', spans: [span('s', { name: 'v2' }), span('s2')] }]);
    expect(p.take()).toBeUndefined();
  });

  it('carries spans only for watched traces', () => {
    const p = new PendingChanges();
    p.add({ traces: [summary('u')], removed: [], spans: new Map([['u', [span('x', { trace_id: 'u' })]]]) }, watched);
    expect(p.take()).toEqual({ traces: [summary('u')], removed: [], spans: [] });
  });

  it('reads the changed spans of watched traces only, not those of every trace a change touched', () => {
    const p = new PendingChanges();
    const built: string[] = [];
    const spans = new LazySpans(
      (traceId) => {
        built.push(traceId);
        return [span(`${traceId}-s`, { trace_id: traceId })];
      },
      ['u', 't', 'v'],
    );
    p.add({ traces: [], removed: [], spans }, watched);
    expect(built).toEqual(['t']);
    expect(p.take()!.spans).toEqual([{ trace_id: 't', spans: [span('t-s', { trace_id: 't' })] }]);
  });

  it('lets a deletion cancel pending updates, and a later update cancel the deletion', () => {
    const p = new PendingChanges();
    p.add({ traces: [summary('t')], removed: [], spans: new Map([['t', [span('s')]]]) }, watched);
    p.add({ traces: [], removed: ['t'], spans: new Map() }, watched);
    expect(p.take()).toEqual({ traces: [], removed: ['t'], spans: [] });
    p.add({ traces: [], removed: ['t'], spans: new Map() }, watched);
    p.add({ traces: [summary('t')], removed: [], spans: new Map() }, watched);
    expect(p.take()).toEqual({ traces: [summary('t')], removed: [], spans: [] });
  });
});
