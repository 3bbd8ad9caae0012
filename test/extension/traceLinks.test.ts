import { describe, expect, it } from 'vitest';
import { parseTraceLink, traceLink } from '../../src/extension/traceLinks';

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
