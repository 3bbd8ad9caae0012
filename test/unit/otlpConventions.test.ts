import { describe, expect, it } from 'vitest';
import type { SpanPatch } from '../../src/core/model/model';
import { otlpToPatches } from '../../src/core/normalise/otlp';
import { otlpRequest, otlpSpan } from '../support/otlpBuilders';

/** The span patch for one span carrying these attributes. */
function spanWith(attributes: Record<string, unknown>): SpanPatch {
  const result = otlpToPatches(otlpRequest([otlpSpan({ attributes })]));
  expect(result.rejectedSpans).toBe(0);
  const patch = result.patches[0];
  if (patch.kind !== 'span') throw new Error('expected a span');
  return patch.span;
}

/** Metadata without the keys every span gets (kind, scope, resource). */
function ownMetadata(span: SpanPatch): Record<string, unknown> {
  const {
    resource: _r,
    'otel.span.kind': _k,
    'otel.scope.name': _n,
    'otel.scope.version': _v,
    ...rest
  } = span.metadata ?? {};
  return rest;
}

describe('OTel GenAI semantic conventions', () => {
  const chat = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.response.model': 'gpt-4o-2024-08-06',
    'gen_ai.usage.input_tokens': 20,
    'gen_ai.usage.output_tokens': 7,
    'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'Be brief.' }]),
    'gen_ai.input.messages': JSON.stringify([
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
      {
        role: 'assistant',
        parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }],
      },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'rainy, 57°F' }] },
    ]),
    'gen_ai.output.messages': JSON.stringify([
      { role: 'assistant', parts: [{ type: 'text', content: 'Rainy, 57°F.' }], finish_reason: 'stop' },
    ]),
  };

  it('makes a chat span an LLM span with model, provider and usage', () => {
    const span = spanWith(chat);
    expect(span).toMatchObject({
      type: 'llm',
      model: 'gpt-4o-2024-08-06',
      provider: 'openai',
      usage: { prompt_tokens: 20, completion_tokens: 7, total_tokens: 27 },
    });
  });

  it('renders the messages as chat messages: system first, tool calls and results in OpenAI form', () => {
    const span = spanWith(chat);
    expect(span.input).toEqual({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          ],
        },
        { role: 'tool', content: 'rainy, 57°F', tool_call_id: 'call_1' },
      ],
    });
    expect(span.output).toEqual({ role: 'assistant', content: 'Rainy, 57°F.' });
  });

  it('keeps what it did not map, and the request model when the response model differs', () => {
    expect(ownMetadata(spanWith(chat))).toEqual({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' });
  });

  it('reads messages given as structures rather than JSON strings', () => {
    const span = spanWith({
      'gen_ai.operation.name': 'chat',
      'gen_ai.input.messages': [{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }],
    });
    expect(span.input).toEqual({ messages: [{ role: 'user', content: 'hi' }] });
  });

  it('keeps non-text parts as a list of parts', () => {
    const span = spanWith({
      'gen_ai.input.messages': JSON.stringify([
        {
          role: 'user',
          parts: [
            { type: 'text', content: 'what is this?' },
            { type: 'uri', modality: 'image', uri: 'https://x/cat.png' },
          ],
        },
      ]),
    });
    expect(span.input).toEqual({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'uri', modality: 'image', uri: 'https://x/cat.png' },
          ],
        },
      ],
    });
    expect(span.type).toBe('llm');
  });

  it('reads the older names: gen_ai.system and prompt/completion tokens', () => {
    const span = spanWith({
      'gen_ai.system': 'anthropic',
      'gen_ai.request.model': 'claude',
      'gen_ai.usage.prompt_tokens': 3,
      'gen_ai.usage.completion_tokens': 2,
      'gen_ai.usage.cache_read_input_tokens': 1,
    });
    expect(span).toMatchObject({
      type: 'llm',
      provider: 'anthropic',
      model: 'claude',
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5, cached_tokens: 1 },
    });
    expect(ownMetadata(span)).toEqual({});
  });

  it('writes several choices as {choices: [message, …]}, the shape our SDKs write', () => {
    const choices = JSON.stringify([
      { role: 'assistant', parts: [{ type: 'text', content: 'A' }] },
      { role: 'assistant', parts: [{ type: 'text', content: 'B' }] },
    ]);
    const span = spanWith({ 'gen_ai.output.messages': choices });
    expect(span.output).toEqual({
      choices: [
        { role: 'assistant', content: 'A' },
        { role: 'assistant', content: 'B' },
      ],
    });
    expect(ownMetadata(span)['gen_ai.output.messages']).toBeUndefined();
    const flat = spanWith({
      'gen_ai.completion.0.role': 'assistant',
      'gen_ai.completion.0.content': 'A',
      'gen_ai.completion.1.role': 'assistant',
      'gen_ai.completion.1.content': 'B',
    });
    expect(flat.output).toEqual({
      choices: [
        { role: 'assistant', content: 'A' },
        { role: 'assistant', content: 'B' },
      ],
    });
  });

  it('makes execute_tool a tool span with its arguments and result', () => {
    const span = spanWith({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'get_weather',
      'gen_ai.tool.call.arguments': '{"city":"Paris"}',
      'gen_ai.tool.call.result': 'rainy',
    });
    expect(span).toMatchObject({ type: 'tool', input: { city: 'Paris' }, output: 'rainy' });
    expect(ownMetadata(span)).toEqual({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_weather' });
  });

  it('makes agent operations general spans', () => {
    expect(spanWith({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.request.model': 'gpt-4o' }).type).toBe(
      'general',
    );
  });
});

describe('OpenLLMetry indexed prompt and completion attributes', () => {
  it('rebuilds the messages, with tool calls', () => {
    const span = spanWith({
      'llm.request.type': 'chat',
      'gen_ai.prompt.0.role': 'system',
      'gen_ai.prompt.0.content': 'Be brief.',
      'gen_ai.prompt.1.role': 'user',
      'gen_ai.prompt.1.content': 'Weather?',
      'gen_ai.completion.0.role': 'assistant',
      'gen_ai.completion.0.finish_reason': 'tool_calls',
      'gen_ai.completion.0.tool_calls.0.id': 'c1',
      'gen_ai.completion.0.tool_calls.0.name': 'get_weather',
      'gen_ai.completion.0.tool_calls.0.arguments': '{"city":"Paris"}',
      'llm.usage.total_tokens': 30,
      'gen_ai.usage.prompt_tokens': 20,
      'gen_ai.usage.completion_tokens': 10,
    });
    expect(span.type).toBe('llm');
    expect(span.input).toEqual({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather?' },
      ],
    });
    expect(span.output).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
    });
    expect(span.usage).toEqual({ prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 });
  });
});

