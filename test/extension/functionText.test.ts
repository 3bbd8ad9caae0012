// The words the editor puts next to a tracked function: lens titles, inline results, quick
// pick rows, Problems messages, and a hover whose span text can not become Markdown or HTML.

import { describe, expect, it } from 'vitest';
import type { FunctionSummary, RecentCall } from '../../src/core/functions/functionIndex';
import {
  ago,
  callPickItem,
  codeBlock,
  formatCost,
  formatMs,
  formatTokens,
  hoverMarkdown,
  inlineText,
  lensTitle,
  problemMessage,
} from '../../src/extension/editor/functionText';

const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);

function summary(fields: Partial<FunctionSummary> = {}): FunctionSummary {
  return {
    file: '/w/app.py',
    function: 'generate',
    line: 3,
    calls: 12,
    running: 0,
    errors: 2,
    p50_ms: 1200,
    p95_ms: 3400,
    tokens: 4100,
    cost: 0.031,
    scores: { relevance: 0.8234 },
    recent: [],
    ...fields,
  };
}

function recent(fields: Partial<RecentCall> = {}): RecentCall {
  return {
    span_id: 's',
    trace_id: 't',
    start_time: new Date(NOW - 120_000).toISOString(),
    duration_ms: 1200,
    status: 'ok',
    output_preview: null,
    error: null,
    tokens: 340,
    cost: 0,
    scores: {},
    ...fields,
  };
}

describe('lensTitle', () => {
  it('reads as the issue shows it', () => {
    expect(lensTitle(summary(), 'run')).toBe(
      '12 calls · p50 1.2 s · p95 3.4 s · 2 errors · 4.1k tok · $0.031 · relevance 0.82',
    );
  });

  it('says one duration for one call and leaves out what is zero', () => {
    expect(
      lensTitle(summary({ calls: 1, errors: 0, p50_ms: 340, p95_ms: 340, tokens: 0, cost: 0, scores: {} }), 'run'),
    ).toBe('1 call · 340 ms');
  });

  it('counts ended calls (a running one shows when it ends), and keeps a lens for a window with no calls', () => {
    expect(
      lensTitle(
        summary({ calls: 1, running: 1, errors: 0, p50_ms: null, p95_ms: null, tokens: 0, cost: 0, scores: {} }),
        'run',
      ),
    ).toBe('1 call running');
    expect(
      lensTitle(
        summary({ calls: 3, running: 1, errors: 0, p50_ms: 340, p95_ms: 340, tokens: 0, cost: 0, scores: {} }),
        'run',
      ),
    ).toBe('2 calls · 340 ms');
    expect(lensTitle(summary({ calls: 0 }), 'hour')).toBe('no calls in the last hour');
  });
});

describe('inlineText', () => {
  it('shows duration, tokens and the start of the output', () => {
    expect(inlineText(recent({ output_preview: 'Bonjour! Comment allez-vous aujourd’hui, mon ami ?' }))).toBe(
      '→ 1.2 s · 340 tok · "Bonjour! Comment allez-vous aujourd’hui…"',
    );
  });

  it('shows the error of a failed call', () => {
    expect(inlineText(recent({ status: 'error', error: 'ValueError: kaboom' }))).toBe('→ ValueError: kaboom');
  });
});

describe('problemMessage and callPickItem', () => {
  it('names the error, the function, the trace and how long ago', () => {
    expect(problemMessage(recent({ error: 'ValueError: kaboom', trace_name: 'my_llm_application' }), 'boom', NOW)).toBe(
      'ValueError: kaboom — in boom (trace my_llm_application, 2 min ago)',
    );
  });

  it('lists a call with its status, age and output', () => {
    const item = callPickItem(recent({ output_preview: 'Hello\n  world' }), NOW);
    expect(item.label).toMatch(/^\$\(pass\) \d\d:\d\d:\d\d · 1\.2 s$/);
    expect(item.description).toBe('ok · 2 min ago · 340 tok');
    expect(item.detail).toBe('Hello world');
  });
});

describe('hoverMarkdown', () => {
  it('puts span text in fences longer than any backtick run it holds, and escapes names', () => {
    const md = hoverMarkdown({
      fn: 'gen_<b>x</b>',
      call: recent(),
      input: 'a ```` b',
      output: '<img src=x onerror=alert(1)> [click](command:evil)',
      scores: [{ name: 'relevance', value: 0.9, reason: '*good*' }],
      links: [{ label: 'Open in Spanscope', command: 'command:spanscope.openSpan?%5B%5D' }],
    });
    expect(md).toContain('`````\na ```` b\n`````');
    expect(md).toContain('```\n<img src=x onerror=alert(1)> [click](command:evil)\n```');
    expect(md).toContain('**gen\\_\\<b\\>x\\</b\\>**');
    expect(md).toContain('- relevance: 0.9 — \\*good\\*');
    expect(md.endsWith('[Open in Spanscope](command:spanscope.openSpan?%5B%5D)')).toBe(true);
    expect(codeBlock('plain')).toBe('```\nplain\n```');
  });
});

describe('formats', () => {
  it('writes durations, tokens, costs and ages briefly', () => {
    expect([formatMs(12.4), formatMs(1234), formatMs(90_000)]).toEqual(['12 ms', '1.2 s', '1.5 min']);
    expect([formatTokens(340), formatTokens(4100), formatTokens(2_500_000)]).toEqual(['340', '4.1k', '2.5M']);
    expect([formatCost(0.031), formatCost(0.0021), formatCost(12.5)]).toEqual(['$0.031', '$0.0021', '$12.50']);
    expect([ago(1000), ago(40_000), ago(3_600_000 * 3), ago(86_400_000 * 2)]).toEqual([
      'just now',
      '40 s ago',
      '3 h ago',
      '2 d ago',
    ]);
  });
});
