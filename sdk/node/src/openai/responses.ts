// `responses.create`: `input` (and `instructions`) in; out, the same shape as a chat reply
// (the output text as `content`, function calls as `tool_calls`) so the two read alike.
// Streamed, it is a series of events; the final `response.completed` (or `.incomplete`,
// `.failed`) event carries the whole response with its usage.

import { normaliseUsage } from './usage.js';
import { record, requestMetadata, type LlmApi, type LlmResult, type StreamAssembler } from './api.js';

export const responsesApi: LlmApi = {
  spanName: 'responses.create',
  request(body) {
    const input: Record<string, unknown> = { input: body.input };
    if (body.instructions !== undefined) input.instructions = body.instructions;
    return { input, metadata: requestMetadata(body, ['input', 'instructions', 'model']) };
  },
  response: (result) => fromResponse(record(result), undefined),
  assembler: () => new ResponsesAssembler(),
};

function fromResponse(response: Record<string, unknown>, streamedText: string | undefined): LlmResult {
  const items = Array.isArray(response.output) ? response.output.map(record) : [];
  let text = typeof response.output_text === 'string' ? response.output_text : '';
  if (!text) {
    for (const item of items) {
      if (item.type !== 'message' || !Array.isArray(item.content)) continue;
      for (const part of item.content.map(record))
        if (part.type === 'output_text' && typeof part.text === 'string') text += part.text;
    }
  }
  if (!text && streamedText) text = streamedText;
  const output: Record<string, unknown> = { role: 'assistant', content: text || null };
  const calls = items
    .filter((item) => item.type === 'function_call')
    .map((item) => ({
      id: item.call_id ?? item.id,
      type: 'function',
      function: { name: item.name, arguments: item.arguments },
    }));
  if (calls.length) output.tool_calls = calls;
  const metadata: Record<string, unknown> = {};
  if (typeof response.id === 'string') metadata.response_id = response.id;
  if (typeof response.status === 'string') metadata.status = response.status;
  const result: LlmResult = {
    output,
    usage: normaliseUsage(response.usage),
    model: typeof response.model === 'string' ? response.model : undefined,
    metadata,
  };
  const error = record(response.error);
  if (response.status === 'failed' || error.message) {
    result.error = {
      exception_type: typeof error.code === 'string' ? error.code : 'ResponseFailed',
      message: typeof error.message === 'string' ? error.message : 'the response failed',
    };
  }
  return result;
}

class ResponsesAssembler implements StreamAssembler {
  private text = '';
  private response: Record<string, unknown> | undefined;
  private error: { exception_type: string; message?: string } | undefined;

  add(item: unknown): void {
    const event = record(item);
    switch (event.type) {
      case 'response.output_text.delta':
        if (typeof event.delta === 'string') this.text += event.delta;
        break;
      case 'response.created':
      case 'response.in_progress':
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        if (event.response && typeof event.response === 'object') this.response = record(event.response);
        break;
      case 'error':
        this.error = {
          exception_type: typeof event.code === 'string' ? event.code : 'StreamError',
          message: typeof event.message === 'string' ? event.message : undefined,
        };
        break;
    }
  }

  result(): LlmResult {
    const result = fromResponse(this.response ?? {}, this.text);
    if (this.error) result.error = this.error;
    return result;
  }
}
