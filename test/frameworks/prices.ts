// The price database's own figure for a call, computed here straight from
// @pydantic/genai-prices, so a test can check the collector's estimate against it.

import { calcPrice } from '@pydantic/genai-prices';

export function databasePrice(
  model: string,
  provider: string,
  usage: { prompt_tokens: number; completion_tokens: number; cached_tokens?: number },
): number {
  const result = calcPrice(
    {
      input_tokens: usage.prompt_tokens,
      output_tokens: usage.completion_tokens,
      cache_read_tokens: usage.cached_tokens,
    },
    model,
    { providerId: provider },
  );
  if (!result) throw new Error(`the price database has no ${provider} ${model}`);
  return result.total_price;
}
