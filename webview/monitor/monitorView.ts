// The Monitor tab: how a project behaves over a time range, as charts: traces and error
// rate, latency p50/p95, tokens and cost, and the average of each feedback score. The host
// (or the collector) buckets the traces; this view only draws ~100 points per series. It
// redraws when the range or project changes, when traces change (at most every few seconds),
// and when the theme changes. Clicking a bucket shows its traces in the Logs tab.

import type { MonitorResult } from '../../src/core/queries/monitor';
import { parseInstantText } from '../../src/core/queries/timeText';
import { ChangesNotification, ListProjects, QueryMonitor, type MonitorReply } from '../../src/shared/protocol';
import { iconButton, textButton } from '../components/button';
import { dropdown, type Dropdown } from '../components/dropdown';
import { textField } from '../components/textField';
import type { TabsStorage } from '../state/panelState';
import type { HostConnection } from '../transport/connection';
import { errorText } from '../trace/details/sourceLink';
import { h, setText } from '../components/dom';
import { drawChart } from './chart';
import { chartSpecs } from './chartData';
import { onThemeChange, readChartTheme } from './theme';
import type uPlot from 'uplot';

export interface MonitorViewOptions {
  conn: HostConnection;
  storage: TabsStorage;
  /** A bucket was clicked: show the traces that started in [start, end) (of the project, if one is chosen). */
  onBucket(start: string, end: string, project: string | undefined): void;
}

