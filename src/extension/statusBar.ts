// The status bar item: where the collector listens, how many traces, a spinner while one
// runs, a clear error with a way out when it could not start, and a warning while the store
// can not write (statusText.ts says what, from the store's health).

import * as vscode from 'vscode';
import type { TraceStoreApi } from '../store/types';
import type { CollectorService } from './collector/collectorService';
import { Commands } from './constants';
import { Disposable, toDisposable } from './lifecycle';
import { statusView } from './statusBarModel';
import { Throttle } from './throttle';
import { TraceCounter } from './traceCounter';

class StatusBar extends Disposable {
  private readonly item = this._register(
    vscode.window.createStatusBarItem('spanscope.status', vscode.StatusBarAlignment.Left, 50),
  );
  private counter?: TraceCounter;
  private store?: TraceStoreApi;
  private readonly redraw = this._register(new Throttle(() => this.render(), 250));

  constructor(private readonly service: CollectorService) {
    super();
    this.item.name = 'Spanscope';
    this._register(service.onDidChangeState(() => this.render()));
    this._register(
      service.whenStoreOpen((store) => {
        this.store = store;
        if (store.onHealthChange) this._register(toDisposable(store.onHealthChange(() => this.render())));
        const counter = (this.counter = new TraceCounter(store));
        this._register(
          toDisposable(
            store.onChange((c) => {
              counter.apply(c);
              this.redraw.schedule();
            }),
          ),
        );
        this.render();
      }),
    );
    this.render();
    this.item.show();
  }

  private render(): void {
    const view = statusView(this.service.state, this.counter?.counts(), this.store?.health?.());
    this.item.text = view.text;
    const tooltip = new vscode.MarkdownString(view.tooltip);
    tooltip.isTrusted = false;
    this.item.tooltip = tooltip;
    this.item.backgroundColor =
      view.severity === 'normal'
        ? undefined
        : new vscode.ThemeColor(
            view.severity === 'error' ? 'statusBarItem.errorBackground' : 'statusBarItem.warningBackground',
          );
    this.item.command =
      view.action === 'problem'
        ? Commands.showCollectorProblem
        : view.action === 'start'
          ? Commands.restartCollector
          : Commands.openTraces;
    this.item.accessibilityInformation = { label: view.text.replace(/\$\([^)]*\)\s*/g, '') };
  }
}

export function registerStatusBar(service: CollectorService): vscode.Disposable[] {
  return [new StatusBar(service)];
}
