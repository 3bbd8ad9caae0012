// OpenLLMetry (`@traceloop/node-server-sdk` 0.27) exporting OTLP/protobuf to the collector
// (its `baseUrl`), the real `openai` client against the fake OpenAI server.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as traceloop from '@traceloop/node-server-sdk';
import { MODEL, USAGE } from '../support/fakeOpenAI';
import { databasePrice } from './prices';
import { type Rig, listTraces, readTrace, readTraceOf, startRig } from './rig';
import { initTraceloop, traceloopApp } from './traceloopApp';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
  initTraceloop(`http://127.0.0.1:${rig.c.port}`, 'traceloop-app');
});
afterAll(() => rig.close());

describe('OpenLLMetry (@traceloop/node-server-sdk)', () => {
  it('shows workflow and tool inputs and outputs, chat messages, and prices every call', async () => {
    await traceloopApp(rig.openai.baseURL, MODEL);
    await traceloop.forceFlush();
    const [first] = await listTraces(rig.c, 'traceloop-app');
    await readTraceOf(rig.c, first.id, 6, () => traceloop.forceFlush());
    const [row] = await listTraces(rig.c, 'traceloop-app');
    expect(row).toMatchObject({ name: 'plan_trip', input_preview: 'Paris', output_preview: 'done', error_count: 0 });
    const { spans, byName } = await readTrace(rig.c, row.id);
    const root = byName.plan_trip;
    expect(root).toMatchObject({ type: 'general', input: 'Paris', output: 'done' });
    expect(root.metadata).not.toHaveProperty(['traceloop.entity.input']);

    const calls = spans.filter((s) => s.type === 'llm');
    expect(calls).toHaveLength(4);
    for (const call of calls)
      expect(call).toMatchObject({
        parent_span_id: root.id,
        model: MODEL,
        provider: 'openai',
        cost_source: 'estimated',
      });
    expect(calls[0].input).toEqual({
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Say hello in French.' },
      ],
    });
    expect(calls[1].output.tool_calls).toEqual([
      { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
    ]);
    expect(calls[2].input.messages.at(-1)).toEqual({
      role: 'tool',
      content: '{"city":"Paris","sky":"sunny"}',
      tool_call_id: 'call_1',
    });
    // The three plain calls carry the usage the server reported; each is priced from it.
    for (const call of calls.slice(0, 3)) {
      expect(call.usage).toEqual({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
      expect(call.total_estimated_cost).toBeCloseTo(databasePrice(MODEL, 'openai', USAGE), 12);
    }
    // OpenLLMetry 0.27 counts a stream's tokens itself (it does not read the usage chunk), and
    // records no time to first token: what it sent is shown, priced from its own counts.
    const stream = calls[3];
    expect(stream.output).toEqual({ role: 'assistant', content: 'Comment ça va?' });
    expect(stream.total_estimated_cost).toBeCloseTo(databasePrice(MODEL, 'openai', stream.usage), 12);

    expect(byName.get_weather).toMatchObject({
      type: 'tool',
      input: { city: 'Paris' },
      output: { city: 'Paris', sky: 'sunny' },
    });
    // OpenLLMetry 0.27 ends no span when a call or a task's promise rejects: the failure never arrives.
    expect(byName.broken).toBeUndefined();
    expect(spans).toHaveLength(6);
    const sum = calls.reduce((n, c) => n + c.usage.total_tokens, 0);
    const { trace } = await readTrace(rig.c, row.id);
    expect(trace.usage.total_tokens).toBe(sum);
  });
});
