// One monitor chart, drawn with uPlot (small, fast, canvas): bars for counts, lines for rates
// and percentiles, an axis on each side when two measures share a chart. Hovering shows every
// series' value at that bucket in the legend (in every chart of the same sync key); clicking
// picks the bucket. Labels come from our own text or score names, which uPlot sets as text
// (never HTML).

import uPlot from 'uplot';
import { isolatedPoints, type ChartSpec } from './chartData';
import type { ChartTheme } from './theme';

export interface ChartOptions {
  width: number;
  height: number;
  theme: ChartTheme;
  /** The bucket under the pointer was clicked. */
  onPick(index: number): void;
  /** Charts with the same key hover together: pointing at a bucket in one shows it in all. */
  syncKey?: string;
}

export function drawChart(target: HTMLElement, spec: ChartSpec, o: ChartOptions): uPlot {
  const { theme } = o;
  const axis = (side: 'left' | 'right', label: string, format?: (v: number) => string): uPlot.Axis => ({
    scale: side === 'left' ? 'y' : 'y2',
    side: side === 'left' ? 3 : 1,
    label,
    stroke: theme.foreground,
    font: theme.font,
    labelFont: theme.font,
    grid: { show: side === 'left', stroke: theme.grid, width: 1 },
    ticks: { stroke: theme.grid, width: 1 },
    size: 56,
    values: format ? (_u, values) => values.map((v) => (v == null ? '' : format(v))) : undefined,
  });
  const right = spec.series.find((s) => s.axis === 'right');
  const opts: uPlot.Options = {
    title: spec.title,
    width: o.width,
    height: o.height,
    cursor: { points: { size: 7 }, drag: { x: false, y: false }, ...(o.syncKey ? { sync: { key: o.syncKey } } : {}) },
    legend: { live: true },
    scales: {
      x: { time: true },
      y: { auto: true, range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] },
      y2: { auto: true, range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] },
    },
    axes: [
      {
        stroke: theme.foreground,
        font: theme.font,
        grid: { stroke: theme.grid, width: 1 },
        ticks: { stroke: theme.grid, width: 1 },
      },
      axis('left', spec.leftLabel),
      ...(right ? [axis('right', spec.rightLabel ?? '', right.format)] : []),
    ],
    series: [
      { label: 'time', value: (_u, v) => (v == null ? '' : new Date(v * 1000).toLocaleString()) },
      ...spec.series.map(
        (s): uPlot.Series => ({
          label: s.label,
          scale: s.axis === 'left' ? 'y' : 'y2',
          stroke: theme.colors[s.color],
          fill: s.kind === 'bars' ? withAlpha(theme.colors[s.color], 0.45) : undefined,
          width: s.kind === 'bars' ? 1 : 2,
          paths: s.kind === 'bars' ? uPlot.paths.bars!({ size: [0.7, 60], align: 1 }) : undefined,
          points: { show: s.kind === 'line', size: 4, filter: isolatedPoints(s.values) },
          spanGaps: false,
          value: (_u, v) => (v == null ? '–' : s.format(v)),
        }),
      ),
    ],
    hooks: {
      ready: [
        (u) => {
          u.over.addEventListener('click', () => {
            const idx = u.cursor.idx;
            if (idx != null) o.onPick(idx);
          });
        },
      ],
    },
  };
  const data: uPlot.AlignedData = [spec.x, ...spec.series.map((s) => s.values)];
  return new uPlot(opts, data, target);
}

/** `#rrggbb` or `rgb(…)` with an alpha; other colour forms are returned as they are. */
function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(color.trim());
  if (hex) {
    const n = parseInt(hex[1], 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }
  const rgb = /^rgb\(([^)]+)\)$/i.exec(color.trim());
  return rgb ? `rgba(${rgb[1]}, ${alpha})` : color;
}
