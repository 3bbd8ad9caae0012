// Compare in VS Code's diff editor: two read-only documents (scheme `spanscope-span`), each a
// span or a whole trace as core/compare/spanText.ts renders it. *Compare with Previous Call*
// diffs a function's last two calls; *Compare With…* a trace or span against another one,
// and for two traces lists their spans aligned by name path (core/compare/alignTraces.ts)
// with the deltas, each pair opening its own diff.

import * as vscode from 'vscode';
import { alignTraces, type AlignedRow } from '../../core/compare/alignTraces';
import { renderSpanText, renderTraceText } from '../../core/compare/spanText';
import { keyOf, type FunctionKey } from '../../core/functions/functionIndex';
import type { TraceStoreApi } from '../../store/types';
import { SPAN_DOCUMENT_SCHEME } from '../constants';
import type { Target } from '../commands/targets';
import { pickTrace } from '../commands/targets';
import type { FunctionSource } from './functionSource';
import { formatCost, formatMs, formatTokens } from './functionText';

/** The span id of the empty side of a pair aligned on one side only. */
const NO_SPAN = '-';

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
      if (spanId === NO_SPAN) return `(trace ${detail.trace.name} has no span at this place)\n`;
      const span = detail.spans.find((s) => s.id === spanId);
      return span ? renderSpanText(span, { traceName: detail.trace.name }) : `Span ${spanId} is no longer in trace ${traceId}.\n`;
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
    void vscode.window.showInformationMessage(`Spanscope has ${latest ? 'one call' : 'no calls'} of ${key.function}: nothing to compare with.`);
    return;
  }
  await openDiff(
    { traceId: previous.trace_id, spanId: previous.span_id, label: `${key.function} (previous)` },
    { traceId: latest.trace_id, spanId: latest.span_id, label: `${key.function} (latest)` },
    `${key.function}: previous call ↔ latest call`,
  );
}

/** Compare With… on a trace or span: the other side picked from a list (or given, when two are selected). */
export async function compareTargets(store: TraceStoreApi, source: FunctionSource, first: Target, second?: Target): Promise<void> {
  if (first.kind === 'span') {
    const other = second?.kind === 'span' ? second : await pickOtherCall(store, source, first);
    if (!other || other.kind !== 'span') return;
    const [a, b] = [await spanLabel(store, first), await spanLabel(store, other)];
    await openDiff({ traceId: other.traceId, spanId: other.spanId, label: b }, { traceId: first.traceId, spanId: first.spanId, label: a }, `${b} ↔ ${a}`);
    return;
  }
  const otherId = second?.traceId ?? (await pickTrace(store, 'Compare with which trace?'))?.id;
  if (!otherId) return;
  await compareTraces(store, otherId, first.traceId);
}

/** Two traces: their spans aligned, in a quick pick with the deltas; the whole traces diffed, or the pair picked. */
export async function compareTraces(store: TraceStoreApi, leftId: string, rightId: string): Promise<void> {
  const [left, right] = await Promise.all([store.getTrace(leftId), store.getTrace(rightId)]);
  if (!left || !right) throw new Error('One of the two traces is no longer stored.');
  const alignment = alignTraces(left, right);
  const whole = { label: '$(diff) Whole traces', description: `${deltaText('Δ', alignment.delta.duration_ms, formatMs)} · Δ ${signed(alignment.delta.tokens, formatTokens)} tok · Δ ${signed(alignment.delta.cost, formatCost)}`, row: undefined as AlignedRow | undefined };
  const picked = await vscode.window.showQuickPick([whole, ...alignment.rows.map((row) => ({ ...rowItem(row), row }))], {
    title: `${left.trace.name} ↔ ${right.trace.name}: spans aligned by name`,
    placeHolder: 'Pick a pair of spans to diff them, or the whole traces',
    matchOnDescription: true,
  });
  if (!picked) return;
  if (!picked.row) {
    await openDiff({ traceId: leftId, label: `${left.trace.name} (${leftId.slice(0, 8)})` }, { traceId: rightId, label: `${right.trace.name} (${rightId.slice(0, 8)})` }, `${left.trace.name} ↔ ${right.trace.name}`);
    return;
  }
  const row = picked.row;
  const name = row.path[row.path.length - 1];
  const side = (traceId: string, spanId: string | undefined, which: string): SpanRef => ({ traceId, spanId: spanId ?? NO_SPAN, label: `${name} (${which})` });
  await openDiff(side(leftId, row.left?.id, 'left'), side(rightId, row.right?.id, 'right'), `${name}: ${left.trace.name} ↔ ${right.trace.name}`);
}

function rowItem(row: AlignedRow): { label: string; description: string } {
  const indent = '\u2003'.repeat(row.depth);
  const icon = row.change === 'left_only' ? '$(remove)' : row.change === 'right_only' ? '$(add)' : row.change === 'changed' ? '$(warning)' : '$(check)';
  const status = row.left && row.right ? (row.left.status === row.right.status ? row.left.status : `${row.left.status} → ${row.right.status}`) : row.left ? 'only left' : 'only right';
  const d = row.delta;
  const parts = [status, deltaText('Δ', d.duration_ms, formatMs)];
  if (d.tokens !== null && d.tokens !== 0) parts.push(`Δ ${signed(d.tokens, formatTokens)} tok`);
  if (d.cost !== null && d.cost !== 0) parts.push(`Δ ${signed(d.cost, formatCost)}`);
  return { label: `${indent}${icon} ${row.path[row.path.length - 1]}`, description: parts.filter(Boolean).join(' · ') };
}

function deltaText(prefix: string, ms: number | null, format: (n: number) => string): string {
  return ms === null ? '' : `${prefix} ${signed(ms, format)}`;
}

function signed(n: number, format: (n: number) => string): string {
  return `${n < 0 ? '−' : '+'}${format(Math.abs(n))}`;
}

/** Other calls of the span's function (from the index), newest first. */
async function pickOtherCall(store: TraceStoreApi, source: FunctionSource, t: Extract<Target, { kind: 'span' }>): Promise<Target | undefined> {
  const span = t.span ?? (await store.getTrace(t.traceId))?.spans.find((s) => s.id === t.spanId);
  const key = span && keyOf(span);
  const calls = (key && source.get(key, 'all', 50)?.recent.filter((c) => c.span_id !== t.spanId)) ?? [];
  if (!calls.length) {
    void vscode.window.showInformationMessage(`Spanscope knows no other call of ${span?.name ?? 'this span'} to compare with.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    calls.map((c) => ({ label: `${c.start_time.slice(11, 19)} · ${c.duration_ms === null ? 'running' : formatMs(c.duration_ms)}`, description: c.status, detail: c.error ?? c.output_preview ?? '', call: c })),
    { title: `Compare ${span?.name} with which call?`, matchOnDetail: true },
  );
  return picked && { kind: 'span', traceId: picked.call.trace_id, spanId: picked.call.span_id };
}

async function spanLabel(store: TraceStoreApi, t: Extract<Target, { kind: 'span' }>): Promise<string> {
  const span = t.span ?? (await store.getTrace(t.traceId))?.spans.find((s) => s.id === t.spanId);
  return `${span?.name ?? 'span'} (${(span?.start_time ?? '').slice(11, 19) || t.spanId.slice(0, 8)})`;
}
