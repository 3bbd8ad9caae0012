// The small app for OpenInference's LangChain instrumentation
// (`@arizeai/openinference-instrumentation-langchain`), set up as its README says:
// `manuallyInstrument` on `@langchain/core/callbacks/manager`. A parent runnable (the app's
// function), a chat model call with messages, a tool the model asks for and the app runs, a
// stream, and a failing call, through `@langchain/openai`'s ChatOpenAI.

import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';
import * as CallbackManagerModule from '@langchain/core/callbacks/manager';
import { type AIMessage, HumanMessage, SystemMessage, type ToolMessage } from '@langchain/core/messages';
import { type RunnableConfig, RunnableLambda } from '@langchain/core/runnables';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';

export function instrumentLangChain(): void {
  new LangChainInstrumentation().manuallyInstrument(CallbackManagerModule);
}

export async function langchainApp(baseURL: string, model: string): Promise<void> {
  const chat = new ChatOpenAI({
    model,
    apiKey: 'sk-test',
    configuration: { baseURL },
    maxRetries: 0,
    streamUsage: true,
  });
  const getWeather = tool(async ({ city }: { city: string }) => JSON.stringify({ city, sky: 'sunny' }), {
    name: 'get_weather',
    description: 'The weather in a city',
    schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  });
  // The config passed on, as LangChain JS asks, so the calls are the runnable's children.
  const planTrip = RunnableLambda.from(async (city: string, config?: RunnableConfig) => {
    await chat.invoke([new SystemMessage('You are terse.'), new HumanMessage('Say hello in French.')], config);
    const withTools = chat.bindTools([getWeather]);
    const question = new HumanMessage(`Weather in ${city}?`);
    const asked = (await withTools.invoke([question], config)) as AIMessage;
    const call = asked.tool_calls![0];
    // Given the model's tool call, a tool returns a ToolMessage (the typings' overloads cannot say which).
    const result = await (
      getWeather as unknown as { invoke(input: unknown, config?: RunnableConfig): Promise<ToolMessage> }
    ).invoke(call, config);
    await withTools.invoke([question, asked, result], config);
    for await (const _ of await chat.stream('Stream a greeting.', config)) void _;
    await new ChatOpenAI({ model: 'no-such-model', apiKey: 'sk-test', configuration: { baseURL }, maxRetries: 0 })
      .invoke('fail', config)
      .catch(() => undefined);
    return 'done';
  }).withConfig({ runName: 'plan_trip' });
  await planTrip.invoke('Paris');
}
