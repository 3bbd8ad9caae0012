// Opik's OpenAI integration (`opik-openai`, with the `opik` client as its peer) logging to the
// collector through OPIK_URL_OVERRIDE, the real `openai` client against the fake OpenAI server.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushAll } from 'opik';
import { MODEL, USAGE } from '../support/fakeOpenAI';
import { databasePrice } from './prices';
import { type Rig, listTraces, readTrace, startRig } from './rig';
import { opikOpenAIApp } from './opikOpenAIApp';

let rig: Rig;
let previousUrl: string | undefined;
beforeAll(async () => {
  rig = await startRig();
  previousUrl = process.env.OPIK_URL_OVERRIDE;
  process.env.OPIK_URL_OVERRIDE = `http://127.0.0.1:${rig.c.port}/api`;
});
afterAll(async () => {
  if (previousUrl === undefined) delete process.env.OPIK_URL_OVERRIDE;
  else process.env.OPIK_URL_OVERRIDE = previousUrl;
  await rig.close();
});

describe('opik-openai', () => {
  it('counts each call once (original_usage is not more tokens), prices it, and keeps the failure', async () => {
    const client = await opikOpenAIApp(rig.openai.baseURL, MODEL);
    await client.flush();
    await flushAll();
    const [row] = await listTraces(rig.c, 'opik-openai-app');
    // Four calls of 17 tokens: 68, not 136 as when original_usage.* was summed too.
    expect(row).toMatchObject({
      name: 'plan_trip',
      error_count: 1,
      usage: { prompt_tokens: 48, completion_tokens: 20, total_tokens: 68 },
    });
    expect(row.total_estimated_cost).toBeCloseTo(4 * databasePrice(MODEL, 'openai', USAGE), 12);

    const { spans, byName } = await readTrace(rig.c, row.id);
    const root = byName.plan_trip;
    const calls = spans.filter((s) => s.name === 'OpenAI.chat');
    expect(calls).toHaveLength(5);
    // opik-openai 1.11 logs its calls as general spans; they are shown as sent.
    for (const call of calls)
      expect(call).toMatchObject({ parent_span_id: root.id, provider: 'openai', type: 'general' });
    for (const call of calls.slice(0, 4)) {
      expect(call.usage).toEqual({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
      expect(call).toMatchObject({ model: MODEL, cost_source: 'estimated' });
      expect(call.total_estimated_cost).toBeCloseTo(databasePrice(MODEL, 'openai', USAGE), 12);
    }
    expect(calls[0].input.messages).toEqual([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Say hello in French.' },
    ]);
    expect(calls[1].output.tool_calls).toEqual([
      { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
    ]);
    expect(calls[2].input.messages.at(-1)).toEqual({
      role: 'tool',
      tool_call_id: 'call_1',
      content: '{"city":"Paris","sky":"sunny"}',
    });
    expect(byName.get_weather).toMatchObject({
      type: 'tool',
      parent_span_id: root.id,
      output: { city: 'Paris', sky: 'sunny' },
    });
    expect(calls[4]).toMatchObject({
      model: 'no-such-model',
      status: 'error',
      error_info: { message: expect.stringContaining('does not exist') },
    });
    expect(calls[4].total_estimated_cost).toBeUndefined();
  });
});
