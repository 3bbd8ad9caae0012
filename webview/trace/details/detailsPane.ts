// The details of the selected span (or of the trace, when its row is selected): where it is in
// the code, its error, scores, input and output, usage and cost, metadata and timings. A live
// change to the selected span redraws only the sections whose data changed; what the user
// opened, scrolled or typed elsewhere in the pane stays as it was.

import type { CodeVersion, ScorePatch, Span } from '../../../src/core/model/model';
import {
  DISPLAY_STATE_TEXT,
  endedByTrace,
  spanDisplayState,
  type SpanDisplayState,
} from '../../../src/core/display/spanDisplay';
import {
  CompareWith,
  CopyText,
  FindSymbol,
  RunSpanCommand,
  THUMBS_SCORE,
  type HostInfo,
  type SpanCommand,
} from '../../../src/shared/protocol';
import { badge, tag } from '../../components/badge';
import { iconButton, textButton } from '../../components/button';
import { codicon } from '../../components/icons';
import { formatClock, formatCost, formatDuration } from '../../../src/core/display/format';
import type { TraceModel, TreeNode } from '../traceModel';
import type { HostConnection } from '../../transport/connection';
import { h } from '../../components/dom';
import { errorView } from './errorView';
import { jsonView, newJsonState, type JsonViewState } from './jsonView';
import { ScoresView } from './scoresView';
import { Section } from './section';
import { errorText, sourceLink } from './sourceLink';
import { copyText, valueView } from './valueView';

export interface DetailsContext {
  conn: HostConnection;
  info(): HostInfo | undefined;
  setScore(patch: ScorePatch): Promise<void>;
  notify(message: string, kind?: 'error' | 'info'): void;
  collapsedSections: Set<string>;
  onStateChange(): void;
}

const TYPE_ICONS: Record<string, string> = {
  general: 'symbol-method',
  llm: 'sparkle',
  tool: 'tools',
  guardrail: 'shield',
  trace: 'pulse',
};
const MAX_REMEMBERED = 200;

export class DetailsPane {
  readonly element: HTMLElement;
  private readonly header: HTMLElement;
  private readonly sections: Record<
    'error' | 'scores' | 'input' | 'output' | 'expected' | 'usage' | 'metadata' | 'info',
    Section
  >;
  private readonly scores: ScoresView;
  /** JSON trees' open state per record, so going back to a span finds it as it was left. */
  private readonly jsonStates = new Map<string, JsonViewState>();
  private shownKey: string | undefined;
  private headerSignature = '';

  constructor(private readonly ctx: DetailsContext) {
    const state = { collapsed: ctx.collapsedSections, onToggle: () => ctx.onStateChange() };
    const section = (id: string, title: string) => new Section(id, title, state);
    this.sections = {
      error: section('error', 'Error'),
      scores: section('scores', 'Scores'),
      input: section('input', 'Input'),
      output: section('output', 'Output'),
      expected: section('expected', 'Expected'),
      usage: section('usage', 'Model and usage'),
      metadata: section('metadata', 'Metadata'),
      info: section('info', 'Timing and ids'),
    };
    this.scores = new ScoresView({
      definitions: () => ctx.info()?.scoreDefinitions ?? [],
      thumbsName: () => ctx.info()?.thumbsScoreName || THUMBS_SCORE.name,
      setScore: (p) => ctx.setScore(p),
    });
    this.header = h('div', { class: 'details-header' });
    this.element = h(
      'aside',
      { class: 'details-pane', attrs: { 'aria-label': 'Span details' } },
      this.header,
      ...Object.values(this.sections).map((s) => s.element),
    );
    this.clear();
  }

  clear(): void {
    this.shownKey = undefined;
    this.headerSignature = '';
    this.header.replaceChildren(h('div', { class: 'muted', text: 'Select a span to see its details.' }));
    for (const s of Object.values(this.sections)) s.element.hidden = true;
  }

  /** Shows a record; for the one already shown, redraws only what changed. */
  show(model: TraceModel, node: TreeNode): void {
    const key = `${model.traceId}\u0000${model.keyOf(node)}`;
    if (key !== this.shownKey) {
      this.shownKey = key;
      this.element.scrollTop = 0;
    }
    const isTrace = node === model.root;
    const span = node.span;
    const json = this.jsonState(key);
    // The trace's own status for the trace; a span's read against its trace's end.
    const state: SpanDisplayState = isTrace ? span.status : spanDisplayState(span, model.trace);
    this.paintHeader(span, isTrace, key, state, model.traceId);

    const s = this.sections;
    this.put(s.error, key, span.error_info, (body) =>
      body.append(errorView(span.error_info!, this.ctx.conn, (m) => this.ctx.notify(m, 'error'))),
    );
    s.scores.element.hidden = false;
    const rollup = model.scoreRollup(model.keyOf(node));
    s.scores.update(`${key}|${signature(span.feedback_scores)}|${signature(rollup)}`, (body) => {
      this.scores.render(
        { target: isTrace ? 'trace' : 'span', id: span.id, traceId: model.traceId },
        span.feedback_scores ?? [],
        rollup,
        node.children.length > 0,
      );
      body.append(this.scores.element);
    });
    for (const field of ['input', 'output', 'expected'] as const) {
      const value = span[field];
      this.put(s[field], key, field === 'expected' ? value : (value ?? null), (body, actions) => {
        actions.append(this.copyButton(field, value));
        body.append(valueView(value, json, field, actions));
      });
    }
    const usage = usageFacts(span);
    this.put(s.usage, key, usage.length ? usage : undefined, (body) => body.append(factTable(usage)));
    const meta = span.metadata && Object.keys(span.metadata).length ? span.metadata : undefined;
    this.put(s.metadata, key, meta, (body, actions) => {
      actions.append(this.copyButton('metadata', meta));
      body.append(jsonView(meta, json, 'metadata'));
    });
    const info = infoFacts(span, isTrace, state);
    this.put(s.info, key, info, (body) => body.append(factTable(info)));
  }

