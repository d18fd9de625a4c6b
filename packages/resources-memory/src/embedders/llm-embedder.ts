import { type LLM, ProviderError } from '@entity/core';
import type { Embedder } from './embedder.js';

/** True when `llm` can embed text (has `embed` and does not deny the capability). */
export function canEmbed(llm: unknown): llm is LLM & Required<Pick<LLM, 'embed'>> {
  const candidate = llm as Partial<LLM> | undefined;
  return typeof candidate?.embed === 'function' && candidate.capabilities?.embeddings !== false;
}

/** Uses an LLM resource's embedding model; `dimensions` must be what that model returns. */
export function llmEmbedder(llm: LLM & Required<Pick<LLM, 'embed'>>, dimensions: number): Embedder {
  return {
    id: `llm:${llm.provider}:${dimensions}`,
    dimensions,
    async embed(texts, options) {
      if (texts.length === 0) return [];
      const response = await llm.embed([...texts], options?.signal ? { signal: options.signal } : undefined);
      if (response.embeddings.length !== texts.length) {
        throw new ProviderError(
          llm.provider,
          `The embedding model returned ${response.embeddings.length} vectors for ${texts.length} texts`,
        );
      }
      return response.embeddings;
    },
  };
}
