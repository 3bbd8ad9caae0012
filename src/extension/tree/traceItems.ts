// How a project, trace or span looks in the Traces view: label, description, icon, context
// value and tooltip. Pure (no `vscode`), so what a user sees is unit-tested; the tree
// provider only copies these onto `vscode.TreeItem`s.

import { preview } from '../../core/model/aggregates';
import type { ScoreAverages, Span, TraceSummary } from '../../core/model/model';
import { codeVersionText } from '../../core/model/codeVersion';
import { DISPLAY_STATE_TEXT, endedByTrace, spanDisplayState, type TraceEndFacts } from '../../core/display/spanDisplay';
import type { ProjectSummary } from '../../store/types';
import { TreeItemContext } from '../constants';
import { formatCost, formatDuration, formatTokens, totalTokens } from '../../core/display/format';
import { ownAverages, scoreBadges } from '../format';
import { escapeMarkdown, field, truncate } from '../markdown';
import { plural } from '../statusBarModel';

export interface IconSpec {
  /** A codicon id, e.g. `sparkle`, `loading~spin`. */
  id: string;
  /** A theme colour id, e.g. `errorForeground`. */
  color?: string;
}

export interface ItemView {
  label: string;
  /** [start, end) ranges of the label to highlight (filter matches). */
  highlights?: [number, number][];
  description?: string;
  icon: IconSpec;
  contextValue: string;
  /** Markdown; every value from span data is escaped. */
  tooltip: string;
  collapsible: boolean;
}

const LABEL_MAX = 120;
const PREVIEW_MAX = 300;

export const SPAN_ICONS: Record<string, string> = {
  llm: 'sparkle',
  tool: 'tools',
  guardrail: 'shield',
  general: 'symbol-method',
};

export function statusIcon(status: string, fallback: IconSpec): IconSpec {
  if (status === 'running') return { id: 'loading~spin' };
  if (status === 'not_ended') return { id: 'circle-slash', color: 'disabledForeground' };
  if (status === 'error') return { id: 'error', color: 'errorForeground' };
  return fallback;
}

export function projectView(p: ProjectSummary): ItemView {
  return {
    label: truncate(p.name || '(no project)', LABEL_MAX),
    description: plural(p.trace_count, 'trace'),
    icon: { id: 'project' },
    contextValue: TreeItemContext.project,
    tooltip: [field('Project', p.name), p.last_trace_at ? field('Last trace', p.last_trace_at) : undefined]
      .filter(Boolean)
      .join('\n\n'),
    collapsible: true,
  };
}

export function traceView(t: TraceSummary, thumbsName: string, filter?: string): ItemView {
  const label = truncate(t.name || '(unnamed trace)', LABEL_MAX);
  return {
    label,
    highlights: highlightRanges(label, filter),
    description: joinParts([
      clockTime(t.start_time),
      t.status === 'running' ? 'running' : formatDuration(t.duration_ms),
      formatTokens(totalTokens(t.usage)),
      ...scoreBadges(t.score_averages, thumbsName),
    ]),
    icon: statusIcon(t.status, { id: 'pass', color: 'testing.iconPassed' }),
    contextValue: TreeItemContext.trace,
    tooltip: traceTooltip(t),
    collapsible: t.span_count > 0,
  };
}

/** `trace`: the span's trace as summarised, so a span its trace outlived shows as "not ended". */
export function spanView(
  s: Span,
  hasChildren: boolean,
  thumbsName: string,
  rollup?: ScoreAverages,
  trace?: TraceEndFacts,
): ItemView {
  const label = truncate(s.name || '(unnamed span)', LABEL_MAX);
  const state = spanDisplayState(s, trace);
  return {
    label,
    description: joinParts([
      state === 'running' || state === 'not_ended' ? DISPLAY_STATE_TEXT[state] : formatDuration(s.duration_ms),
      formatTokens(totalTokens(s.usage)),
      ...scoreBadges(rollup ?? ownAverages(s.feedback_scores), thumbsName),
    ]),
    icon: statusIcon(state, { id: SPAN_ICONS[s.type] ?? SPAN_ICONS.general }),
    contextValue: TreeItemContext.span,
    tooltip: spanTooltip(s, DISPLAY_STATE_TEXT[state]),
    collapsible: hasChildren,
  };
}

export function moreView(shown: number, total: number): ItemView {
  return {
    label: `Showing the newest ${shown} of ${total} traces`,
    description: 'open the panel for all',
    icon: { id: 'ellipsis' },
    contextValue: TreeItemContext.more,
    tooltip: 'The sidebar lists the newest traces of each project; the panel lists them all.',
    collapsible: false,
  };
}