  /** Hides a section without data, else (re)builds it when the data changed. */
  private put(
    section: Section,
    key: string,
    data: unknown,
    build: (body: HTMLElement, actions: HTMLElement) => void,
  ): void {
    section.element.hidden = data === undefined;
    if (data !== undefined) section.update(`${key}|${signature(data)}`, build);
  }

  private paintHeader(span: Span, isTrace: boolean, key: string, state: SpanDisplayState, traceId: string): void {
    const sig = `${key}|${span.name}|${state}|${span.duration_ms}|${span.type}|${span.model}|${signature(span.code_location)}|${signature(span.tags)}|${state === 'running' ? Math.floor(Date.now() / 1000) : ''}`;
    if (sig === this.headerSignature) return;
    this.headerSignature = sig;
    const kind = isTrace ? 'trace' : span.type;
    const title = h(
      'div',
      { class: 'details-title' },
      codicon(TYPE_ICONS[kind] ?? 'symbol-method', `type-${kind}`),
      h('h2', { text: span.name || '(unnamed)', title: span.name }),
    );
    const stateText = DISPLAY_STATE_TEXT[state];
    title.append(
      badge(stateText, `status: ${stateText}`, `status-badge status-${state === 'not_ended' ? 'not-ended' : state}`),
    );
    const runningFor = state === 'running' ? Date.now() - Date.parse(span.start_time) : null;
    const facts = h(
      'div',
      { class: 'details-facts' },
      h('span', { text: kind }),
      h('span', {
        text:
          span.duration_ms != null
            ? formatDuration(span.duration_ms)
            : runningFor != null
              ? `running ${formatDuration(runningFor)}`
              : '',
      }),
      h('span', { text: formatClock(span.start_time), title: span.start_time }),
      span.model ? h('span', { text: span.model }) : null,
    );
    const source = h('div', { class: 'details-source' });
    const loc = span.code_location;
    const notify = (m: string) => this.ctx.notify(m, 'error');
    if (loc) {
      source.append(codicon('go-to-file'), sourceLink(this.ctx.conn, loc, `${basename(loc.file)}:${loc.line}`, notify));
      if (loc.function) source.append(h('span', { class: 'muted', text: ` in ${loc.function}` }));
    } else if (!isTrace && span.name) {
      source.append(
        textButton({
          label: `Find function “${span.name}”`,
          appearance: 'secondary',
          icon: 'symbol-function',
          title: 'Look this name up among the workspace symbols',
          onClick: () => this.findSymbol(span.name),
        }),
      );
    }
    const actions = h(
      'div',
      { class: 'details-actions' },
      ...this.spanCommandButtons(span, isTrace),
      iconButton({
        icon: 'copy',
        label: `Copy ${isTrace ? 'trace' : 'span'} id`,
        onClick: () => this.copy(span.id, 'id'),
      }),
    );
    // The diff editor is VS Code's: the browser page has no Compare With….
    if (this.ctx.info()?.host === 'vscode') {
      actions.append(
        iconButton({
          icon: 'diff',
          label: `Compare ${isTrace ? 'trace' : 'span'} with…`,
          onClick: () =>
            void this.ctx.conn
              .request(CompareWith, isTrace ? { traceId } : { traceId, spanId: span.id })
              .catch((err: Error) => notify(`Could not compare: ${errorText(err)}`)),
        }),
      );
    }
    const tags = span.tags?.length ? h('div', { class: 'details-tags' }, ...span.tags.map((t) => tag(t))) : null;
    this.header.replaceChildren(h('div', { class: 'details-title-row' }, title, actions), facts, source, tags ?? '');
  }

