import { describe, expect, it } from 'vitest';
import { endedByTrace, neverEnds, spanDisplayState, traceHasEnded } from '../../src/core/display/spanDisplay';

const ENDED = { end_time: '2026-01-02T03:04:06.000000Z' };
const RUNNING = {};

describe('how a span is shown against its trace', () => {
  it('is running while it has no end and neither has its trace', () => {
    expect(spanDisplayState({ status: 'running' }, RUNNING)).toBe('running');
    expect(spanDisplayState({ status: 'running' }, undefined)).toBe('running');
  });

  it('is "not ended" once its trace has ended without it', () => {
    expect(spanDisplayState({ status: 'running' }, ENDED)).toBe('not_ended');
  });

  it('keeps ok and error whatever the trace does', () => {
    for (const trace of [ENDED, RUNNING]) {
      expect(spanDisplayState({ status: 'ok' }, trace)).toBe('ok');
      expect(spanDisplayState({ status: 'error' }, trace)).toBe('error');
    }
  });

  it('draws no time past the start for any span without an end under an ended trace, errors included', () => {
    expect(neverEnds({}, ENDED)).toBe(true);
    expect(neverEnds({}, RUNNING)).toBe(false);
    expect(neverEnds({ end_time: ENDED.end_time }, ENDED)).toBe(false);
  });

  it('knows a trace has ended by its end time alone', () => {
    expect(traceHasEnded(ENDED)).toBe(true);
    expect(traceHasEnded({ end_time: '' })).toBe(false);
    expect(traceHasEnded(undefined)).toBe(false);
  });

  it('tells a span our SDK closed at its trace end by its metadata mark', () => {
    expect(endedByTrace({ metadata: { 'spanscope.ended_by': 'trace_end' } })).toBe(true);
    expect(endedByTrace({ metadata: { 'spanscope.ended_by': 'other' } })).toBe(false);
    expect(endedByTrace({})).toBe(false);
  });
});
