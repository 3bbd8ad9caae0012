// What the status bar item says in each state of the collector. Pure, so every state's text
// is unit-tested; `statusBar.ts` only copies the result onto the item.

import type { StoreHealth } from '../store/types';
import type { CollectorState } from './collector/collectorService';
import { escapeMarkdown } from './markdown';

export interface StatusCounts {
  traces: number;
  running: number;
}

export interface StatusView {
  text: string;
  /** Markdown (our own text only: no span data reaches the status bar). */
  tooltip: string;
  severity: 'normal' | 'warning' | 'error';
  /** Which kind of click action fits: open the traces, or explain the problem. */
  action: 'open' | 'problem' | 'start';
}

export function statusView(state: CollectorState, counts: StatusCounts | undefined, health?: StoreHealth): StatusView {
  // The store can not write: what a script sends now is refused (507), and what it sent
  // lately is only in memory. Said before anything else, whatever the collector's phase.
  if (health?.status === 'degraded') {
    const held = health.unwritten
      ? `${plural(health.unwritten, 'record')} received are kept in memory until then; `
      : '';
    return {
      text: '$(warning) Spanscope: can not save traces',
      tooltip: `**Spanscope** can not write its trace store: ${escapeMarkdown(health.reason)} (since ${escapeMarkdown(health.since)}).\n\nIt retries; ${held}new traces are refused until it can write again. Free some disk space.`,
      severity: 'warning',
      action: 'open',
    };
  }
  switch (state.phase) {
    case 'starting':
      return {
        text: '$(loading~spin) Spanscope',
        tooltip: 'Spanscope: starting the collector…',
        severity: 'normal',
        action: 'open',
      };
    case 'stopped':
      return {
        text: '$(debug-disconnect) Spanscope',
        tooltip: 'Spanscope: the collector is not running. Click to start it and open the traces.',
        severity: 'normal',
        action: 'start',
      };
    case 'error':
      return {
        text:
          state.reason === 'ports-busy' ? '$(error) Spanscope: port in use' : '$(error) Spanscope: collector failed',
        tooltip: `${escapeMarkdown(state.message)}\n\nClick to choose another port or retry.`,
        severity: 'error',
        action: 'problem',
      };
    case 'listening': {
      const running = counts?.running ?? 0;
      const icon = running > 0 ? '$(loading~spin)' : '$(pulse)';
      // A moved port is said in the text itself: the terminal env points at it, but a script
      // run outside VS Code with the default URL would miss it.
      const moved = state.busyPorts.length ? ` (${state.requestedPort} busy)` : '';
      const parts = [`${icon} Spanscope :${state.port}${moved}`];
      if (counts) parts.push(plural(counts.traces, 'trace'));
      const lines = [`**Spanscope** collector listening on \`${state.url}\``];
      if (state.busyPorts.length) {
        lines.push(
          `Port ${state.busyPorts.join(', ')} was in use (another window or program), so this window listens on ${state.port}.`,
        );
      }
      if (state.grpcPort) lines.push(`OTLP/gRPC on \`127.0.0.1:${state.grpcPort}\``);
      if (counts) lines.push(`${plural(counts.traces, 'trace')} stored${running ? `, ${running} running` : ''}.`);
      lines.push('Click to open the traces.');
      return { text: parts.join(' · '), tooltip: lines.join('\n\n'), severity: 'normal', action: 'open' };
    }
  }
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
