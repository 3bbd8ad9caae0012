// The small app each Vercel AI SDK test runs: a parent function (a span of the app's own),
// a chat completion with messages, a tool call the model asks for and the SDK runs, a
// streamed call, and a call that fails. Telemetry is on the way the `ai` docs say:
// `experimental_telemetry: { isEnabled: true, functionId }`, spans from the tracer given.

import type { Tracer } from '@opentelemetry/api';
import { SpanStatusCode } from '@opentelemetry/api';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';

export async function vercelApp(tracer: Tracer, baseURL: string, model: string): Promise<string> {
  const openai = createOpenAI({ baseURL, apiKey: 'sk-test' });
  const telemetry = (functionId: string) => ({ isEnabled: true, functionId, tracer });
  return tracer.startActiveSpan('plan-trip', async (root) => {
    try {
      await generateText({
        model: openai.chat(model),
        system: 'You are terse.',
        messages: [{ role: 'user', content: 'Say hello in French.' }],
        experimental_telemetry: telemetry('greet'),
      });
      await generateText({
        model: openai.chat(model),
        prompt: 'Weather in Paris?',
        tools: {
          get_weather: tool({
            description: 'The weather in a city',
            inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
            execute: async ({ city }) => ({ city, sky: 'sunny' }),
          }),
        },
        stopWhen: stepCountIs(3),
        experimental_telemetry: telemetry('weather'),
      });
      const stream = streamText({ model: openai.chat(model), prompt: 'Stream a greeting.', experimental_telemetry: telemetry('stream-greeting') });
      for await (const _ of stream.textStream) void _;
      await generateText({ model: openai.chat('no-such-model'), prompt: 'fail', maxRetries: 0, experimental_telemetry: telemetry('broken') }).catch(() => undefined);
      root.setStatus({ code: SpanStatusCode.OK });
    } finally {
      root.end();
    }
    return root.spanContext().traceId;
  });
}
