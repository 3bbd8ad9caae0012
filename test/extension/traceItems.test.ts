import { describe, expect, it } from 'vitest';
import { scoreBadges } from '../../src/extension/format';
import { escapeMarkdown } from '../../src/extension/markdown';
import {
  highlightRanges,
  localDateTime,
  matchesFilter,
  moreView,
  projectView,
  spanView,
  traceView,
} from '../../src/extension/tree/traceItems';
import { span, summary } from './support';

const THUMBS = 'user_feedback';

describe('a trace in the Traces view', () => {
  it('shows its name, start time, duration, tokens and score badges', () => {
    const v = traceView(
      summary('a', {
        name: 'llm_chain',
        duration_ms: 1234,
        usage: { prompt_tokens: 300, completion_tokens: 50, total_tokens: 350 },
        score_averages: { user_feedback: { avg: 1, count: 1 }, relevance: { avg: 0.8, count: 1 } },
      }),
      THUMBS,
    );
    expect(v.label).toBe('llm_chain');
    expect(v.description).toMatch(/^\d\d:\d\d:\d\d · 1\.23 s · 350 tok · 👍 1 · relevance 0\.8$/);
    expect(v.contextValue).toBe('spanscope.trace');
    expect(v.collapsible).toBe(true);
  });

  it('spins while running and turns red on error', () => {
    expect(traceView(summary('r', { status: 'running', duration_ms: null }), THUMBS)).toMatchObject({
      icon: { id: 'loading~spin' },
      description: expect.stringContaining('running'),
    });
    expect(traceView(summary('e', { status: 'error' }), THUMBS).icon).toEqual({
      id: 'error',
      color: 'errorForeground',
    });
    expect(traceView(summary('o'), THUMBS).icon.id).toBe('pass');
  });

  it('is not expandable without spans', () => {
    expect(traceView(summary('a', { span_count: 0 }), THUMBS).collapsible).toBe(false);
  });

  it('escapes span data in its tooltip so nothing in it becomes markup', () => {
    const v = traceView(
      summary('x', {
        name: '<img src=x onerror=alert(1)>',
        input_preview: '[click](command:workbench.action.quit) ```\n# heading',
        output_preview: '<script>alert(1)</script>',
      }),
      THUMBS,
    );
    expect(v.tooltip).not.toContain('<img');
    expect(v.tooltip).not.toContain('<script>');
    expect(v.tooltip).not.toContain('](command:');
    expect(v.tooltip).not.toContain('```');
    expect(v.tooltip).not.toMatch(/\n# heading/);
    expect(v.tooltip).toContain('&lt;img src=x onerror=alert\\(1\\)&gt;');
  });

  it('splits thumbs averages back into up and down counts', () => {
    expect(scoreBadges({ user_feedback: { avg: 2 / 3, count: 3 } }, THUMBS)).toEqual(['👍 2', '👎 1']);
    expect(scoreBadges({ user_feedback: { avg: 0, count: 1 }, tone: { avg: 0.5, count: 2 } }, THUMBS)).toEqual([
      '👎 1',
      'tone 0.5',
    ]);
  });
});

describe('a span in the Traces view', () => {
  it('has an icon by type', () => {
    const icon = (type: 'llm' | 'tool' | 'general' | 'guardrail') =>
      spanView(span('s', { type }), false, THUMBS).icon.id;
    expect([icon('llm'), icon('tool'), icon('general'), icon('guardrail')]).toEqual([
      'sparkle',
      'tools',
      'symbol-method',
      'shield',
    ]);
  });

  it('shows its running or error state over its type', () => {
    expect(
      spanView(span('s', { type: 'llm', status: 'running', end_time: undefined, duration_ms: null }), false, THUMBS)
        .icon.id,
    ).toBe('loading~spin');
    expect(
      spanView(
        span('s', { type: 'tool', status: 'error', error_info: { exception_type: 'ValueError' } }),
        false,
        THUMBS,
      ).icon,
    ).toEqual({ id: 'error', color: 'errorForeground' });
  });

  it("shows the trace's code version in its tooltip, the branch escaped", () => {
    const t = summary('v', {
      code_version: { commit: '9eec1edb2c0e4c7ef5033a686450cbdb506ba0e4', branch: 'fix*it', dirty: true },
    });
    expect(traceView(t, THUMBS).tooltip).toContain('**Commit** 9eec1ed fix\\*it \\(dirty\\)');
    expect(traceView(summary('n'), THUMBS).tooltip).not.toContain('Commit');
  });

  it('shows a span its trace outlived as "not ended", without a spinner', () => {
    const open = span('s', { type: 'llm', status: 'running', end_time: undefined, duration_ms: null });
    const v = spanView(open, false, THUMBS, undefined, { end_time: '2026-01-02T03:04:06.000000Z' });
    expect(v.icon).toEqual({ id: 'circle-slash', color: 'disabledForeground' });
    expect(v.description).toBe('not ended');
    expect(v.tooltip).toContain('· not ended');
    // Under a trace that runs, the same span spins.
    expect(spanView(open, false, THUMBS, undefined, {}).icon.id).toBe('loading~spin');
  });

  it('says when a span was ended by its trace', () => {
    const closed = span('s', { metadata: { 'spanscope.ended_by': 'trace_end' } });
    expect(spanView(closed, false, THUMBS).tooltip).toContain('**Ended** with its trace');
    expect(spanView(span('t'), false, THUMBS).tooltip).not.toContain('Ended');
  });

  it('shows its own scores, or the roll-up over its descendants when given', () => {
    const s = span('s', { feedback_scores: [{ name: 'relevance', value: 0.5, source: 'sdk', created_at: '' }] });
    expect(spanView(s, false, THUMBS).description).toBe('250 ms · relevance 0.5');
    expect(spanView(s, true, THUMBS, { relevance: { avg: 0.75, count: 2 } }).description).toBe(
      '250 ms · relevance 0.75',
    );
  });

  it('says when a trace or span started in local time, as the description does', () => {
    const start = '2026-03-04T05:06:07.089123Z';
    const d = new Date(start);
    const p = (n: number) => String(n).padStart(2, '0');
    const local = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.089`;
    expect(localDateTime(start)).toBe(local);
    expect(traceView(summary('t', { start_time: start }), THUMBS, undefined).tooltip).toContain(
      `**Started** ${escapeMarkdown(local)}`,
    );
    expect(localDateTime('not a time')).toBe('not a time');
  });

  it('names its model, tokens and source in the tooltip', () => {
    const v = spanView(
      span('s', {
        type: 'llm',
        model: 'gpt-4o',
        provider: 'openai',
        usage: { prompt_tokens: 10, completion_tokens: 5 },
        code_location: { file: '/src/app.py', line: 12, function: 'chat' },
      }),
      false,
      THUMBS,
    );
    expect(v.tooltip).toContain('**Model** gpt\\-4o \\(openai\\)');
    expect(v.tooltip).toContain('**Tokens** 15 \\(10 prompt \\+ 5 completion\\)');
    expect(v.tooltip).toContain('**Source** /src/app\\.py\\:12 \\(chat\\)');
  });
});

describe('other items', () => {
  it('counts a project’s traces', () => {
    expect(projectView({ name: 'p', trace_count: 1 }).description).toBe('1 trace');
    expect(projectView({ name: 'p', trace_count: 12 }).description).toBe('12 traces');
  });

  it('says how many traces the sidebar leaves to the panel', () => {
    expect(moreView(500, 1234).label).toBe('Showing the newest 500 of 1234 traces');
  });
});

describe('filtering', () => {
  it('matches every word against name, project, status, id and tags', () => {
    const t = summary('abc123', { name: 'Chat turn', project_name: 'support-bot', status: 'error', tags: ['prod'] });
    expect(matchesFilter(t, 'chat')).toBe(true);
    expect(matchesFilter(t, 'SUPPORT error')).toBe(true);
    expect(matchesFilter(t, 'prod abc1')).toBe(true);
    expect(matchesFilter(t, 'chat ok')).toBe(false);
    expect(matchesFilter(t, '')).toBe(true);
  });

  it('highlights the matched words in the label', () => {
    expect(highlightRanges('Chat turn', 'turn chat')).toEqual([
      [0, 4],
      [5, 9],
    ]);
    expect(highlightRanges('Chat turn', 'zzz')).toBeUndefined();
  });
});

describe('markdown', () => {
  it('escapes every Markdown construct and line break', () => {
    expect(escapeMarkdown('a*b_c\n# h [x](y) <b> `c` !')).toBe('a\\*b\\_c \\# h \\[x\\]\\(y\\) &lt;b&gt; \\`c\\` \\!');
  });
});