describe('OpenInference', () => {
  it('maps an LLM span: kind, model, token counts, flattened messages with tool calls', () => {
    const span = spanWith({
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'gpt-4o-mini',
      'llm.provider': 'openai',
      'llm.token_count.prompt': 11,
      'llm.token_count.completion': 4,
      'llm.token_count.total': 15,
      'llm.token_count.prompt_details.cache_read': 2,
      'llm.input_messages.0.message.role': 'system',
      'llm.input_messages.0.message.content': 'You help.',
      'llm.input_messages.1.message.role': 'user',
      'llm.input_messages.1.message.contents.0.message_content.type': 'text',
      'llm.input_messages.1.message.contents.0.message_content.text': 'Hi',
      'llm.output_messages.0.message.role': 'assistant',
      'llm.output_messages.0.message.tool_calls.0.tool_call.id': 't1',
      'llm.output_messages.0.message.tool_calls.0.tool_call.function.name': 'search',
      'llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments': '{"q":"x"}',
      'input.value': '{"messages":[]}',
      'input.mime_type': 'application/json',
      'llm.invocation_parameters': '{"temperature":0}',
    });
    expect(span).toMatchObject({
      type: 'llm',
      model: 'gpt-4o-mini',
      provider: 'openai',
      usage: { prompt_tokens: 11, completion_tokens: 4, total_tokens: 15, cached_tokens: 2 },
    });
    expect(span.input).toEqual({
      messages: [
        { role: 'system', content: 'You help.' },
        { role: 'user', content: 'Hi' },
      ],
    });
    expect(span.output).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 't1', type: 'function', function: { name: 'search', arguments: '{"q":"x"}' } }],
    });
    // The raw request is the messages again: once they are read it leaves metadata, with the kind the type says.
    expect(ownMetadata(span)).toEqual({ 'llm.invocation_parameters': '{"temperature":0}' });
  });

  it('parses input.value and output.value when their mime type says JSON', () => {
    const span = spanWith({
      'openinference.span.kind': 'CHAIN',
      'input.value': '{"question":"q"}',
      'input.mime_type': 'application/json',
      'output.value': 'plain answer',
      'output.mime_type': 'text/plain',
    });
    expect(span).toMatchObject({ type: 'general', input: { question: 'q' }, output: 'plain answer' });
    expect(ownMetadata(span)).toEqual({ 'openinference.span.kind': 'CHAIN' });
  });

  it('leaves input.value as text without a JSON mime type', () => {
    expect(spanWith({ 'input.value': '{"looks":"like json"}' }).input).toBe('{"looks":"like json"}');
  });

  it('maps TOOL, GUARDRAIL and EMBEDDING kinds', () => {
    expect(spanWith({ 'openinference.span.kind': 'TOOL' }).type).toBe('tool');
    expect(spanWith({ 'openinference.span.kind': 'GUARDRAIL' }).type).toBe('guardrail');
    expect(spanWith({ 'openinference.span.kind': 'EMBEDDING' }).type).toBe('llm');
    expect(spanWith({ 'openinference.span.kind': 'RETRIEVER' }).type).toBe('general');
  });

  it('takes tags, JSON metadata and cost', () => {
    const span = spanWith({ 'tag.tags': ['a', 'b'], metadata: '{"user":"u1"}', 'llm.cost.total': 0.002 });
    expect(span).toMatchObject({ tags: ['a', 'b'], total_estimated_cost: 0.002 });
    expect(ownMetadata(span)).toEqual({ user: 'u1' });
  });
});

