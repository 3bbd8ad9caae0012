// The Compare tab's table as text: one row per aligned pair of spans (core/compare/alignTraces.ts),
// each side's duration, tokens, cost and status, and the deltas right − left. Pure, so what a
// user reads is tested without a page.

import type { AlignedRow, TraceAlignment } from '../../src/core/compare/alignTraces';
import { tokensOf } from '../../src/core/compare/alignTraces';
import type { Span } from '../../src/core/model/model';

export interface CompareCells {
  name: string;
  depth: number;
  change: AlignedRow['change'];
  left: string;
  right: string;
  /** `+320 ms · +60 tok · +$0.0006`, or '' when nothing differs or a side is missing. */
  delta: string;
  status: string;
  /** Both sides exist: a diff of the pair makes sense. */
  diffable: boolean;
  leftSpanId?: string;
  rightSpanId?: string;
}

export function compareCells(a: TraceAlignment): CompareCells[] {
  return a.rows.map((row) => ({
    name: row.path[row.path.length - 1] || '(unnamed)',
    depth: row.depth,
    change: row.change,
    left: row.left ? sideText(row.left) : '—',
    right: row.right ? sideText(row.right) : '—',
    delta: deltaText(row.delta),
    status:
      row.left && row.right
        ? row.left.status === row.right.status
          ? row.left.status
          : `${row.left.status} → ${row.right.status}`
        : row.left
          ? 'only left'
          : 'only right',
    diffable: !!(row.left && row.right),
    ...(row.left ? { leftSpanId: row.left.id } : {}),
    ...(row.right ? { rightSpanId: row.right.id } : {}),
  }));
}

/** The header line: both traces' totals and the deltas. */
export function totalsText(a: TraceAlignment): { left: string; right: string; delta: string } {
  const side = (t: TraceAlignment['left']) =>
    [
      t.name,
      t.status,
      t.duration_ms === null ? 'running' : ms(t.duration_ms),
      t.tokens ? `${t.tokens} tok` : '',
      t.cost ? usd(t.cost) : '',
      `${t.span_count} spans`,
    ]
      .filter(Boolean)
      .join(' · ');
  return {
    left: side(a.left),
    right: side(a.right),
    delta: deltaText({ duration_ms: a.delta.duration_ms, tokens: a.delta.tokens, cost: a.delta.cost }),
  };
}

function sideText(s: Span): string {
  const tokens = tokensOf(s);
  return [
    s.duration_ms === null ? 'running' : ms(s.duration_ms),
    tokens ? `${tokens} tok` : '',
    s.total_estimated_cost ? usd(s.total_estimated_cost) : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

function deltaText(d: { duration_ms: number | null; tokens: number | null; cost: number | null }): string {
  const parts: string[] = [];
  if (d.duration_ms !== null && d.duration_ms !== 0) parts.push(`${sign(d.duration_ms)}${ms(Math.abs(d.duration_ms))}`);
  if (d.tokens !== null && d.tokens !== 0) parts.push(`${sign(d.tokens)}${Math.abs(d.tokens)} tok`);
  if (d.cost !== null && d.cost !== 0) parts.push(`${sign(d.cost)}${usd(Math.abs(d.cost))}`);
  return parts.join(' · ');
}

function sign(n: number): string {
  return n < 0 ? '−' : '+';
}

function ms(n: number): string {
  return n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(2)} s`;
}

function usd(n: number): string {
  return n >= 0.01 ? `$${n.toFixed(3)}` : `$${n.toPrecision(2)}`;
}
