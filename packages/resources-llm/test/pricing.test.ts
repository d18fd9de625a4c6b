import { describe, expect, it } from 'vitest';
import { addUsage, costOf, priceOf, usageOf } from '../src/pricing.js';

describe('pricing', () => {
  it('knows list prices of OpenAI and Anthropic models, including dated snapshots', () => {
    expect(priceOf('openai', 'gpt-4o-mini')).toEqual({ inputPerMillion: 0.15, outputPerMillion: 0.6 });
    expect(priceOf('openai', 'gpt-4o-2024-08-06')).toEqual({ inputPerMillion: 2.5, outputPerMillion: 10 });
    expect(priceOf('anthropic', 'claude-haiku-4-5-20251001')).toEqual({ inputPerMillion: 1, outputPerMillion: 5 });
  });

  it('returns undefined for unknown, variant and local models rather than guessing', () => {
    expect(priceOf('openai', 'gpt-4o-mini-search-preview')).toBeUndefined();
    expect(priceOf('openai', 'ft:gpt-4o-mini:acme')).toBeUndefined();
    expect(priceOf('ollama', 'llama3.2:3b')).toBeUndefined();
    expect(usageOf(10, 5, undefined)).toEqual({ inputTokens: 10, outputTokens: 5, totalTokens: 15 });
  });

  it('computes costs per million tokens and adds usages', () => {
    expect(costOf({ inputPerMillion: 2, outputPerMillion: 8 }, 500_000, 250_000)).toBeCloseTo(3, 10);
    const total = addUsage(usageOf(1_000_000, 0, { inputPerMillion: 1 }), usageOf(0, 0, undefined));
    expect(total).toEqual({ inputTokens: 1_000_000, outputTokens: 0, totalTokens: 1_000_000, costUsd: 1 });
  });
});
