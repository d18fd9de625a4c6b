import type { Usage } from '@entity/core';

/** Price of a model in US dollars per million tokens. */
export interface ModelPrice {
  inputPerMillion: number;
  /** Omitted for embedding models, which bill input only. */
  outputPerMillion?: number;
}

// List prices (standard tier, no caching or batch discounts) in USD per 1M tokens, collected
// November 2026. Only models whose price we could confirm are listed: an unknown model gets
// `costUsd: undefined`, never a guess. Pass `pricing` to a factory to price any other model.
const PRICES: Readonly<Record<string, Readonly<Record<string, ModelPrice>>>> = {
  openai: {
    'gpt-5.5': { inputPerMillion: 5, outputPerMillion: 30 },
    'gpt-5.4': { inputPerMillion: 2.5, outputPerMillion: 15 },
    'gpt-5.4-mini': { inputPerMillion: 0.75, outputPerMillion: 4.5 },
    'gpt-5.4-nano': { inputPerMillion: 0.2, outputPerMillion: 1.25 },
    'gpt-5': { inputPerMillion: 1.25, outputPerMillion: 10 },
    'gpt-5-mini': { inputPerMillion: 0.25, outputPerMillion: 2 },
    'gpt-5-nano': { inputPerMillion: 0.05, outputPerMillion: 0.4 },
    'gpt-4.1': { inputPerMillion: 2, outputPerMillion: 8 },
    'gpt-4.1-mini': { inputPerMillion: 0.4, outputPerMillion: 1.6 },
    'gpt-4.1-nano': { inputPerMillion: 0.1, outputPerMillion: 0.4 },
    'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10 },
    'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 },
    o3: { inputPerMillion: 2, outputPerMillion: 8 },
    'o3-mini': { inputPerMillion: 1.1, outputPerMillion: 4.4 },
    'o4-mini': { inputPerMillion: 1.1, outputPerMillion: 4.4 },
    'text-embedding-3-small': { inputPerMillion: 0.02 },
    'text-embedding-3-large': { inputPerMillion: 0.13 },
    'text-embedding-ada-002': { inputPerMillion: 0.1 },
  },
  anthropic: {
    'claude-opus-4-6': { inputPerMillion: 5, outputPerMillion: 25 },
    'claude-opus-4-5': { inputPerMillion: 5, outputPerMillion: 25 },
    'claude-opus-4-1': { inputPerMillion: 15, outputPerMillion: 75 },
    'claude-opus-4': { inputPerMillion: 15, outputPerMillion: 75 },
    'claude-sonnet-4-6': { inputPerMillion: 3, outputPerMillion: 15 },
    'claude-sonnet-4-5': { inputPerMillion: 3, outputPerMillion: 15 },
    'claude-sonnet-4': { inputPerMillion: 3, outputPerMillion: 15 },
    'claude-3-7-sonnet': { inputPerMillion: 3, outputPerMillion: 15 },
    'claude-haiku-4-5': { inputPerMillion: 1, outputPerMillion: 5 },
    'claude-3-5-haiku': { inputPerMillion: 0.8, outputPerMillion: 4 },
    'claude-3-haiku': { inputPerMillion: 0.25, outputPerMillion: 1.25 },
  },
};

// Dated snapshots (`gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`) and `-latest` aliases
// cost the same as their family; anything else (`gpt-4o-mini-search-preview`) is unknown.
const SNAPSHOT_SUFFIX = /-(?:\d{4}-\d{2}-\d{2}|\d{8}|latest)$/;

/** The list price of `model` at `provider`, or undefined when we do not know it (local and unlisted models). */
export function priceOf(provider: string, model: string): ModelPrice | undefined {
  const table = PRICES[provider];
  if (!table) return undefined;
  return table[model] ?? table[model.replace(SNAPSHOT_SUFFIX, '')];
}

/** Cost in USD of a call, or undefined without a price. */
export function costOf(price: ModelPrice | undefined, inputTokens: number, outputTokens = 0): number | undefined {
  if (!price) return undefined;
  return (inputTokens * price.inputPerMillion + outputTokens * (price.outputPerMillion ?? 0)) / 1_000_000;
}

/** Builds the `usage` field of a response; `costUsd` is present only when the price is known. */
export function usageOf(inputTokens: number, outputTokens: number, price: ModelPrice | undefined): Usage {
  const usage: Usage = { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
  const cost = costOf(price, inputTokens, outputTokens);
  if (cost !== undefined) usage.costUsd = cost;
  return usage;
}

/** Adds two usages (structured output retries bill both attempts). */
export function addUsage(first: Usage, second: Usage): Usage {
  const usage: Usage = {
    inputTokens: first.inputTokens + second.inputTokens,
    outputTokens: first.outputTokens + second.outputTokens,
    totalTokens: first.totalTokens + second.totalTokens,
  };
  if (first.costUsd !== undefined || second.costUsd !== undefined) usage.costUsd = (first.costUsd ?? 0) + (second.costUsd ?? 0);
  return usage;
}