  /** In the editor: Debug This Call and Save as Test on a function's span, Replay on an llm span with messages, Add to Dataset on any. */
  private spanCommandButtons(span: Span, isTrace: boolean): HTMLElement[] {
    if (this.ctx.info()?.host !== 'vscode') return [];
    const traceId = isTrace ? span.id : span.trace_id;
    const spanId = isTrace ? undefined : span.id;
    const run = (command: SpanCommand) => () =>
      void this.ctx.conn
        .request(RunSpanCommand, { command, traceId, spanId })
        .catch((err: Error) => this.ctx.notify(err.message, 'error'));
    const out: HTMLElement[] = [];
    if (span.code_location) {
      out.push(
        iconButton({
          icon: 'debug-alt',
          label: 'Debug This Call',
          className: 'span-command-debug',
          onClick: run('debugCall'),
        }),
      );
      out.push(
        iconButton({
          icon: 'beaker',
          label: 'Save as Test',
          className: 'span-command-test',
          onClick: run('saveAsTest'),
        }),
      );
    }
    if (!isTrace && span.type === 'llm' && Array.isArray((span.input as { messages?: unknown } | null)?.messages)) {
      out.push(
        iconButton({
          icon: 'play',
          label: 'Replay LLM Call',
          className: 'span-command-replay',
          onClick: run('replayLlmCall'),
        }),
      );
    }
    out.push(
      iconButton({
        icon: 'database',
        label: 'Add to Dataset',
        className: 'span-command-dataset',
        onClick: run('addToDataset'),
      }),
    );
    return out;
  }

  private async findSymbol(name: string): Promise<void> {
    try {
      const { found } = await this.ctx.conn.request(FindSymbol, { name });
      if (!found)
        this.ctx.notify(
          this.ctx.info()?.host === 'browser'
            ? 'Finding functions needs the editor: open this trace in VS Code.'
            : `No function named “${name}” in the workspace.`,
          'info',
        );
    } catch (err) {
      this.ctx.notify(`Could not look up “${name}”: ${errorText(err)}`, 'error');
    }
  }

  private copyButton(what: string, value: unknown): HTMLElement {
    return iconButton({ icon: 'copy', label: `Copy ${what}`, onClick: () => this.copy(copyText(value), what) });
  }

  private copy(text: string, what: string): void {
    this.ctx.conn.request(CopyText, { text }).then(
      () => this.ctx.notify(`Copied ${what}.`, 'info'),
      (err: unknown) => this.ctx.notify(`Could not copy: ${errorText(err)}`, 'error'),
    );
  }

  private jsonState(key: string): JsonViewState {
    let state = this.jsonStates.get(key);
    if (!state) {
      state = newJsonState();
      this.jsonStates.set(key, state);
      if (this.jsonStates.size > MAX_REMEMBERED) this.jsonStates.delete(this.jsonStates.keys().next().value!);
    }
    return state;
  }
}

type Fact = [label: string, value: string];

function usageFacts(span: Span): Fact[] {
  const out: Fact[] = [];
  if (span.model) out.push(['model', span.model]);
  if (span.provider) out.push(['provider', span.provider]);
  for (const [k, v] of Object.entries(span.usage ?? {})) out.push([k.replace(/_/g, ' '), v.toLocaleString()]);
  if (span.time_to_first_token_ms != null)
    out.push(['time to first token', formatDuration(span.time_to_first_token_ms)]);
  // Whose figure it is: the client's own, or the collector's from the price database.
  if (span.total_estimated_cost != null)
    out.push([span.cost_source === 'given' ? 'cost (given)' : 'estimated cost', formatCost(span.total_estimated_cost)]);
  return out;
}

function infoFacts(span: Span, isTrace: boolean, state: SpanDisplayState): Fact[] {
  const end = span.end_time
    ? `${span.end_time}${!isTrace && endedByTrace(span) ? ' (ended with its trace)' : ''}`
    : state === 'not_ended'
      ? '(not ended: its trace ended first)'
      : '(running)';
  const out: Fact[] = [
    ['start', span.start_time],
    ['end', end],
    ['duration', formatDuration(span.duration_ms) || '—'],
    [isTrace ? 'trace id' : 'span id', span.id],
  ];
  if (!isTrace) out.push(['trace id', span.trace_id]);
  if (span.parent_span_id) out.push(['parent span id', span.parent_span_id]);
  out.push(['project', span.project_name]);
  const thread = (span as { thread_id?: string }).thread_id;
  if (thread) out.push(['thread', thread]);
  const version = isTrace ? (span as { code_version?: CodeVersion }).code_version : undefined;
  if (version) {
    const state = version.dirty === true ? ' (dirty)' : version.dirty === false ? '' : ' (dirty: unknown)';
    out.push(['commit', `${version.commit}${state}`]);
    if (version.branch) out.push(['branch', version.branch]);
  }
  return out;
}

function factTable(facts: Fact[]): HTMLElement {
  const dl = h('dl', { class: 'facts' });
  for (const [k, v] of facts) dl.append(h('dt', { text: k }), h('dd', { text: v, title: v }));
  return dl;
}

function basename(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

/** Cheap change detection for a section's data (only the selected record is ever compared). */
function signature(value: unknown): string {
  if (value === undefined) return 'u';
  try {
    return JSON.stringify(value) ?? 'u';
  } catch {
    return String(value);
  }
}
