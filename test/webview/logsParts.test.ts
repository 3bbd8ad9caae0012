import { describe, expect, it } from 'vitest';
import { logsColumns } from '../../src/core/queries/logsColumns';
import type { MonitorResult } from '../../src/core/queries/monitor';
import { chartSpecs } from '../../webview/monitor/chartData';
import { cellText, formatStart } from '../../webview/logs/logsTable';
import { clickKind, RowSelection } from '../../webview/logs/rowSelection';
import { splitStorage } from '../../webview/state/panelState';
import type { UiState } from '../../webview/state/uiState';
import { summary } from '../support/summaries';

describe('row selection', () => {
  it('reads Shift as range, Ctrl or Cmd as toggle, a plain click as single', () => {
    expect(clickKind({ shiftKey: true, ctrlKey: true, metaKey: false })).toBe('range');
    expect(clickKind({ shiftKey: false, ctrlKey: true, metaKey: false })).toBe('toggle');
    expect(clickKind({ shiftKey: false, ctrlKey: false, metaKey: true })).toBe('toggle');
    expect(clickKind({ shiftKey: false, ctrlKey: false, metaKey: false })).toBe('single');
  });

  it('selects, toggles, extends and forgets deleted rows', () => {
    const s = new RowSelection();
    s.select('a');
    s.toggle('b');
    expect(s.list()).toEqual(['a', 'b']);
    expect(s.anchorId).toBe('b');
    s.toggle('a');
    expect(s.list()).toEqual(['b']);
    s.selectRange(['c', 'd'], true);
    expect(s.list()).toEqual(['b', 'c', 'd']);
    s.selectRange(['x'], false);
    expect(s.list()).toEqual(['x']);
    s.toggle('y');
    s.remove(['y']);
    expect(s.list()).toEqual(['x']);
    expect(s.anchorId).toBeUndefined();
  });
});

describe('cells', () => {
  const now = Date.UTC(2026, 0, 2, 12, 0, 0);
  const col = (id: string) => logsColumns(['q']).find((c) => c.id === id)!;

  it('formats each column for reading', () => {
    const t = summary({
      start_time: '2026-01-02T03:00:00.000000Z',
      durationMs: 2345,
      usage: { total_tokens: 12_345 },
      total_estimated_cost: 0.0123,
      scores: { q: 2 / 3 },
      span_count: 1500,
      tags: ['a', 'b'],
    });
    expect(cellText(col('duration'), t, now)).toBe('2.35 s');
    expect(cellText(col('tokens'), t, now)).toBe('12k');
    expect(cellText(col('spans'), t, now)).toBe('1.5k');
    expect(cellText(col('cost'), t, now)).toBe('$0.0123');
    expect(cellText(col('score:q'), t, now)).toBe('0.67');
    expect(cellText(col('tags'), t, now)).toBe('a, b');
    expect(cellText(col('status'), t, now)).toBe('ok');
    expect(cellText(col('score:q'), summary(), now)).toBe('');
  });

  it('shows a running trace’s duration as time since it started', () => {
    const t = summary({ start_time: new Date(now - 65_000).toISOString().replace('Z', '000Z') });
    expect(cellText(col('duration'), t, now)).toBe('1m 05s');
  });

  it('shows today’s start as a time and older ones with the date', () => {
    const local = new Date(now);
    expect(formatStart(local.toISOString(), now)).toMatch(/^\d{2}:\d{2}:\d{2}$/);
    expect(formatStart(new Date(now - 3 * 86_400_000).toISOString(), now)).toMatch(
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/,
    );
  });
});

describe('monitor chart data', () => {
  const result: MonitorResult = {
    from: '2026-01-02T03:00:00.000000Z',
    to: '2026-01-02T03:02:00.000000Z',
    bucket_ms: 60_000,
    score_names: ['user_feedback'],
    buckets: [
      {
        start: '2026-01-02T03:00:00.000000Z',
        end: '2026-01-02T03:01:00.000000Z',
        trace_count: 4,
        running_count: 1,
        error_count: 1,
        error_rate: 0.25,
        latency_p50_ms: 200,
        latency_p95_ms: 300,
        ttft_p50_ms: 40,
        ttft_p95_ms: 90,
        prompt_tokens: 70,
        completion_tokens: 45,
        total_tokens: 115,
        cost: 0.3,
        scores: { user_feedback: { avg: 0.75, count: 4 } },
      },
      {
        start: '2026-01-02T03:01:00.000000Z',
        end: '2026-01-02T03:02:00.000000Z',
        trace_count: 0,
        running_count: 0,
        error_count: 0,
        error_rate: null,
        latency_p50_ms: null,
        latency_p95_ms: null,
        ttft_p50_ms: null,
        ttft_p95_ms: null,
        prompt_tokens: 0,
        completion_tokens: 0,
        total_tokens: 0,
        cost: 0,
        scores: {},
      },
    ],
  };

  it('makes one chart per measure and per score, with gaps where a bucket has no value', () => {
    const specs = chartSpecs(result);
    expect(specs.map((s) => s.id)).toEqual(['traces', 'latency', 'ttft', 'tokens', 'score:user_feedback']);
    expect(specs.find((s) => s.id === 'ttft')!.series.map((x) => [x.label, x.values])).toEqual([
      ['p50', [40, null]],
      ['p95', [90, null]],
    ]);
    expect(specs[0].x).toEqual([Date.UTC(2026, 0, 2, 3, 0) / 1000, Date.UTC(2026, 0, 2, 3, 1) / 1000]);
    expect(specs[0].series.map((s) => [s.label, s.values])).toEqual([
      ['traces', [4, 0]],
      ['error rate', [0.25, null]],
    ]);
    expect(specs[1].series.map((s) => s.values)).toEqual([
      [200, null],
      [300, null],
    ]);
    expect(specs[3].series.map((s) => s.values)).toEqual([
      [115, 0],
      [0.3, 0],
    ]);
    expect(specs[4].series[0].values).toEqual([0.75, null]);
    expect(specs[0].series[1].format(0.25)).toBe('25%');
    expect(specs[1].series[1].format(2500)).toBe('2.50 s');
  });

  it('draws nothing but axes for an empty range', () => {
    const specs = chartSpecs({ ...result, buckets: [], score_names: [] });
    expect(specs).toHaveLength(4);
    expect(specs.every((s) => s.x.length === 0)).toBe(true);
  });
});

describe('shared panel state', () => {
  it('keeps the tabs’ state when the trace view saves its own, and the other way round', () => {
    let saved: UiState & { tabs?: unknown } = { traceId: 't1', tabs: { tab: 'logs', logsFilter: 'status:error' } };
    const base = { load: () => saved, save: (s: UiState) => void (saved = s) };
    const { app, tabs } = splitStorage(base);
    expect(app.load().traceId).toBe('t1');
    expect(tabs.load()).toEqual({ tab: 'logs', logsFilter: 'status:error' });
    app.save({ traceId: 't2' });
    expect(saved).toEqual({ traceId: 't2', tabs: { tab: 'logs', logsFilter: 'status:error' } });
    tabs.save({ tab: 'monitor' });
    expect(saved).toEqual({ traceId: 't2', tabs: { tab: 'monitor' } });
    app.save({ traceId: 't3' });
    expect(saved).toEqual({ traceId: 't3', tabs: { tab: 'monitor' } });
  });
});
