// The one place a span's cost is estimated: every ingest route passes its patches through
// `priceSpans` before the store applies them. A span patch that carries a model and token
// usage but no cost gets `estimated_cost` from @pydantic/genai-prices (MIT; OpenAI,
// Anthropic, Google, Mistral, … list prices, cached-input rates where the provider has one).
// The client's own `total_estimated_cost` is never touched: readers see it as the cost with
// `cost_source: "given"`, and an estimate only where none was given (core/aggregates.ts).
//
// Priced here rather than when totals are summed because the price database is ~0.5 MB: the
// webview bundles the aggregates, and the store would have to price on every replay.

import { calcPrice, findProvider, type Provider, type Usage as PriceUsage } from '@pydantic/genai-prices';
import type { Patch, SpanPatch, Usage } from '../core/model';
import type { PatchSource } from '../store/types';

/** (provider, model) → the one provider entry with only the model that matched, or null when none did; a few hundred at most. */
const matches = new Map<string, Provider | null>();
const MAX_MATCHES = 1000;

/**
 * Adds `estimated_cost` to span patches that can be priced. Returns the source to store
 * the batch with: `source` as given when no patch changed, else undefined (the bytes no
 * longer say everything the patches do).
 */
export function priceSpans(patches: Patch[], source?: PatchSource): PatchSource | undefined {
  let changed = false;
  for (const patch of patches) {
    if (patch.kind !== 'span') continue;
    const span = patch.span;
    if (span.usage === undefined || typeof span.model !== 'string' || span.total_estimated_cost !== undefined) continue;
    const cost = estimateCost(span.model, span.provider, span.usage);
    if (cost === undefined) continue;
    (span as SpanPatch).estimated_cost = cost;
    patch.json = undefined; // the bytes it arrived in lack the estimate
    changed = true;
  }
  return changed ? undefined : source;
}

/** USD for one call, or undefined when the model is not in the database or the usage has no tokens. */
export function estimateCost(model: string, provider: string | undefined, usage: Usage): number | undefined {
  const input = usage.prompt_tokens;
  const output = usage.completion_tokens;
  if (!isCount(input) && !isCount(output)) return undefined;
  const priced = modelEntry(model, provider);
  if (!priced) return undefined;
  // The database's input count includes cached tokens, as OpenAI's prompt_tokens and the OTel
  // GenAI input_tokens do; reasoning tokens are part of the output and priced as output.
  // Cached tokens under the model's name, or as OpenAI's usage object flattened (our Node SDK).
  const counts: PriceUsage = { input_tokens: isCount(input) ? input : 0, output_tokens: isCount(output) ? output : 0 };
  const cached = usage.cached_tokens ?? usage['prompt_tokens_details.cached_tokens'] ?? usage['input_tokens_details.cached_tokens'];
  if (isCount(cached)) counts.cache_read_tokens = Math.min(cached, counts.input_tokens ?? 0);
  if (isCount(usage.cache_write_tokens)) counts.cache_write_tokens = Math.min(usage.cache_write_tokens, (counts.input_tokens ?? 0) - (counts.cache_read_tokens ?? 0));
  try {
    const result = calcPrice(counts, model, { provider: priced });
    return result && Number.isFinite(result.total_price) ? roundCost(result.total_price) : undefined;
  } catch {
    return undefined; // a price entry the usage does not fit (the library throws): no estimate
  }
}

function modelEntry(model: string, provider: string | undefined): Provider | null {
  const key = `${provider ?? ''}\u0000${model}`;
  let entry = matches.get(key);
  if (entry !== undefined) return entry;
  entry = null;
  // The provider by its id or an alias (`gcp.gemini`, `aws.bedrock`), else found from the model's name.
  const providerId = provider && findProvider({ providerId: provider }) ? provider : undefined;
  const found = calcPrice({ input_tokens: 0, output_tokens: 0 }, model, providerId ? { providerId } : undefined);
  if (found) entry = { ...found.provider, models: [found.model] };
  if (matches.size >= MAX_MATCHES) matches.clear();
  matches.set(key, entry);
  return entry;
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0;
}

/** To the nano-dollar, as the trace totals are. */
function roundCost(c: number): number {
  return Math.round(c * 1e9) / 1e9;
}
