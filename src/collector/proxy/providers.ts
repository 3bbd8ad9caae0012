// Which provider a proxied call went to, for the span's `provider` (cost estimates and the
// monitor group by it): read from the upstream's host name, the way the providers' SDKs
// would name themselves.

const PROVIDERS: [RegExp, string][] = [
  [/(^|\.)openai\.com$/, 'openai'],
  [/(^|\.)openai\.azure\.com$/, 'azure'],
  [/(^|\.)anthropic\.com$/, 'anthropic'],
  [/(^|\.)googleapis\.com$/, 'google'],
  [/(^|\.)groq\.com$/, 'groq'],
  [/(^|\.)mistral\.ai$/, 'mistral'],
  [/(^|\.)together\.(xyz|ai)$/, 'together'],
  [/(^|\.)fireworks\.ai$/, 'fireworks'],
  [/(^|\.)deepseek\.com$/, 'deepseek'],
  [/(^|\.)x\.ai$/, 'xai'],
  [/(^|\.)openrouter\.ai$/, 'openrouter'],
  [/(^|\.)perplexity\.ai$/, 'perplexity'],
];

/** The span's `provider`, from the upstream's host name (its host itself when not a known one). */
export function providerOf(upstream: string): string {
  const host = new URL(upstream).hostname.toLowerCase();
  return PROVIDERS.find(([pattern]) => pattern.test(host))?.[1] ?? host;
}
