// What the wrapper needs to know about one OpenAI endpoint: how its request becomes a span's
// input, how its reply (or its stream of chunks) becomes the output, usage and model.

export interface LlmResult {
  output: unknown;
  usage?: Record<string, number>;
  model?: string;
  metadata?: Record<string, unknown>;
  /** The API reported a failure inside a successful HTTP reply (a failed response). */
  error?: { exception_type: string; message?: string };
}

export interface StreamAssembler {
  add(item: unknown): void;
  result(): LlmResult;
}

export interface LlmApi {
  spanName: string;
  request(body: Record<string, unknown>): { input: unknown; metadata: Record<string, unknown> };
  response(result: unknown): LlmResult;
  assembler(): StreamAssembler;
}

/** The request's parameters other than those that have fields of their own. */
export function requestMetadata(body: Record<string, unknown>, own: string[]): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) if (!own.includes(key) && value !== undefined) metadata[key] = value;
  return metadata;
}

export function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}
