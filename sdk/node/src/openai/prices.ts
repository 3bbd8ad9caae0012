// Estimated cost of an LLM call from its token usage, with OpenAI's list prices (USD per
// million tokens, as published when this table was written). Extend or correct it with
// `setModelPrice`: a dated model name ("gpt-4o-2024-08-06") takes the price of its longest
// known prefix ("gpt-4o").

export interface ModelPrice {
  /** USD per million prompt tokens. */
  input: number;
  /** USD per million completion tokens. */
  output: number;
  /** USD per million cached prompt tokens, when cheaper than `input`. */
  cachedInput?: number;
}

export const modelPrices: Record<string, ModelPrice> = {
  'gpt-5': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5-mini': { input: 0.25, cachedInput: 0.025, output: 2 },
  'gpt-5-nano': { input: 0.05, cachedInput: 0.005, output: 0.4 },
  'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 },
  'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
  'gpt-4-turbo': { input: 10, output: 30 },
  'gpt-4': { input: 30, output: 60 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  o1: { input: 15, cachedInput: 7.5, output: 60 },
  'o1-mini': { input: 1.1, cachedInput: 0.55, output: 4.4 },
  o3: { input: 2, cachedInput: 0.5, output: 8 },
  'o3-mini': { input: 1.1, cachedInput: 0.55, output: 4.4 },
  'o4-mini': { input: 1.1, cachedInput: 0.275, output: 4.4 },
};

/** Adds or replaces the price of a model (and of its dated variants). */
export function setModelPrice(model: string, price: ModelPrice): void {
  if (typeof model === 'string' && price !== null && typeof price === 'object') modelPrices[model] = price;
}

export function priceOf(model: string | undefined): ModelPrice | undefined {
  if (!model || typeof model !== 'string') return undefined;
  let best: string | undefined;
  for (const key of Object.keys(modelPrices)) {
    if ((model === key || model.startsWith(`${key}-`)) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : modelPrices[best];
}

/** USD, or undefined when the model's price or the token counts are unknown. */
export function estimateCost(model: string | undefined, usage: Record<string, number> | undefined): number | undefined {
  const price = priceOf(model);
  if (!price || !usage) return undefined;
  const prompt = usage.prompt_tokens;
  const completion = usage.completion_tokens;
  if (typeof prompt !== 'number' || typeof completion !== 'number') return undefined;
  const cached = Math.min(usage['prompt_tokens_details.cached_tokens'] ?? 0, prompt);
  const cachedPrice = price.cachedInput ?? price.input;
  return ((prompt - cached) * price.input + cached * cachedPrice + completion * price.output) / 1_000_000;
}
