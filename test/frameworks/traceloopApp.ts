// The small app for OpenLLMetry (`@traceloop/node-server-sdk`), instrumented as its README
// says: `traceloop.initialize()` before the LLM module is used (here with `instrumentModules`,
// the SDK's documented way when the module is imported first) and the app's functions wrapped
// in `withWorkflow` / `withTool`. A parent workflow, a chat completion with messages, a tool
// call, a streamed call and a failing call (in a task), through the real `openai` client.

import * as traceloop from '@traceloop/node-server-sdk';
import OpenAI from 'openai';

export function initTraceloop(collectorUrl: string, appName: string): void {
  traceloop.initialize({
    appName,
    baseUrl: collectorUrl,
    apiKey: 'not-used-locally',
    disableBatch: true,
    traceloopSyncEnabled: false,
    silenceInitializationMessage: true,
    instrumentModules: { openAI: OpenAI },
  });
}

export async function traceloopApp(baseURL: string, model: string): Promise<void> {
  const client = new OpenAI({ baseURL, apiKey: 'sk-test', maxRetries: 0 });
  await traceloop.withWorkflow(
    { name: 'plan_trip' },
    async (city: string) => {
      await client.chat.completions.create({
        model,
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'Say hello in French.' },
        ],
      });
      const asked = await client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: `Weather in ${city}?` }],
        tools: [
          {
            type: 'function',
            function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
          },
        ],
      });
      const call = asked.choices[0].message.tool_calls![0] as {
        id: string;
        function: { name: string; arguments: string };
      };
      const weather = await traceloop.withTool(
        { name: 'get_weather' },
        async (args: { city: string }) => ({ city: args.city, sky: 'sunny' }),
        JSON.parse(call.function.arguments),
      );
      await client.chat.completions.create({
        model,
        messages: [
          { role: 'user', content: `Weather in ${city}?` },
          asked.choices[0].message,
          { role: 'tool', tool_call_id: call.id, content: JSON.stringify(weather) },
        ],
      });
      const stream = await client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'Stream a greeting.' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const _ of stream) void _;
      // OpenLLMetry 0.27 ends no span for a chat completion that fails, nor for a task whose promise rejects.
      await traceloop
        .withTask({ name: 'broken' }, () =>
          client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'fail' }] }),
        )
        .catch(() => undefined);
      return 'done';
    },
    'Paris',
  );
}
