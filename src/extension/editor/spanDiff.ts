// Compare in VS Code's diff editor: two read-only documents (scheme `spanscope-span`), each a
// span or a whole trace as core/compare/spanText.ts renders it. *Compare with Previous Call*
// diffs a function's last two calls; *Compare With…* a span against another call, or a trace
// against another trace in the panel's Compare tab (which opens this diff for each pair).

import * as vscode from 'vscode';
import { renderSpanText, renderTraceText } from '../../core/compare/spanText';
import { keyOf, type FunctionKey } from '../../core/functions/functionCall';
import type { TraceStoreApi } from '../../store/types';
import { SPAN_DOCUMENT_SCHEME } from '../constants';
import type { Target } from '../commands/targets';
import { pickTrace } from '../commands/targets';
import type { FunctionSource } from './functionSource';
import { formatMs } from './functionText';

export interface SpanRef {
  traceId: string;
  /** None: the whole trace. */
  spanId?: string;
  /** What the editor tab says. */
  label: string;
}

export function spanUri(ref: SpanRef): vscode.Uri {
  const query = new URLSearchParams({ trace: ref.traceId, ...(ref.spanId ? { span: ref.spanId } : {}) }).toString();
  const label = ref.label.replace(/[/\\?#%]/g, '_').slice(0, 80) || 'span';
  return vscode.Uri.from({ scheme: SPAN_DOCUMENT_SCHEME, path: `/${label}.md`, query });
}

/** Serves the span documents, read fresh from the store each time one opens. */
export function registerSpanDocuments(store: () => Promise<TraceStoreApi>): vscode.Disposable {
  return vscode.workspace.registerTextDocumentContentProvider(SPAN_DOCUMENT_SCHEME, {
    async provideTextDocumentContent(uri) {
      const q = new URLSearchParams(uri.query);
      const traceId = q.get('trace') ?? '';
      const spanId = q.get('span');
      const detail = await (await store()).getTrace(traceId);
      if (!detail) return `Trace ${traceId} is no longer stored.\n`;
      if (!spanId) return renderTraceText(detail);
      const span = detail.spans.find((s) => s.id === spanId);
      return span
        ? renderSpanText(span, { traceName: detail.trace.name })
        : `Span ${spanId} is no longer in trace ${traceId}.\n`;
    },
  });
}

export async function openDiff(left: SpanRef, right: SpanRef, title: string): Promise<void> {
  await vscode.commands.executeCommand('vscode.diff', spanUri(left), spanUri(right), title, { preview: false });
}

/** The latest call of a function against the one before it. */
export async function compareWithPrevious(source: FunctionSource, key: FunctionKey): Promise<void> {
  const f = source.get(key, 'all', 2);
  const [latest, previous] = f?.recent ?? [];
  if (!latest || !previous) {
    void vscode.window.showInformationMessage(
      `Spanscope has ${latest ? 'one call' : 'no calls'} of ${key.function}: nothing to compare with.`,
    );
    return;
  }
  await openDiff(
    { traceId: previous.trace_id, spanId: previous.span_id, label: `${key.function} (previous)` },
    { traceId: latest.trace_id, spanId: latest.span_id, label: `${key.function} (latest)` },
    `${key.function}: previous call ↔ latest call`,
  );
}

/**
 * Compare With… on a trace or span: the other side picked from a list (or given, when two are
 * selected). Two spans open the diff editor; two traces the panel's Compare tab (`showTraces`).
 */
export async function compareTargets(
  store: TraceStoreApi,
  source: FunctionSource,
  showTraces: (leftId: string, rightId: string) => Promise<void>,
  first: Target,
  second?: Target,
): Promise<void> {
  if (first.kind === 'span') {
    const other = second?.kind === 'span' ? second : await pickOtherCall(store, source, first);
    if (other?.kind !== 'span') return;
    const [a, b] = [await spanLabel(store, first), await spanLabel(store, other)];
    await openDiff(
      { traceId: other.traceId, spanId: other.spanId, label: b },
      { traceId: first.traceId, spanId: first.spanId, label: a },
      `${b} ↔ ${a}`,
    );
    return;
  }
  const otherId = second?.traceId ?? (await pickTrace(store, 'Compare with which trace?'))?.id;
  if (!otherId) return;
  await showTraces(otherId, first.traceId);
}

/** Other calls of the span's function (from the index), newest first. */
async function pickOtherCall(
  store: TraceStoreApi,
  source: FunctionSource,
  t: Extract<Target, { kind: 'span' }>,
): Promise<Target | undefined> {
  const span = t.span ?? (await store.getTrace(t.traceId))?.spans.find((s) => s.id === t.spanId);
  const key = span && keyOf(span);
  const calls = (key && source.get(key, 'all', 50)?.recent.filter((c) => c.span_id !== t.spanId)) ?? [];
  if (!calls.length) {
    void vscode.window.showInformationMessage(
      `Spanscope knows no other call of ${span?.name ?? 'this span'} to compare with.`,
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    calls.map((c) => ({
      label: `${c.start_time.slice(11, 19)} · ${c.duration_ms === null ? 'running' : formatMs(c.duration_ms)}`,
      description: c.status,
      detail: c.error ?? c.output_preview ?? '',
      call: c,
    })),
    { title: `Compare ${span?.name} with which call?`, matchOnDetail: true },
  );
  return picked && { kind: 'span', traceId: picked.call.trace_id, spanId: picked.call.span_id };
}

async function spanLabel(store: TraceStoreApi, t: Extract<Target, { kind: 'span' }>): Promise<string> {
  const span = t.span ?? (await store.getTrace(t.traceId))?.spans.find((s) => s.id === t.spanId);
  return `${span?.name ?? 'span'} (${(span?.start_time ?? '').slice(11, 19) || t.spanId.slice(0, 8)})`;
}
