// Token usage in the model's names (Opik's): `prompt_tokens`, `completion_tokens`,
// `total_tokens`, with nested detail counters flattened as "prompt_tokens_details.cached_tokens".
// The Responses API says input/output where Chat Completions says prompt/completion.

const RENAMES: Record<string, string> = {
  input_tokens: 'prompt_tokens',
  output_tokens: 'completion_tokens',
  input_tokens_details: 'prompt_tokens_details',
  output_tokens_details: 'completion_tokens_details',
};

export function normaliseUsage(raw: unknown): Record<string, number> | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const name = RENAMES[key] ?? key;
    if (typeof value === 'number' && Number.isFinite(value)) out[name] = value;
    else if (value !== null && typeof value === 'object') {
      for (const [inner, n] of Object.entries(value as Record<string, unknown>)) {
        if (typeof n === 'number' && Number.isFinite(n)) out[`${name}.${inner}`] = n;
      }
    }
  }
  if (out.total_tokens === undefined && out.prompt_tokens !== undefined && out.completion_tokens !== undefined) {
    out.total_tokens = out.prompt_tokens + out.completion_tokens;
  }
  return Object.keys(out).length ? out : undefined;
}
