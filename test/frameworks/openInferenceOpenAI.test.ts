// OpenInference's OpenAI instrumentation (`@arizeai/openinference-instrumentation-openai` 4)
// on a NodeTracerProvider exporting OTLP/protobuf, the real `openai` client against the fake
// OpenAI server. Checked through the read API.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { MODEL, USAGE } from '../support/fakeOpenAI';
import { databasePrice } from './prices';
import { type Rig, readTrace, startRig } from './rig';
import { registerProvider } from './otelRig';
import { instrumentOpenAI, openInferenceOpenAIApp } from './openInferenceOpenAIApp';

let rig: Rig;
let provider: NodeTracerProvider;
beforeAll(async () => {
  rig = await startRig();
  provider = registerProvider(rig.c.port, 'openinference-openai');
  instrumentOpenAI();
});
afterAll(async () => {
  await provider.shutdown();
  await rig.close();
});

describe('OpenInference OpenAI instrumentation', () => {
  it('shows chat messages with tool calls, usage as reported, a cost per call, and no second copy of the request', async () => {
    const id = await openInferenceOpenAIApp(rig.openai.baseURL, MODEL);
    await provider.forceFlush();
    const { trace, spans, byName } = await readTrace(rig.c, id);
    const root = byName['plan-trip'];
    const calls = spans.filter((s) => s.type === 'llm');
    // OpenInference 4.2 ends no span for a call whose promise rejects: the failing call never arrives.
    expect(calls).toHaveLength(4);
    for (const call of calls) {
      expect(call).toMatchObject({
        name: 'OpenAI Chat Completions',
        parent_span_id: root.id,
        model: MODEL,
        provider: 'openai',
      });
      for (const key of [
        'input.value',
        'input.mime_type',
        'output.value',
        'output.mime_type',
        'openinference.span.kind',
        'llm.model_name',
      ])
        expect(call.metadata).not.toHaveProperty([key]);
    }
    expect(calls[0].input).toEqual({
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Say hello in French.' },
      ],
    });
    expect(calls[1].output).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      ],
    });
    expect(calls[2].input.messages.at(-1)).toEqual({
      role: 'tool',
      content: '{"city":"Paris","sky":"sunny"}',
      tool_call_id: 'call_1',
    });
    for (const call of calls.slice(0, 3)) {
      expect(call.usage).toEqual({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
      expect(call).toMatchObject({ cost_source: 'estimated' });
      expect(call.total_estimated_cost).toBeCloseTo(databasePrice(MODEL, 'openai', USAGE), 12);
    }
    // OpenInference 4.2 records no usage for a stream (nor a time to first token): nothing to price.
    expect(calls[3].output).toEqual({ role: 'assistant', content: 'Comment ça va?' });
    expect(calls[3].usage).toBeUndefined();
    expect(calls[3].total_estimated_cost).toBeUndefined();
    expect(trace.usage).toEqual({ prompt_tokens: 36, completion_tokens: 15, total_tokens: 51 });
    expect(trace.total_estimated_cost).toBeCloseTo(3 * databasePrice(MODEL, 'openai', USAGE), 12);
  });
});
