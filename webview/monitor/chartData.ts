// The monitor's reply turned into what each chart draws: one x value per bucket (its start,
// in seconds, as uPlot wants) and one array per series, `null` where a bucket has no value
// (no finished trace for latency, no score given) so the line breaks instead of dropping to 0.

import type { MonitorBucket, MonitorResult } from '../../src/core/queries/monitor';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** Which axis it is read against: the left one, or the right one (a rate, a cost). */
  axis: 'left' | 'right';
  /** A key into the theme's chart colours. */
  color: ChartColor;
  kind: 'bars' | 'line';
  format(v: number): string;
}

export type ChartColor = 'blue' | 'red' | 'green' | 'yellow' | 'orange' | 'purple';

export interface ChartSpec {
  id: string;
  title: string;
  /** Bucket starts, epoch seconds. */
  x: number[];
  series: ChartSeries[];
  leftLabel: string;
  rightLabel?: string;
}

const COLORS: ChartColor[] = ['blue', 'green', 'orange', 'purple', 'yellow', 'red'];

export function chartSpecs(result: MonitorResult): ChartSpec[] {
  const b = result.buckets;
  const x = b.map((bucket) => Date.parse(bucket.start) / 1000);
  const specs: ChartSpec[] = [
    {
      id: 'traces',
      title: 'Traces and error rate',
      x,
      leftLabel: 'traces',
      rightLabel: 'error rate',
      series: [
        {
          label: 'traces',
          values: b.map((k) => k.trace_count),
          axis: 'left',
          color: 'blue',
          kind: 'bars',
          format: (v) => String(Math.round(v)),
        },
        {
          label: 'error rate',
          values: b.map((k) => k.error_rate),
          axis: 'right',
          color: 'red',
          kind: 'line',
          format: percent,
        },
      ],
    },
    percentilesChart(
      'latency',
      'Latency',
      x,
      b.map((k) => k.latency_p50_ms),
      b.map((k) => k.latency_p95_ms),
    ),
    percentilesChart(
      'ttft',
      'Time to first token',
      x,
      b.map((k) => k.ttft_p50_ms),
      b.map((k) => k.ttft_p95_ms),
    ),
    {
      id: 'tokens',
      title: 'Tokens and cost',
      x,
      leftLabel: 'tokens',
      rightLabel: 'USD',
      series: [
        {
          label: 'tokens',
          values: b.map((k) => k.total_tokens),
          axis: 'left',
          color: 'purple',
          kind: 'bars',
          format: (v) => String(Math.round(v)),
        },
        { label: 'cost', values: b.map((k) => k.cost), axis: 'right', color: 'yellow', kind: 'line', format: usd },
      ],
    },
  ];
  result.score_names.forEach((name, i) => {
    specs.push({
      id: `score:${name}`,
      title: `Average ${name}`,
      x,
      leftLabel: 'average',
      series: [
        {
          label: name,
          values: b.map((k) => scoreAverage(k, name)),
          axis: 'left',
          color: COLORS[i % COLORS.length],
          kind: 'line',
          format: (v) => String(Math.round(v * 1000) / 1000),
        },
      ],
    });
  });
  return specs;
}

/** p50 and p95 of a duration, in ms, as two lines. */
function percentilesChart(
  id: string,
  title: string,
  x: number[],
  p50: (number | null)[],
  p95: (number | null)[],
): ChartSpec {
  return {
    id,
    title,
    x,
    leftLabel: 'ms',
    series: [
      { label: 'p50', values: p50, axis: 'left', color: 'green', kind: 'line', format: millis },
      { label: 'p95', values: p95, axis: 'left', color: 'orange', kind: 'line', format: millis },
    ],
  };
}

function scoreAverage(bucket: MonitorBucket, name: string): number | null {
  return bucket.scores[name]?.avg ?? null;
}

function percent(v: number): string {
  return `${Math.round(v * 1000) / 10}%`;
}

function millis(v: number): string {
  return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`;
}

function usd(v: number): string {
  return v === 0 ? '$0' : v < 0.01 ? `$${v.toFixed(4)}` : `$${v.toFixed(2)}`;
}

/** The bucket [start, end) the x value (seconds) of a clicked point falls in. */
export function bucketAt(result: MonitorResult, index: number): { start: string; end: string } | undefined {
  const b = result.buckets[index];
  return b && { start: b.start, end: b.end };
}

/**
 * Where a line series needs a dot: values with no value on either side, which a line can not
 * draw. Dots everywhere turned a long run of zero cost into a dotted rule across the chart.
 */
export function isolatedPoints(values: readonly (number | null)[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (values[i] != null && values[i - 1] == null && values[i + 1] == null) out.push(i);
  }
  return out;
}
