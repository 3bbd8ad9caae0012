// `trace.end()` ends the spans made through the trace that the user left open (issue 13,
// item 12): at the trace's end time, marked `metadata["spanscope.ended_by"] = "trace_end"`
// so the UI can tell they did not end on their own; spans the user ended keep their own end
// and no mark. Against the real collector, read back through its read API.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, configure, flush, initLogger } from '../src/index';
import { startTestCollector, type TestCollector } from '../../../test/support/collector';
import { onlyTrace, spanNamed, traceDetail } from '../../../test/support/traces';

const MARK = { 'spanscope.ended_by': 'trace_end' };

let c: TestCollector;
beforeAll(async () => {
  c = await startTestCollector();
  configure({ url: `http://127.0.0.1:${c.port}` });
});
afterAll(async () => {
  await flush();
  configure({ disabled: true });
  await c.close();
});

describe('trace.end()', () => {
  it("ends the spans left open at the trace's end, marked, and leaves ended ones alone", async () => {
    const client = new Client({ projectName: 'end-open' });
    const trace = client.trace({ name: 'my_trace' });
    trace.span({ name: 'done', metadata: { mine: 1 } }).end();
    const leftOpen = trace.span({ name: 'left open', metadata: { mine: 2 } });
    leftOpen.span({ name: 'open child' });
    await flush();
    expect(spanNamed(await traceDetail(c, trace.id), 'left open').status).toBe('running');

    const end = new Date(Date.now() + 1000);
    trace.end({ endTime: end });
    await flush();
    const detail = await onlyTrace(c, 'end-open');
    expect(detail.trace.end_time).toBe(end.toISOString().replace('Z', '000Z'));
    expect(spanNamed(detail, 'left open')).toMatchObject({
      status: 'ok',
      end_time: detail.trace.end_time,
      metadata: { ...MARK, mine: 2 },
    });
    expect(spanNamed(detail, 'open child')).toMatchObject({
      status: 'ok',
      end_time: detail.trace.end_time,
      metadata: MARK,
    });
    const done = spanNamed(detail, 'done');
    expect(done.metadata).toEqual({ mine: 1 });
    expect(done.end_time! < detail.trace.end_time!).toBe(true);
  });

  it('ends the open children of a root span started by the logger when it ends', async () => {
    const root = initLogger({ projectName: 'end-root' }).startSpan({ name: 'request' });
    root.startSpan({ name: 'step' });
    root.end();
    await flush();
    const detail = await onlyTrace(c, 'end-root');
    expect(spanNamed(detail, 'step')).toMatchObject({
      status: 'ok',
      end_time: spanNamed(detail, 'request').end_time,
      metadata: MARK,
    });
    expect(spanNamed(detail, 'request').metadata).toBeUndefined();
  });
});
