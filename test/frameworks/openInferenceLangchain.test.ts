// OpenInference's LangChain instrumentation (`@arizeai/openinference-instrumentation-langchain`
// 4) with `@langchain/openai`'s ChatOpenAI, on a NodeTracerProvider exporting OTLP/protobuf,
// against the fake OpenAI server. Checked through the read API.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { MODEL, USAGE } from '../support/fakeOpenAI';
import { databasePrice } from './prices';
import { type Rig, listTraces, readTrace, startRig } from './rig';
import { registerProvider } from './otelRig';
import { instrumentLangChain, langchainApp } from './openInferenceLangchainApp';

let rig: Rig;
let provider: NodeTracerProvider;
beforeAll(async () => {
  rig = await startRig();
  provider = registerProvider(rig.c.port, 'openinference-langchain');
  instrumentLangChain();
});
afterAll(async () => {
  await provider.shutdown();
  await rig.close();
});

describe('OpenInference LangChain instrumentation', () => {
  it('shows the runnable as the parent, its model calls, the tool run and the failure', async () => {
    await langchainApp(rig.openai.baseURL, MODEL);
    await provider.forceFlush();
    const [row] = await listTraces(rig.c, 'openinference-langchain');
    expect(row).toMatchObject({
      name: 'plan_trip',
      input_preview: 'Paris',
      output_preview: 'done',
      error_count: 1,
      usage: { prompt_tokens: 48, completion_tokens: 20, total_tokens: 68 },
    });
    expect(row.total_estimated_cost).toBeCloseTo(4 * databasePrice(MODEL, 'openai', USAGE), 12);

    const { spans, byName } = await readTrace(rig.c, row.id);
    const root = byName.plan_trip;
    expect(root).toMatchObject({
      type: 'general',
      input: 'Paris',
      output: 'done',
      metadata: { 'openinference.span.kind': 'CHAIN' },
    });
    const calls = spans.filter((s) => s.type === 'llm');
    expect(calls).toHaveLength(5);
    for (const call of calls) {
      expect(call).toMatchObject({ name: 'ChatOpenAI', parent_span_id: root.id, provider: 'openai' });
      // LangChain's ls_provider / ls_model_name are the provider and model: not kept again.
      expect(call.metadata).not.toHaveProperty('ls_provider');
      expect(call.metadata).not.toHaveProperty('ls_model_name');
      expect(call.metadata).not.toHaveProperty(['input.value']);
    }
    expect(calls[0]).toMatchObject({
      model: MODEL,
      input: {
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'Say hello in French.' },
        ],
      },
      output: { role: 'assistant', content: 'Comment ça va?' },
    });
    expect(calls[1].output.tool_calls).toEqual([
      { type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
    ]);
    expect(calls[2].input.messages.at(-1)).toEqual({ role: 'tool', content: '{"city":"Paris","sky":"sunny"}' });
    for (const call of calls.slice(0, 4)) {
      expect(call.usage).toEqual({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
      expect(call.total_estimated_cost).toBeCloseTo(databasePrice(MODEL, 'openai', USAGE), 12);
    }
    // The tool run: what the tool returned, not LangChain's serialised ToolMessage.
    expect(byName.get_weather).toMatchObject({
      type: 'tool',
      parent_span_id: root.id,
      input: 'Paris',
      output: { city: 'Paris', sky: 'sunny' },
    });
    const failed = calls[4];
    expect(failed).toMatchObject({
      model: 'no-such-model',
      status: 'error',
      error_info: { message: expect.stringContaining('does not exist') },
    });
    expect(failed.total_estimated_cost).toBeUndefined();
  });
});