describe('Vercel AI SDK', () => {
  it('reads prompt messages, response text and tool calls', () => {
    const span = spanWith({
      'ai.operationId': 'ai.generateText.doGenerate',
      'ai.model.id': 'gpt-4o',
      'ai.model.provider': 'openai.chat',
      'ai.prompt.messages': JSON.stringify([{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }]),
      'ai.response.text': 'Hi there',
      'ai.response.toolCalls': JSON.stringify([{ toolCallId: 'c9', toolName: 'lookup', args: { id: 1 } }]),
      'ai.usage.promptTokens': 5,
      'ai.usage.completionTokens': 3,
    });
    expect(span).toMatchObject({
      type: 'llm',
      model: 'gpt-4o',
      provider: 'openai',
      usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
    });
    expect(span.input).toEqual({ messages: [{ role: 'user', content: 'Hello' }] });
    expect(span.output).toEqual({
      role: 'assistant',
      content: 'Hi there',
      tool_calls: [{ id: 'c9', type: 'function', function: { name: 'lookup', arguments: '{"id":1}' } }],
    });
  });

  it('makes ai.toolCall a tool span', () => {
    expect(spanWith({ 'ai.operationId': 'ai.toolCall' }).type).toBe('tool');
  });

  it('makes a wrapper a general span with no usage of its own, named by its functionId, its input from ai.prompt', () => {
    const span = spanWith({
      'ai.operationId': 'ai.streamText',
      'ai.telemetry.functionId': 'chat-turn',
      'operation.name': 'ai.streamText chat-turn',
      'resource.name': 'chat-turn',
      'ai.prompt': JSON.stringify({ system: 'Be brief.', prompt: 'Hi' }),
      'ai.response.text': 'Hello',
      'ai.usage.inputTokens': 12,
      'ai.usage.outputTokens': 5,
      'ai.usage.totalTokens': 17,
      'ai.usage.inputTokenDetails.noCacheTokens': 12,
      'ai.model.id': 'gpt-4o',
      'ai.model.provider': 'openai.responses',
    });
    expect(span).toMatchObject({
      type: 'general',
      name: 'chat-turn',
      provider: 'openai',
      input: {
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ],
      },
    });
    expect(span.usage).toBeUndefined();
    expect(ownMetadata(span)).toEqual({});
  });

  it("names a tool span by its tool, with its arguments and result, and reads the first chunk's time and cache details", () => {
    const tool = spanWith({
      'ai.operationId': 'ai.toolCall',
      'ai.toolCall.name': 'get_weather',
      'ai.toolCall.id': 'call_1',
      'ai.toolCall.args': '{"city":"Paris"}',
      'ai.toolCall.result': '{"sky":"sunny"}',
    });
    expect(tool).toMatchObject({
      type: 'tool',
      name: 'get_weather',
      input: { city: 'Paris' },
      output: { sky: 'sunny' },
      metadata: { tool_call_id: 'call_1' },
    });
    const stream = spanWith({
      'ai.operationId': 'ai.streamText.doStream',
      'ai.model.id': 'gpt-4o',
      'ai.response.msToFirstChunk': 61.5,
      'ai.usage.inputTokens': 100,
      'ai.usage.outputTokens': 20,
      'ai.usage.inputTokenDetails.cacheReadTokens': 40,
      'ai.usage.cachedInputTokens': 40,
      'ai.usage.reasoningTokens': 8,
    });
    expect(stream).toMatchObject({
      type: 'llm',
      time_to_first_token_ms: 61.5,
      usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120, cached_tokens: 40, reasoning_tokens: 8 },
    });
    expect(ownMetadata(stream)).toEqual({});
  });

  it('unwraps tool results given as {type: "json", value} in chat messages', () => {
    const span = spanWith({
      'ai.operationId': 'ai.generateText.doGenerate',
      'ai.prompt.messages': JSON.stringify([
        {
          role: 'tool',
          content: [
            { type: 'tool-result', toolCallId: 'c1', toolName: 'w', output: { type: 'json', value: { sky: 'sunny' } } },
          ],
        },
      ]),
    });
    expect(span.input).toEqual({ messages: [{ role: 'tool', content: '{"sky":"sunny"}', tool_call_id: 'c1' }] });
  });
});