function traceTooltip(t: TraceSummary): string {
  const usage = t.usage ?? {};
  return lines([
    `**${escapeMarkdown(t.name || '(unnamed trace)')}** · trace · ${t.status}`,
    field('Project', t.project_name),
    field('Started', localDateTime(t.start_time)),
    field('Duration', formatDuration(t.duration_ms)),
    field('Spans', `${t.span_count}${t.error_count ? ` (${plural(t.error_count, 'error')})` : ''}`),
    field('Tokens', tokenDetail(usage)),
    field('Cost', formatCost(t.total_estimated_cost)),
    field('Scores', scoreDetail(t.score_averages)),
    field('Tags', t.tags?.join(', ')),
    field('Commit', codeVersionText(t.code_version) || undefined),
    field('Error', t.error_info ? `${t.error_info.exception_type}: ${t.error_info.message ?? ''}` : undefined),
    field('Input', t.input_preview && truncate(t.input_preview, PREVIEW_MAX)),
    field('Output', t.output_preview && truncate(t.output_preview, PREVIEW_MAX)),
    field('ID', t.id),
  ]);
}

function spanTooltip(s: Span, state: string): string {
  const loc = s.code_location;
  return lines([
    `**${escapeMarkdown(s.name || '(unnamed span)')}** · ${escapeMarkdown(s.type)} · ${state}`,
    field('Started', localDateTime(s.start_time)),
    field('Duration', formatDuration(s.duration_ms)),
    field('Ended', endedByTrace(s) ? 'with its trace (never on its own)' : undefined),
    field('Model', s.model && (s.provider ? `${s.model} (${s.provider})` : s.model)),
    field('Tokens', tokenDetail(s.usage ?? {})),
    field('Cost', formatCost(s.total_estimated_cost)),
    field(
      'Scores',
      s.feedback_scores?.map((f) => `${f.name} ${f.value} (${f.source})${f.reason ? ` — ${f.reason}` : ''}`).join('; '),
    ),
    field('Error', s.error_info ? `${s.error_info.exception_type}: ${s.error_info.message ?? ''}` : undefined),
    field('Input', truncateMaybe(preview(s.input))),
    field('Output', truncateMaybe(preview(s.output))),
    field('Source', loc ? `${loc.file}:${loc.line}${loc.function ? ` (${loc.function})` : ''}` : undefined),
    field('ID', s.id),
  ]);
}

function tokenDetail(u: Record<string, number>): string | undefined {
  const total = totalTokens(u);
  if (total === undefined) return undefined;
  const parts = [];
  if (u.prompt_tokens !== undefined) parts.push(`${u.prompt_tokens} prompt`);
  if (u.completion_tokens !== undefined) parts.push(`${u.completion_tokens} completion`);
  return parts.length ? `${total} (${parts.join(' + ')})` : String(total);
}

function scoreDetail(a: ScoreAverages | undefined): string | undefined {
  const names = Object.keys(a ?? {}).sort();
  if (!a || !names.length) return undefined;
  return names
    .map((n) => `${n} ${Math.round(a[n].avg * 1000) / 1000}${a[n].count > 1 ? ` (avg of ${a[n].count})` : ''}`)
    .join('; ');
}

function truncateMaybe(text: string | undefined): string | undefined {
  return text === undefined ? undefined : truncate(text, PREVIEW_MAX);
}

function lines(parts: (string | undefined)[]): string {
  return parts.filter((p): p is string => Boolean(p)).join('\n\n');
}

function joinParts(parts: (string | undefined)[]): string | undefined {
  const kept = parts.filter((p): p is string => Boolean(p));
  return kept.length ? kept.join(' · ') : undefined;
}

/** Local wall-clock time of an ISO instant, `HH:MM:SS`: stable, unlike "2 min ago". */
export function clockTime(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return undefined;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/**
 * Local date and time of an ISO instant to the millisecond, `2026-11-23 14:41:43.576`: what the
 * description's clock time is short for (the stored UTC text with microseconds reads as noise).
 */
export function localDateTime(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${clockTime(iso)}.${p(d.getMilliseconds(), 3)}`;
}

/** Where the filter's words occur in a label, case-insensitively. */
export function highlightRanges(label: string, filter: string | undefined): [number, number][] | undefined {
  if (!filter) return undefined;
  const lower = label.toLowerCase();
  const out: [number, number][] = [];
  for (const word of filterWords(filter)) {
    const i = lower.indexOf(word);
    if (i >= 0) out.push([i, i + word.length]);
  }
  return out.length ? out.sort((a, b) => a[0] - b[0]) : undefined;
}

export function filterWords(filter: string): string[] {
  return filter.toLowerCase().split(/\s+/).filter(Boolean);
}

/** A trace matches when every word of the filter occurs in its name, project, status, id, tags or thread. */
export function matchesFilter(t: TraceSummary, filter: string | undefined): boolean {
  if (!filter) return true;
  const hay = [t.name, t.project_name, t.status, t.id, t.thread_id, ...(t.tags ?? [])]
    .filter(Boolean)
    .join('\n')
    .toLowerCase();
  return filterWords(filter).every((w) => hay.includes(w));
}
