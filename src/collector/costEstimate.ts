// The one place a span's cost is estimated: the collector hands its routes the store wrapped
// by `withCostEstimates`, so every patch any route applies (native, WebSocket, Opik, OTLP over
// HTTP and gRPC, Braintrust, the AI proxy, and routes yet to come) is priced on its way in. A span patch that carries a model and token
// usage but no cost gets `estimated_cost` from @pydantic/genai-prices (MIT; OpenAI,
// Anthropic, Google, Mistral, … list prices, cached-input rates where the provider has one).
// The client's own `total_estimated_cost` is never touched: readers see it as the cost with
// `cost_source: "given"`, and an estimate only where none was given (core/model/aggregates.ts).
//
// Priced here rather than when totals are summed because the price database is ~0.5 MB: the
// webview bundles the aggregates, and the store would have to price on every replay.

import {
  calcPrice,
  findProvider,
  type ModelInfo,
  type Provider,
  type Usage as PriceUsage,
} from '@pydantic/genai-prices';
import type { Patch, SpanPatch, Usage } from '../core/model/model';
import type { PatchSource, TraceStoreApi } from '../store/types';

/** A model's entry in the database, and its per-million rates when they are flat numbers. */
interface Priced {
  provider: Provider;
  /** Set when every price is one number (no tiers, no dated prices, no per-request fee). */
  flat?: { input: number; output: number; cacheRead?: number; cacheWrite?: number };
}

/** (provider, model) → its entry, or null when the database has none; a few hundred at most. */
const matches = new Map<string, Priced | null>();
const MAX_MATCHES = 1000;

/** The store, but every `apply` prices its span patches first. */
export function withCostEstimates(store: TraceStoreApi): TraceStoreApi {
  const apply: TraceStoreApi['apply'] = (patches, source) => store.apply(patches, priceSpans(patches, source));
  return new Proxy(store, {
    get(target, key) {
      if (key === 'apply') return apply;
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

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
  const inputTokens = isCount(input) ? input : 0;
  const outputTokens = isCount(output) ? output : 0;
  const cachedCount =
    usage.cached_tokens ?? usage['prompt_tokens_details.cached_tokens'] ?? usage['input_tokens_details.cached_tokens'];
  const cacheRead = isCount(cachedCount) ? Math.min(cachedCount, inputTokens) : 0;
  const cacheWrite = isCount(usage.cache_write_tokens)
    ? Math.min(usage.cache_write_tokens, inputTokens - cacheRead)
    : 0;
  const flat = priced.flat;
  // Flat rates are the database's figures multiplied out: the same as calcPrice (checked by
  // test/unit/costEstimate.test.ts over every flat-priced model), at a tenth of its cost per span.
  if (
    flat &&
    (cacheRead === 0 || flat.cacheRead !== undefined) &&
    (cacheWrite === 0 || flat.cacheWrite !== undefined)
  ) {
    const total =
      (inputTokens - cacheRead - cacheWrite) * flat.input +
      cacheRead * (flat.cacheRead ?? 0) +
      cacheWrite * (flat.cacheWrite ?? 0) +
      outputTokens * flat.output;
    return roundCost(total / 1_000_000);
  }
  const counts: PriceUsage = { input_tokens: inputTokens, output_tokens: outputTokens };
  if (cacheRead) counts.cache_read_tokens = cacheRead;
  if (cacheWrite) counts.cache_write_tokens = cacheWrite;
  try {
    const result = calcPrice(counts, model, { provider: priced.provider });
    return result && Number.isFinite(result.total_price) ? roundCost(result.total_price) : undefined;
  } catch {
    return undefined; // a price entry the usage does not fit (the library throws): no estimate
  }
}

function modelEntry(model: string, provider: string | undefined): Priced | null {
  const key = `${provider ?? ''}\u0000${model}`;
  let entry = matches.get(key);
  if (entry !== undefined) return entry;
  entry = null;
  // The provider by its id or an alias (`gcp.gemini`, `aws.bedrock`), else found from the model's name.
  const providerId = provider && findProvider({ providerId: provider }) ? provider : undefined;
  const found = calcPrice({ input_tokens: 0, output_tokens: 0 }, model, providerId ? { providerId } : undefined);
  if (found) entry = { provider: { ...found.provider, models: [found.model] }, flat: flatRates(found.model.prices) };
  if (matches.size >= MAX_MATCHES) matches.clear();
  matches.set(key, entry);
  return entry;
}

/**
 * Per-million rates when the model's prices are single numbers; undefined for dated
 * (conditional) or tiered prices and for a per-request fee, which calcPrice works out. Other
 * units (audio, images, web searches) are never in the usage we price, so they add nothing.
 */
export function flatRates(prices: ModelInfo['prices']): Priced['flat'] {
  if (Array.isArray(prices)) return undefined;
  const rates: Record<string, number> = {};
  for (const [unit, value] of Object.entries(prices)) {
    if (value === undefined) continue;
    if (typeof value !== 'number' || unit === 'requests_kcount') return undefined;
    rates[unit] = value;
  }
  return {
    input: rates.input_mtok ?? 0,
    output: rates.output_mtok ?? 0,
    cacheRead: rates.cache_read_mtok,
    cacheWrite: rates.cache_write_mtok,
  };
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0;
}

/** To the nano-dollar, as the trace totals are. */
function roundCost(c: number): number {
  return Math.round(c * 1e9) / 1e9;
}