describe('OpenLLMetry entities', () => {
  it('names workflow and tool spans by their entity and reads their input and output', () => {
    const span = spanWith({
      'traceloop.span.kind': 'tool',
      'traceloop.entity.name': 'get_weather',
      'traceloop.entity.input': '{"args":[],"kwargs":{"city":"Paris"}}',
      'traceloop.entity.output': '"sunny"',
    });
    expect(span).toMatchObject({ type: 'tool', name: 'get_weather', input: { city: 'Paris' }, output: 'sunny' });
    expect(ownMetadata(span)).toEqual({});
  });
});

describe('LangChain metadata', () => {
  it('takes provider and model from ls_provider / ls_model_name when nothing else gives them', () => {
    const span = spanWith({
      'openinference.span.kind': 'LLM',
      metadata: JSON.stringify({ ls_provider: 'anthropic', ls_model_name: 'claude-3-5-sonnet', ls_temperature: 0 }),
    });
    expect(span).toMatchObject({ provider: 'anthropic', model: 'claude-3-5-sonnet' });
    expect(ownMetadata(span)).toEqual({ ls_temperature: 0 });
  });
});

describe('OTel GenAI time to first chunk and Logfire', () => {
  it('reads gen_ai.response.time_to_first_chunk (seconds) as milliseconds', () => {
    expect(
      spanWith({ 'gen_ai.operation.name': 'chat', 'gen_ai.response.time_to_first_chunk': 0.25 }).time_to_first_token_ms,
    ).toBe(250);
  });

  it("reads Logfire's request_data / response_data as a chat, and operation.cost as a given cost", () => {
    const span = spanWith({
      request_data: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }),
      response_data: JSON.stringify({
        message: { role: 'assistant', content: 'Hello' },
        usage: { prompt_tokens: 3, completion_tokens: 1 },
      }),
      'operation.cost': 0.0001,
    });
    expect(span).toMatchObject({
      type: 'llm',
      model: 'gpt-4o',
      total_estimated_cost: 0.0001,
      usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
    });
    expect(span.input).toEqual({ messages: [{ role: 'user', content: 'Hi' }] });
    expect(span.output).toEqual({ role: 'assistant', content: 'Hello' });
    expect(ownMetadata(span)).toEqual({});
  });
});

describe('code location', () => {
  it('reads the current code.* attributes', () => {
    const span = spanWith({
      'code.file.path': '/home/me/app.py',
      'code.line.number': 12,
      'code.function.name': 'app.main',
    });
    expect(span.code_location).toEqual({ file: '/home/me/app.py', line: 12, function: 'app.main' });
    expect(ownMetadata(span)).toEqual({});
  });

  it('reads the older code.filepath / code.lineno / code.function, and file URLs', () => {
    expect(
      spanWith({ 'code.filepath': 'file:///home/me/my%20app.ts', 'code.lineno': '7', 'code.function': 'run' })
        .code_location,
    ).toEqual({ file: '/home/me/my app.ts', line: 7, function: 'run' });
  });

  it('needs a file and a positive line; a partial location stays in metadata', () => {
    const span = spanWith({ 'code.function.name': 'run', 'code.line.number': 0, 'code.file.path': '/x.py' });
    expect(span).not.toHaveProperty('code_location');
    expect(ownMetadata(span)).toEqual({
      'code.function.name': 'run',
      'code.line.number': 0,
      'code.file.path': '/x.py',
    });
  });
});

describe('plain spans', () => {
  it('are general spans with no input or output', () => {
    const span = spanWith({ 'http.route': '/x' });
    expect(span.type).toBe('general');
    expect(span).not.toHaveProperty('input');
    expect(span).not.toHaveProperty('output');
  });
});
