// The Compare tab: two traces side by side, their spans aligned by name path (the same
// function called at the same place in both), each pair's duration, tokens, cost and status
// with the deltas, and in VS Code a Diff button that opens the editor's diff of the pair.
// Span names and values reach the page as text only (dom.ts).

import { alignTraces } from '../../src/core/compare/alignTraces';
import { GetTrace, OpenSpanDiff, type HostInfo } from '../../src/shared/protocol';
import { textButton } from '../components/button';
import type { HostConnection } from '../transport/connection';
import { h } from '../components/dom';
import { compareCells, totalsText } from './compareRows';

export interface CompareViewOptions {
  conn: HostConnection;
  info(): HostInfo | undefined;
  notify(message: string, kind?: 'error'): void;
}

export class CompareView {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;

  constructor(private readonly o: CompareViewOptions) {
    this.body = h(
      'div',
      { class: 'compare-body' },
      h('p', {
        class: 'compare-empty',
        text: 'Run “Spanscope: Compare With…” on a trace (in the Traces view or the palette) to see two traces side by side here.',
      }),
    );
    this.element = h('section', { class: 'compare-view', attrs: { 'aria-label': 'Compare traces' } }, this.body);
  }

  async show(leftTraceId: string, rightTraceId: string): Promise<void> {
    this.body.replaceChildren(h('p', { class: 'compare-empty', text: 'Loading the two traces…' }));
    const [left, right] = await Promise.all([
      this.o.conn.request(GetTrace, { traceId: leftTraceId }),
      this.o.conn.request(GetTrace, { traceId: rightTraceId }),
    ]);
    if (!left || !right) {
      this.body.replaceChildren(h('p', { class: 'compare-empty', text: 'One of the two traces is no longer stored.' }));
      return;
    }
    const alignment = alignTraces(left, right);
    const totals = totalsText(alignment);
    const canDiff = this.o.info()?.host === 'vscode';
    const diff = (title: string, l: { spanId?: string; label: string }, r: { spanId?: string; label: string }) =>
      this.o.conn
        .request(OpenSpanDiff, { left: { traceId: leftTraceId, ...l }, right: { traceId: rightTraceId, ...r }, title })
        .catch((err: Error) => this.o.notify(`Could not open the diff: ${err.message}`, 'error'));
    const head = h(
      'div',
      { class: 'compare-head' },
      h('div', { class: 'compare-side', text: `Left: ${totals.left}` }),
      h('div', { class: 'compare-side', text: `Right: ${totals.right}` }),
      h('div', { class: 'compare-delta', text: totals.delta ? `Δ ${totals.delta}` : 'Δ none' }),
      canDiff
        ? textButton({
            label: 'Diff whole traces',
            appearance: 'secondary',
            onClick: () =>
              void diff(
                `${left.trace.name} ↔ ${right.trace.name}`,
                { label: `${left.trace.name} (left)` },
                { label: `${right.trace.name} (right)` },
              ),
          })
        : null,
    );
    const rows = compareCells(alignment).map((c) =>
      h(
        'tr',
        { class: `compare-row is-${c.change}`, attrs: { 'data-name': c.name } },
        h('td', { class: 'compare-name', attrs: { style: `padding-left: ${8 + c.depth * 14}px` }, text: c.name }),
        h('td', { class: 'compare-left', text: c.left }),
        h('td', { class: 'compare-right', text: c.right }),
        h('td', { class: 'compare-delta', text: c.delta }),
        h('td', { class: 'compare-status', text: c.status }),
        h(
          'td',
          null,
          canDiff && c.diffable
            ? textButton({
                label: 'Diff',
                appearance: 'secondary',
                className: 'compare-diff',
                onClick: () =>
                  void diff(
                    `${c.name}: left ↔ right`,
                    { spanId: c.leftSpanId, label: `${c.name} (left)` },
                    { spanId: c.rightSpanId, label: `${c.name} (right)` },
                  ),
              })
            : null,
        ),
      ),
    );
    const table = h(
      'table',
      { class: 'compare-table' },
      h(
        'thead',
        null,
        h('tr', null, ...['Span', 'Left', 'Right', 'Δ (right − left)', 'Status', ''].map((t) => h('th', { text: t }))),
      ),
      h('tbody', null, ...rows),
    );
    this.body.replaceChildren(head, table);
  }
}
