// Commands on traces and spans: open in the panel, go to source, copy, delete, export, and the
// Traces view's filter, refresh and clear. Each works from a tree item's menu and from the
// palette (then on the view's selection, or a trace picked from a list).

import * as vscode from 'vscode';
import type { Span } from '../../core/model/model';
import type { CollectorService } from '../collector/collectorService';
import { Commands } from '../constants';
import { asText } from '../format';
import { errorMessage, type Logger } from '../log';
import type { TracePanelHost } from '../panel/tracePanel';
import type { SourceNavigator } from '../source/sourceNavigator';
import type { TreeNode } from '../tree/tracesTreeModel';
import type { TracesView } from '../tree/tracesView';
import { recordOf, resolveTargets, targetsOf } from './targets';

interface Deps {
  service: CollectorService;
  view: TracesView;
  panel: TracePanelHost;
  navigator: SourceNavigator;
  log: Logger;
}

export function registerTraceCommands(d: Deps): vscode.Disposable[] {
  const { service, view, panel } = d;
  const command = (
    id: string,
    run: (node?: TreeNode, nodes?: TreeNode[], ...rest: unknown[]) => Promise<unknown> | unknown,
  ) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        await run(...(args as [TreeNode?, TreeNode[]?]));
      } catch (err) {
        d.log.error(`${id}: ${errorMessage(err)}`);
        void vscode.window.showErrorMessage(errorMessage(err));
      }
    });

  const copy = (what: 'input' | 'output') => async (node?: TreeNode, nodes?: TreeNode[]) => {
    const store = await service.getStore();
    const [t] = await resolveTargets(view, store, node, nodes, `Copy the ${what} of which trace?`);
    if (!t) return;
    const found = await recordOf(store, t);
    if (!found) throw new Error('That trace is no longer stored.');
    await vscode.env.clipboard.writeText(asText(found.record[what]));
    vscode.window.setStatusBarMessage(`$(clippy) Copied the ${t.kind}'s ${what}`, 2500);
  };

  return [
    command(Commands.openTraces, () => panel.show()),
    command(Commands.openInPanel, async (node, nodes, options) => {
      const store = await service.getStore();
      const [t] = await resolveTargets(view, store, node, nodes, 'Open which trace?');
      if (!t) return panel.show();
      await panel.show(
        t.kind === 'span' ? { traceId: t.traceId, spanId: t.spanId } : { traceId: t.traceId },
        (options ?? {}) as { preserveFocus?: boolean },
      );
    }),
    command(Commands.goToSource, async (node, nodes) => {
      const store = await service.getStore();
      const [t] = targetsOf(view, node, nodes);
      if (!t) return vscode.window.showInformationMessage('Select a span in the Spanscope Traces view first.');
      if (t.kind === 'span' && t.span) return goToSpanSource(d.navigator, t.span, d.log);
      const found = await recordOf(store, t);
      if (!found) throw new Error('That trace is no longer stored.');
      // A trace has no code of its own; its first root span does.
      const span = t.kind === 'span' ? (found.record as Span) : found.detail.spans.find((s) => !s.parent_span_id);
      if (!span) return vscode.window.showInformationMessage('This trace has no spans to go to.');
      await goToSpanSource(d.navigator, span, d.log);
    }),
    command(Commands.copyInput, copy('input')),
    command(Commands.copyOutput, copy('output')),
    command(Commands.copyId, async (node, nodes) => {
      const store = await service.getStore();
      const targets = await resolveTargets(view, store, node, nodes, 'Copy the id of which trace?');
      if (!targets.length) return;
      await vscode.env.clipboard.writeText(targets.map((t) => (t.kind === 'span' ? t.spanId : t.traceId)).join('\n'));
      vscode.window.setStatusBarMessage(
        `$(clippy) Copied ${targets.length === 1 ? 'the id' : `${targets.length} ids`}`,
        2500,
      );
    }),
    command(Commands.deleteTrace, async (node, nodes) => {
      const store = await service.getStore();
      const targets = await resolveTargets(view, store, node, nodes, 'Delete which trace?');
      const ids = [...new Set(targets.filter((t) => t.kind === 'trace').map((t) => t.traceId))];
      if (!ids.length) {
        if (targets.length)
          void vscode.window.showInformationMessage(
            'Delete Trace deletes whole traces: select a trace rather than one of its spans.',
          );
        return;
      }
      store.deleteTraces(ids);
      d.log.info(`deleted ${ids.length === 1 ? `trace ${ids[0]}` : `${ids.length} traces`}`);
    }),
    command(Commands.exportTrace, async (node, nodes) => {
      const store = await service.getStore();
      const [t] = await resolveTargets(view, store, node, nodes, 'Export which trace?');
      if (!t) return;
      const detail = await store.getTrace(t.traceId);
      if (!detail) throw new Error('That trace is no longer stored.');
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const fileName = `${safeFileName(detail.trace.name || 'trace')}-${safeFileName(detail.trace.id).slice(0, 12)}.json`;
      const uri = await vscode.window.showSaveDialog({
        title: 'Export Trace as JSON',
        defaultUri: folder ? vscode.Uri.joinPath(folder, fileName) : undefined,
        filters: { JSON: ['json'] },
      });
      if (!uri) return;
      // The read API's shape, so the file reads like `GET /api/traces/ID`.
      await vscode.workspace.fs.writeFile(
        uri,
        new TextEncoder().encode(JSON.stringify({ trace: detail.trace, spans: detail.spans }, null, 2) + '\n'),
      );
      d.log.info(`exported trace ${detail.trace.id} to ${uri.fsPath}`);
      vscode.window.setStatusBarMessage(`$(check) Exported to ${vscode.workspace.asRelativePath(uri)}`, 4000);
    }),
    command(Commands.filterTraces, async () => {
      const text = await vscode.window.showInputBox({
        title: 'Filter Traces',
        prompt: 'Words that must all occur in a trace’s name, project, status, id or tags (empty clears the filter)',
        value: view.filter ?? '',
        placeHolder: 'e.g. error, chat, my_project',
      });
      if (text !== undefined) view.setFilter(text);
    }),
    command(Commands.clearFilter, () => view.setFilter(undefined)),
    command(Commands.refreshTraces, () => view.refresh()),
    command(Commands.clearTraces, async () => {
      const store = await service.getStore();
      const count = store.listProjects().reduce((n, p) => n + p.trace_count, 0);
      if (!count) return vscode.window.showInformationMessage('Spanscope has no traces to clear.');
      const ok = await vscode.window.showWarningMessage(
        `Delete all ${count} Spanscope trace${count === 1 ? '' : 's'}?`,
        { modal: true, detail: 'This can not be undone.' },
        'Delete All',
      );
      if (ok !== 'Delete All') return;
      store.clear();
      d.log.info(`cleared ${count} traces`);
    }),
  ];
}

/** `code_location` if its file is there; otherwise the function looked up by the span's name. */
export async function goToSpanSource(navigator: SourceNavigator, span: Span, log: Logger): Promise<void> {
  const loc = span.code_location;
  if (loc?.file) {
    try {
      return await navigator.openLocation(loc);
    } catch (err) {
      log.warn(`${errorMessage(err)} Looking "${loc.function ?? span.name}" up by name instead.`);
    }
  }
  const name = loc?.function ?? span.name;
  if (!(await navigator.findSymbol(name))) {
    void vscode.window.showInformationMessage(
      `Spanscope found no source for “${name}”: the span has no code location and no workspace symbol has that name.`,
    );
  }
}

function safeFileName(s: string): string {
  return (
    s
      .replace(/[^\p{L}\p{N}._-]+/gu, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 60) || 'trace'
  );
}
