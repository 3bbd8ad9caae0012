// The small app for Opik's OpenAI integration (`opik-openai`), as its README says:
// `trackOpenAI(openai, {parent})`, then `flush()`. The app's functions are Opik `track`ed (the
// parent and the tool); the calls, nested under the tracked function by `parent` (the
// integration does not look at `track`'s context), go through the real `openai` client to
// the fake OpenAI server.

import { getTrackContext, track } from 'opik';
import { trackOpenAI } from 'opik-openai';
import OpenAI from 'openai';

export async function opikOpenAIApp(baseURL: string, model: string): Promise<{ flush(): Promise<void> }> {
  let flush = async () => {};
  const getWeather = track({ name: 'get_weather', type: 'tool' }, async (city: string) => ({ city, sky: 'sunny' }));
  const planTrip = track(
    { name: 'plan_trip', type: 'general', projectName: 'opik-openai-app' },
    async (city: string) => {
      const client = trackOpenAI(new OpenAI({ baseURL, apiKey: 'sk-test', maxRetries: 0 }), {
        parent: getTrackContext()?.span,
      });
      flush = () => client.flush();
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
        messages: [{ role: 'user', content: `Weather in ${city}?` }],
        tools,
      });
      const call = asked.choices[0].message.tool_calls![0] as { id: string };
      const weather = await getWeather(city);
      await client.chat.completions.create({
        model,
        tools,
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
      await client.chat.completions
        .create({ model: 'no-such-model', messages: [{ role: 'user', content: 'fail' }] })
        .catch(() => undefined);
      return 'done';
    },
  );
  await planTrip('Paris');
  return { flush: () => flush() };
}