const RANGES: { value: string; label: string; ms: number }[] = [
  { value: '1h', label: 'Last hour', ms: 3_600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
  { value: 'custom', label: 'Custom range…', ms: 0 },
];
const ALL_PROJECTS = '';
const CHANGE_REFRESH_MS = 3000;
const CLOCK_REFRESH_MS = 30_000;
const CHART_HEIGHT = 190;

export class MonitorView {
  readonly element: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly message: HTMLElement;
  private readonly projectSlot: HTMLElement;
  private readonly customBox: HTMLElement;
  private readonly fromField;
  private readonly toField;
  private projectPicker: Dropdown | undefined;
  private readonly rangePicker: Dropdown;
  private project: string;
  private range: string;
  private custom: { from: number; to: number } | undefined;
  private charts: uPlot[] = [];
  private result: MonitorReply | undefined;
  private visible = false;
  private dirty = true;
  private changeTimer: ReturnType<typeof setTimeout> | undefined;
  private loadSeq = 0;

  constructor(private readonly o: MonitorViewOptions) {
    const saved = o.storage.load();
    this.project = saved.monitorProject ?? ALL_PROJECTS;
    this.range = saved.monitorRange && RANGES.some((r) => r.value === saved.monitorRange) ? saved.monitorRange : '24h';
    this.projectSlot = h('span', { class: 'monitor-project' });
    this.rangePicker = dropdown({
      options: RANGES.map(({ value, label }) => ({ value, label })),
      value: this.range,
      ariaLabel: 'Time range',
      className: 'monitor-range',
      onChange: (v) => this.setRange(v),
    });
    this.fromField = textField({
      ariaLabel: 'From (UTC unless an offset is given)',
      placeholder: 'from: 2026-01-02T10:00',
      className: 'monitor-from',
    });
    this.toField = textField({
      ariaLabel: 'To (UTC unless an offset is given)',
      placeholder: 'to: 2026-01-02T12:00',
      className: 'monitor-to',
    });
    this.customBox = h(
      'span',
      { class: 'monitor-custom' },
      this.fromField.element,
      this.toField.element,
      textButton({ label: 'Apply', appearance: 'secondary', onClick: () => this.applyCustom() }),
    );
    this.customBox.hidden = this.range !== 'custom';
    this.summary = h('span', { class: 'monitor-summary', attrs: { role: 'status' } });
    const toolbar = h(
      'div',
      { class: 'monitor-toolbar' },
      this.projectSlot,
      this.rangePicker.element,
      this.customBox,
      iconButton({ icon: 'refresh', label: 'Refresh', onClick: () => void this.load() }),
      this.summary,
    );
    this.message = h('div', { class: 'monitor-message' });
    this.message.hidden = true;
    this.grid = h('div', { class: 'monitor-grid' });
    this.element = h(
      'section',
      { class: 'monitor-view', attrs: { 'aria-label': 'Monitor' } },
      toolbar,
      this.message,
      this.grid,
    );
    this.renderProjects([]);
    o.conn.onNotification(ChangesNotification, () => this.changed());
    onThemeChange(() => this.redraw());
    new ResizeObserver(() => this.resize()).observe(this.grid);
    setInterval(() => {
      if (this.visible && this.range !== 'custom') void this.load();
    }, CLOCK_REFRESH_MS);
  }

  show(): void {
    this.visible = true;
    if (this.dirty) void this.load();
    void this.loadProjects();
  }

  hide(): void {
    this.visible = false;
  }

  private setRange(value: string): void {
    this.range = value;
    this.customBox.hidden = value !== 'custom';
    this.save();
    if (value !== 'custom') void this.load();
    else if (!this.custom) this.fromField.focus();
  }

  private applyCustom(): void {
    const from = parseInstantText(this.fromField.value);
    const to = this.toField.value.trim() ? parseInstantText(this.toField.value) : Date.now() * 1000;
    if (from === undefined || to === undefined)
      return this.showMessage('Give the range as times such as 2026-01-02T10:00 (UTC unless an offset is given).');
    if (to <= from) return this.showMessage('The end of the range must be after its start.');
    this.custom = { from: from / 1000, to: to / 1000 };
    void this.load();
  }

  private window(): { from: number; to: number } | undefined {
    if (this.range === 'custom') return this.custom;
    const to = Date.now();
    return { from: to - (RANGES.find((r) => r.value === this.range)?.ms ?? 86_400_000), to };
  }

  private save(): void {
    this.o.storage.save({
      ...this.o.storage.load(),
      monitorRange: this.range,
      monitorProject: this.project || undefined,
    });
  }

  private changed(): void {
    this.dirty = true;
    if (!this.visible || this.changeTimer) return;
    this.changeTimer = setTimeout(() => {
      this.changeTimer = undefined;
      if (this.visible) void this.load();
    }, CHANGE_REFRESH_MS);
  }

  private async loadProjects(): Promise<void> {
    try {
      const { projects } = await this.o.conn.request(ListProjects, {});
      this.renderProjects(projects.map((p) => p.name));
    } catch {
      // The chart still works for all projects.
    }
  }

  private renderProjects(names: string[]): void {
    const all = [...new Set([...names, ...(this.project ? [this.project] : [])])].sort((a, b) => a.localeCompare(b));
    const key = all.join('\n');
    if (this.projectPicker && this.projectSlot.dataset.key === key) return;
    this.projectSlot.dataset.key = key;
    this.projectPicker = dropdown({
      options: [{ value: ALL_PROJECTS, label: 'All projects' }, ...all.map((n) => ({ value: n, label: n }))],
      value: this.project,
      ariaLabel: 'Project',
      onChange: (v) => {
        this.project = v;
        this.save();
        void this.load();
      },
    });
    this.projectSlot.replaceChildren(this.projectPicker.element);
  }

  private async load(): Promise<void> {
    const range = this.window();
    if (!range) return;
    const seq = ++this.loadSeq;
    this.dirty = false;
    try {
      const result = await this.o.conn.request(QueryMonitor, {
        project: this.project || undefined,
        from: range.from,
        to: range.to,
      });
      if (seq !== this.loadSeq) return;
      this.result = result;
      this.showMessage(undefined);
      this.redraw();
    } catch (err) {
      if (seq === this.loadSeq) this.showMessage(`Could not load the monitor: ${errorText(err)}`);
    }
  }

  private showMessage(text: string | undefined): void {
    this.message.hidden = text === undefined;
    setText(this.message, text ?? '');
  }

  private redraw(): void {
    for (const c of this.charts) c.destroy();
    this.charts = [];
    const result = this.result;
    if (!result) return this.grid.replaceChildren();
    this.paintSummary(result);
    const theme = readChartTheme();
    const width = this.chartWidth();
    const boxes = chartSpecs(result).map((spec) => {
      const box = h('div', { class: 'monitor-chart', attrs: { 'data-chart': spec.id } });
      this.charts.push(
        drawChart(box, spec, {
          width,
          height: CHART_HEIGHT,
          theme,
          syncKey: 'spanscope-monitor',
          onPick: (i) => this.pick(result, i),
        }),
      );
      return box;
    });
    this.grid.replaceChildren(...boxes);
  }

  private chartWidth(): number {
    const total = this.grid.clientWidth || this.element.clientWidth || 800;
    const columns = total >= 900 ? 2 : 1;
    return Math.max(240, Math.floor((total - (columns - 1) * 12) / columns) - 2);
  }

  private resize(): void {
    const width = this.chartWidth();
    for (const c of this.charts) if (Math.abs(c.width - width) > 2) c.setSize({ width, height: CHART_HEIGHT });
  }

  private paintSummary(r: MonitorResult): void {
    let traces = 0;
    let errors = 0;
    let cost = 0;
    for (const b of r.buckets) {
      traces += b.trace_count;
      errors += b.error_count;
      cost += b.cost;
    }
    const bucket =
      r.bucket_ms >= 3_600_000
        ? `${r.bucket_ms / 3_600_000} h`
        : r.bucket_ms >= 60_000
          ? `${r.bucket_ms / 60_000} min`
          : `${r.bucket_ms / 1000} s`;
    const parts = [`${traces.toLocaleString('en')} traces`, `${errors.toLocaleString('en')} errors`];
    if (cost > 0) parts.push(`$${cost.toFixed(cost < 1 ? 4 : 2)}`);
    parts.push(`buckets of ${bucket}`);
    setText(this.summary, parts.join(' · '));
    if (traces === 0) this.showMessage('No traces in this range.');
  }

  private pick(result: MonitorResult, index: number): void {
    const b = result.buckets[index];
    if (b) this.o.onBucket(b.start, b.end, this.project || undefined);
  }
}
