// The small app for OpenInference's OpenAI instrumentation
// (`@arizeai/openinference-instrumentation-openai`), set up as its README says: an
// `OpenAIInstrumentation` registered with the provider (and `manuallyInstrument(openai)`,
// its documented way when `openai` is imported as an ES module, which require hooks miss).
// A parent span of the app's own, a chat completion, a tool call and its result, a stream,
// and a failing call, through the real `openai` client.

import { SpanStatusCode, trace } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import * as openaiModule from 'openai';
import OpenAI from 'openai';

export function instrumentOpenAI(): void {
  const instrumentation = new OpenAIInstrumentation();
  registerInstrumentations({ instrumentations: [instrumentation] });
  instrumentation.manuallyInstrument(
    openaiModule as unknown as Parameters<OpenAIInstrumentation['manuallyInstrument']>[0],
  );
}

export async function openInferenceOpenAIApp(baseURL: string, model: string): Promise<string> {
  const client = new OpenAI({ baseURL, apiKey: 'sk-test', maxRetries: 0 });
  return trace.getTracer('app').startActiveSpan('plan-trip', async (root) => {
    try {
      await client.chat.completions.create({
        model,
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'Say hello in French.' },
        ],
      });
      const tools = [
        {
          type: 'function' as const,
          function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
        },
      ];
      const asked = await client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
        tools,
      });
      const call = asked.choices[0].message.tool_calls![0] as { id: string };
      await client.chat.completions.create({
        model,
        tools,
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          asked.choices[0].message,
          { role: 'tool', tool_call_id: call.id, content: '{"city":"Paris","sky":"sunny"}' },
        ],
      });
      const stream = await client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'Stream a greeting.' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const _ of stream) void _;
      await client.chat.completions
        .create({ model: 'no-such-model', messages: [{ role: 'user', content: 'fail' }] })
        .catch(() => undefined);
      root.setStatus({ code: SpanStatusCode.OK });
    } finally {
      root.end();
    }
    return root.spanContext().traceId;
  });
}
