// The panel's tabs: the trace view (the App), the Logs table, the Monitor and (in VS Code,
// where Compare With… opens it) the Compare view, in one page for both hosts. Only the visible tab does work: Logs and Monitor load when first shown
// and catch up when shown again. A click in Logs opens the trace in the trace view; a click
// on a monitor bucket filters Logs to that bucket's time range. Open Dataset (VS Code) shows
// a dataset file in the Logs tab.

import { fieldTerm, timeRangeTerm } from '../src/core/queries/filterTerms';
import { ShowCompare, ShowDataset } from '../src/shared/protocol';
import { App, type AppOptions } from './app';
import { CompareView } from './compare/compareView';
import { tabStrip, type TabStrip } from './components/tabStrip';
import { LogsView } from './logs/logsView';
import { MonitorView } from './monitor/monitorView';
import { splitStorage, type TabId } from './state/panelState';
import type { StateStorage } from './state/uiState';
import type { HostConnection } from './transport/connection';
import { h } from './components/dom';
import { StatusLine, type StatusKind } from './shell/statusLine';

export class PanelTabs {
  readonly app: App;
  private readonly logs: LogsView;
  private readonly monitor: MonitorView;
  private readonly compare: CompareView;
  private readonly strip: TabStrip<TabId>;
  private readonly panels: Record<TabId, HTMLElement>;
  private readonly toast = new StatusLine();
  private current: TabId;
  private readonly saveTab: (tab: TabId) => void;

  constructor(root: HTMLElement, conn: HostConnection, storage: StateStorage, appOptions: AppOptions = {}) {
    const { app, tabs } = splitStorage(storage);
    this.current = tabs.load().tab ?? 'traces';
    this.saveTab = (tab) => tabs.save({ ...tabs.load(), tab });
    const panel = (id: TabId, className: string) =>
      h('div', {
        class: `tab-panel ${className}`,
        attrs: { id: `tab-panel-${id}`, role: 'tabpanel', 'aria-labelledby': `tab-${id}` },
      });
    this.panels = {
      traces: panel('traces', 'traces-panel'),
      logs: panel('logs', 'logs-panel'),
      monitor: panel('monitor', 'monitor-panel'),
      compare: panel('compare', 'compare-panel'),
    };
    this.strip = tabStrip<TabId>({
      tabs: [
        { id: 'traces', label: 'Trace', icon: 'list-tree' },
        { id: 'logs', label: 'Logs', icon: 'table' },
        { id: 'monitor', label: 'Monitor', icon: 'graph-line' },
        { id: 'compare', label: 'Compare', icon: 'diff' },
      ],
      selected: this.current,
      ariaLabel: 'Spanscope views',
      onSelect: (id) => this.select(id),
    });
    root.replaceChildren(
      this.strip.element,
      this.panels.traces,
      this.panels.logs,
      this.panels.monitor,
      this.panels.compare,
      this.toast.element,
    );
    root.classList.add('tabbed');

    this.app = new App(this.panels.traces, conn, app, appOptions);
    this.logs = new LogsView({
      conn,
      info: () => this.app.hostInfo,
      storage: tabs,
      notify: (m, kind) => this.notify(m, kind),
      openTrace: (id, spanId) => {
        this.select('traces');
        void this.app.openTrace(id, spanId);
      },
    });
    this.monitor = new MonitorView({
      conn,
      storage: tabs,
      onBucket: (start, end, project) => {
        const range = timeRangeTerm(start, end);
        this.logs.setFilter(project ? `${fieldTerm('project', project)} ${range}` : range);
        this.select('logs');
      },
    });
    this.compare = new CompareView({ conn, info: () => this.app.hostInfo, notify: (m, kind) => this.notify(m, kind) });
    conn.onNotification(ShowCompare, (p) => {
      this.select('compare');
      void this.compare
        .show(p.leftTraceId, p.rightTraceId)
        .catch((err: Error) => this.notify(`Could not compare the traces: ${err.message}`, 'error'));
    });
    conn.onNotification(ShowDataset, (p) => {
      this.logs.showDataset(p.uri);
      this.select('logs');
    });
    root.removeAttribute('aria-busy');
    this.panels.logs.append(this.logs.element);
    this.panels.monitor.append(this.monitor.element);
    this.panels.compare.append(this.compare.element);
    this.select(this.current);
  }

  start(): Promise<void> {
    return this.app.start();
  }

  select(tab: TabId): void {
    this.current = tab;
    this.strip.select(tab);
    for (const [id, el] of Object.entries(this.panels) as [TabId, HTMLElement][]) el.hidden = id !== tab;
    if (tab === 'logs') this.logs.show();
    else this.logs.hide();
    if (tab === 'monitor') this.monitor.show();
    else this.monitor.hide();
    this.saveTab(tab);
  }

  private notify(message: string, kind?: StatusKind): void {
    this.toast.show(message, kind);
  }
}
