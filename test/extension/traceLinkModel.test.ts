import { describe, expect, it } from 'vitest';
import { findTerminalTraceLinks, parseTraceLink, traceLink } from '../../src/extension/traceLinkModel';

describe('trace links', () => {
  it('round-trips a trace and span id through the link', () => {
    const link = new URL(traceLink('vscode', 'trace 1/ä', 'span&2'));
    expect(link.protocol).toBe('vscode:');
    expect(link.host).toBe('spanscope.spanscope');
    expect(parseTraceLink(link.pathname, link.search.slice(1))).toEqual({ traceId: 'trace 1/ä', spanId: 'span&2' });
  });

  it('accepts Opik’s trace_id name too', () => {
    expect(parseTraceLink('/trace', 'trace_id=abc')).toEqual({ traceId: 'abc' });
  });

  it('refuses other paths, missing ids and control characters', () => {
    expect(parseTraceLink('/other', 'id=abc')).toBeUndefined();
    expect(parseTraceLink('/trace', '')).toBeUndefined();
    expect(parseTraceLink('/trace', 'id=a%0Ab')).toBeUndefined();
    expect(parseTraceLink('/trace', `id=${'x'.repeat(129)}`)).toBeUndefined();
  });
});

describe('trace links in terminal output', () => {
  it('finds the link the Opik SDK prints, on this window’s port only', () => {
    const line =
      'OPIK: Started logging traces to the "Default Project" project at http://localhost:7726/api/v1/session/redirect/projects/?trace_id=0193abc&path=aHR0cA==.';
    const [link] = findTerminalTraceLinks(line, 7726);
    expect(link.traceId).toBe('0193abc');
    expect(line.slice(link.startIndex, link.startIndex + link.length)).toBe(
      'http://localhost:7726/api/v1/session/redirect/projects/?trace_id=0193abc&path=aHR0cA==',
    );
    expect(findTerminalTraceLinks(line, 7727)).toEqual([]);
  });

  it('finds the web page’s trace links and ignores other addresses', () => {
    const line =
      'see http://127.0.0.1:7726/?trace=t-1 and http://127.0.0.1:7726/api/traces/t-2 and https://example.com:7726/?trace=x';
    expect(findTerminalTraceLinks(line, 7726).map((l) => l.traceId)).toEqual(['t-1']);
  });
});
