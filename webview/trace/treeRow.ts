// One row of the span tree: twistie, type icon, name (with search highlights), a few facts
// (model, tokens, scores), duration, and the waterfall bar in the timeline column. Rows are
// recycled by the virtual list, so `paintRow` sets every part on every call and touches the
// DOM only where something changed.

import type { Span, SpanType } from '../../src/core/model/model';
import {
  DISPLAY_STATE_TEXT,
  endedByTrace,
  neverEnds,
  spanDisplayState,
  type SpanDisplayState,
} from '../../src/core/display/spanDisplay';
import { setCodicon } from '../components/icons';
import { formatCount, formatDuration, formatScore, totalTokens } from '../../src/core/display/format';
import { matchRanges } from './search';
import { barGeometry, firstTokenFraction, spanMicros, type TimeRange } from './timelineScale';
import type { TreeNode, TraceModel } from './traceModel';
import type { TreeView } from './treeView';
import { setText } from '../components/dom';

export const ROW_HEIGHT = 22;
const INDENT_PX = 12;

const TYPE_ICONS: Record<SpanType, string> = {
  general: 'symbol-method',
  llm: 'sparkle',
  tool: 'tools',
  guardrail: 'shield',
};

export interface RowContext {
  model: TraceModel;
  view: TreeView;
  selected: TreeNode | undefined;
  focused: boolean;
  range: TimeRange;
  nowMicros: number;
  /** Lower-case search text and its matches, when a search is active. */
  needle?: string;
  matched?: Set<TreeNode>;
  current?: TreeNode;
}

interface RowParts {
  name: HTMLElement;
  twistie: HTMLElement;
  icon: HTMLElement;
  label: HTMLElement;
  facts: HTMLElement;
  duration: HTMLElement;
  bar: HTMLElement;
  /** The first token's marker on a streamed span's bar. */
  firstToken: HTMLElement;
  /** What the label was last painted with, to skip rebuilding highlights. */
  labelKey?: string;
}

const parts = new WeakMap<HTMLElement, RowParts>();

export function createRow(): HTMLElement {
  const row = document.createElement('div');
  row.className = 'tree-row';
  row.setAttribute('role', 'treeitem');
  const name = div('cell cell-name');
  const twistie = part('twistie codicon', true);
  const icon = part('codicon', true);
  const label = part('row-label');
  const facts = part('row-facts');
  name.append(twistie, icon, label, facts);
  const duration = div('cell cell-duration');
  const timeline = div('cell cell-timeline');
  const bar = div('bar');
  const firstToken = div('first-token');
  bar.append(firstToken);
  timeline.append(bar);
  row.append(name, duration, timeline);
  parts.set(row, { name, twistie, icon, label, facts, duration, bar, firstToken });
  return row;
}

