// What a command acts on. From a tree item's menu it gets the item (and the others selected
// with it); from the palette it gets nothing, so it takes the view's selection, or asks for a
// trace with a quick pick of the newest ones.

import * as vscode from 'vscode';
import type { FeedbackScore, Span, TraceDetail, TraceSummary } from '../../core/model/model';
import type { TraceStoreApi } from '../../store/types';
import { formatDuration } from '../../core/display/format';
import type { TreeNode } from '../tree/tracesTreeModel';
import type { TracesView } from '../tree/tracesView';

export type Target =
  | { kind: 'trace'; traceId: string; summary?: TraceSummary }
  | { kind: 'span'; traceId: string; spanId: string; span?: Span };

export function targetsOf(
  view: TracesView,
  node: TreeNode | undefined,
  nodes: readonly TreeNode[] | undefined,
): Target[] {
  const out: Target[] = [];
  for (const n of view.targets(node, nodes)) {
    if (n.kind === 'trace') out.push({ kind: 'trace', traceId: n.traceId });
    else if (n.kind === 'span')
      out.push({ kind: 'span', traceId: n.traceId, spanId: n.spanId, span: view.model?.span(n) });
  }
  return out;
}

/** The targets of a command, or (from the palette with nothing selected) one trace the user picks. */
export async function resolveTargets(
  view: TracesView,
  store: TraceStoreApi,
  node: TreeNode | undefined,
  nodes: readonly TreeNode[] | undefined,
  title: string,
): Promise<Target[]> {
  const targets = targetsOf(view, node, nodes);
  if (targets.length) return targets;
  const picked = await pickTrace(store, title);
  return picked ? [{ kind: 'trace', traceId: picked.id, summary: picked }] : [];
}

export async function pickTrace(store: TraceStoreApi, title: string): Promise<TraceSummary | undefined> {
  const traces = store.listTraces({ limit: 200 });
  if (!traces.length) {
    void vscode.window.showInformationMessage('Spanscope has no traces yet.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    traces.map((t) => ({
      label: t.name || '(unnamed trace)',
      description: [t.project_name, t.status, formatDuration(t.duration_ms)].filter(Boolean).join(' · '),
      detail: t.start_time,
      trace: t,
    })),
    { title, placeHolder: 'Pick a trace (newest first)', matchOnDescription: true },
  );
  return picked?.trace;
}

/** The record a target names, read fresh from the store. */
export async function recordOf(
  store: TraceStoreApi,
  t: Target,
): Promise<{ detail: TraceDetail; record: TraceDetail['trace'] | Span } | undefined> {
  const detail = await store.getTrace(t.traceId);
  if (!detail) return undefined;
  if (t.kind === 'trace') return { detail, record: detail.trace };
  const span = detail.spans.find((s) => s.id === t.spanId);
  return span ? { detail, record: span } : undefined;
}

/** The target's current scores: the summary's for a trace, the loaded span's for a span. */
export function scoresOf(store: TraceStoreApi, t: Target): FeedbackScore[] | undefined {
  return t.kind === 'trace' ? store.getSummary(t.traceId)?.feedback_scores : t.span?.feedback_scores;
}
