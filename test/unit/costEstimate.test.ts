import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { calcPrice, findProvider } from '@pydantic/genai-prices';
import { estimateCost, priceSpans } from '../../src/collector/costEstimate';
import type { Patch } from '../../src/core/model/model';

const span = (fields: Record<string, unknown>): Patch => ({
  kind: 'span',
  span: { id: 's1', trace_id: 't1', ...fields },
});
const source = { format: 'native' as const, bytes: new Uint8Array([123, 125]) };

describe('cost estimates', () => {
  it("prices a span with a model and usage at the price database's figure, cached input at its rate", () => {
    const expected = calcPrice({ input_tokens: 1000, output_tokens: 200, cache_read_tokens: 400 }, 'gpt-4o-mini', {
      providerId: 'openai',
    })!.total_price;
    expect(
      estimateCost('gpt-4o-mini-2024-07-18', 'openai', {
        prompt_tokens: 1000,
        completion_tokens: 200,
        cached_tokens: 400,
      }),
    ).toBeCloseTo(expected, 12);
    // The cache rate is lower: the same call with no cache hit costs more.
    expect(estimateCost('gpt-4o-mini', 'openai', { prompt_tokens: 1000, completion_tokens: 200 })).toBeGreaterThan(
      expected,
    );
  });

  it('finds the provider by an alias or from the model name, and prices nothing it does not know', () => {
    expect(estimateCost('gpt-4o', 'openai.chat', { prompt_tokens: 10, completion_tokens: 5 })).toBeGreaterThan(0);
    expect(
      estimateCost('claude-3-5-sonnet-20241022', undefined, { prompt_tokens: 10, completion_tokens: 5 }),
    ).toBeGreaterThan(0);
    expect(estimateCost('my-local-llama', 'ollama', { prompt_tokens: 10, completion_tokens: 5 })).toBeUndefined();
    expect(estimateCost('gpt-4o', 'openai', { reasoning_tokens: 3 })).toBeUndefined();
  });

  it('adds estimated_cost to patches that need it and hands the source on only when nothing changed', () => {
    const priced = [span({ model: 'gpt-4o-mini', usage: { prompt_tokens: 12, completion_tokens: 5 } })];
    (priced[0] as { json?: Uint8Array }).json = new Uint8Array([1]);
    expect(priceSpans(priced, source)).toBeUndefined();
    const p = priced[0] as Extract<Patch, { kind: 'span' }>;
    expect(p.span.estimated_cost).toBeGreaterThan(0);
    expect(p.json).toBeUndefined();

    const given = [
      span({ model: 'gpt-4o-mini', usage: { prompt_tokens: 12, completion_tokens: 5 }, total_estimated_cost: 0.5 }),
    ];
    expect(priceSpans(given, source)).toBe(source);
    expect((given[0] as Extract<Patch, { kind: 'span' }>).span).not.toHaveProperty('estimated_cost');
    expect(priceSpans([span({ usage: { prompt_tokens: 1 } }), { kind: 'trace', trace: { id: 't1' } }], source)).toBe(
      source,
    );
  });
});

describe('the flat-rate shortcut', () => {
  const providers = ['openai', 'anthropic', 'google', 'mistral', 'deepseek', 'groq'];
  const models = providers.flatMap((id) =>
    (findProvider({ providerId: id })?.models ?? []).map((m) => ({ provider: id, model: m.id })),
  );

  it("gives the price database's own figure for any model and usage", () => {
    expect(models.length).toBeGreaterThan(100);
    fc.assert(
      fc.property(
        fc.constantFrom(...models),
        fc.nat(400_000),
        fc.nat(100_000),
        fc.double({ min: 0, max: 1, noNaN: true }),
        ({ provider, model }, input, output, cachedShare) => {
          const cached = Math.floor(input * cachedShare);
          const usage = {
            input_tokens: input,
            output_tokens: output,
            ...(cached ? { cache_read_tokens: cached } : {}),
          };
          let expected: number | undefined;
          try {
            expected = calcPrice(usage, model, { providerId: provider })?.total_price;
          } catch {
            expected = undefined;
          }
          const mine = estimateCost(model, provider, {
            prompt_tokens: input,
            completion_tokens: output,
            ...(cached ? { cached_tokens: cached } : {}),
          });
          if (expected === undefined) return mine === undefined;
          return mine !== undefined && Math.abs(mine - expected) <= 1e-9 + 1e-9 * expected;
        },
      ),
      { numRuns: 2000 },
    );
  });
});