export function paintRow(row: HTMLElement, index: number, ctx: RowContext): void {
  const p = parts.get(row)!;
  const node = ctx.view.rows[index];
  const span = node.span;
  const isTrace = node === ctx.model.root;
  const level = ctx.model.levelOf(node);
  row.dataset.index = String(index);
  row.id = `row-${index}`;
  row.setAttribute('aria-level', String(level + 1));
  row.setAttribute('aria-selected', String(node === ctx.selected));
  row.classList.toggle('selected', node === ctx.selected);
  row.classList.toggle('match', Boolean(ctx.matched?.has(node)));
  row.classList.toggle('current-match', node === ctx.current);
  row.classList.toggle('is-trace', isTrace);
  // The trace row shows the trace's own status; a span's is read against its trace's end.
  const state: SpanDisplayState = isTrace ? span.status : spanDisplayState(span, ctx.model.trace);
  row.classList.toggle('is-error', state === 'error');
  row.classList.toggle('is-running', state === 'running');
  row.classList.toggle('is-not-ended', state === 'not_ended');
  row.title = tooltip(span, isTrace, state);

  p.name.style.paddingLeft = `${4 + level * INDENT_PX}px`;
  const hasChildren = ctx.view.hasChildren(node);
  if (hasChildren) {
    const open = ctx.view.isExpanded(node);
    row.setAttribute('aria-expanded', String(open));
    setCodicon(p.twistie, open ? 'chevron-down' : 'chevron-right', 'twistie');
  } else {
    row.removeAttribute('aria-expanded');
    setCodicon(p.twistie, 'blank', 'twistie');
  }
  const icon =
    state === 'running'
      ? 'loading'
      : state === 'error'
        ? 'error'
        : state === 'not_ended'
          ? 'circle-slash'
          : isTrace
            ? 'pulse'
            : (TYPE_ICONS[span.type] ?? 'symbol-method');
  setCodicon(
    p.icon,
    icon,
    `row-icon type-${isTrace ? 'trace' : span.type}${state === 'running' ? ' codicon-modifier-spin' : ''}${state === 'not_ended' ? ' not-ended' : ''}`,
  );

  paintLabel(p, span.name || '(unnamed)', ctx.matched?.has(node) ? ctx.needle : undefined);
  setText(p.facts, facts(span));

  const [start, spanEnd] = spanMicros(span);
  // A span that will never end has no time past its start: no ticking duration, no bar to now.
  const notEnded = !isTrace && neverEnds(span, ctx.model.trace);
  const end = notEnded ? start : spanEnd;
  const ms = notEnded
    ? null
    : (span.duration_ms ??
      (Number.isNaN(end) && !Number.isNaN(start) ? Math.max(0, (ctx.nowMicros - start) / 1000) : null));
  setText(p.duration, notEnded ? DISPLAY_STATE_TEXT.not_ended : formatDuration(ms));

  const { left, width } = barGeometry(ctx.range, start, end, ctx.nowMicros);
  p.bar.style.left = `${(left * 100).toFixed(3)}%`;
  p.bar.style.width = `${(width * 100).toFixed(3)}%`;
  p.bar.className = `bar type-${isTrace ? 'trace' : span.type}${state === 'running' ? ' running' : ''}${state === 'error' ? ' error' : ''}${notEnded ? ' not-ended' : ''}`;
  const ttft = span.time_to_first_token_ms;
  const at = isTrace ? undefined : firstTokenFraction(start, end, ttft);
  p.firstToken.hidden = at === undefined;
  if (at !== undefined) {
    p.firstToken.style.left = `${(at * 100).toFixed(3)}%`;
    p.firstToken.title = `first token after ${formatDuration(ttft!)}`;
  }
}

function paintLabel(p: RowParts, text: string, needle: string | undefined): void {
  const key = needle ? `${needle}\u0000${text}` : text;
  if (p.labelKey === key) return;
  p.labelKey = key;
  if (!needle) {
    p.label.textContent = text;
    return;
  }
  const pieces: globalThis.Node[] = [];
  let at = 0;
  for (const [s, e] of matchRanges(text, needle)) {
    if (s > at) pieces.push(document.createTextNode(text.slice(at, s)));
    const mark = document.createElement('mark');
    mark.textContent = text.slice(s, e);
    pieces.push(mark);
    at = e;
  }
  if (at < text.length) pieces.push(document.createTextNode(text.slice(at)));
  p.label.replaceChildren(...pieces);
}

function facts(span: Span): string {
  const out: string[] = [];
  if (span.model) out.push(span.model);
  const tokens = totalTokens(span.usage);
  if (tokens) out.push(`${formatCount(tokens)} tok`);
  for (const s of span.feedback_scores ?? []) out.push(`${s.name} ${formatScore(s.value)}`);
  return out.join(' · ');
}

function tooltip(span: Span, isTrace: boolean, state: SpanDisplayState): string {
  const lines = [`${isTrace ? 'trace' : span.type}: ${span.name}`, `status: ${DISPLAY_STATE_TEXT[state]}`];
  if (state === 'not_ended') lines.push('its trace ended; this span never did');
  else if (!isTrace && endedByTrace(span)) lines.push('ended with its trace (never ended on its own)');
  if (span.duration_ms != null) lines.push(`duration: ${formatDuration(span.duration_ms)}`);
  if (span.error_info) lines.push(`${span.error_info.exception_type}: ${span.error_info.message ?? ''}`);
  if (span.code_location) lines.push(`${span.code_location.file}:${span.code_location.line}`);
  return lines.join('\n');
}

function div(className: string): HTMLElement {
  const el = document.createElement('div');
  el.className = className;
  return el;
}

function part(className: string, decorative = false): HTMLElement {
  const el = document.createElement('span');
  el.className = className;
  if (decorative) el.setAttribute('aria-hidden', 'true');
  return el;
}
