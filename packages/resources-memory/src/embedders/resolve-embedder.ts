import { ConfigError, type LLM, ResourceError, type ResourceStartContext } from '@entity/core';
import { requireDimensions } from './dimensions.js';
import type { Embedder } from './embedder.js';
import { hashingEmbedder } from './hashing-embedder.js';
import { canEmbed, llmEmbedder } from './llm-embedder.js';

export interface EmbedderChoice {
  dimensions?: number | undefined;
  embedder?: Embedder | 'auto' | 'hashing' | 'llm' | undefined;
  embeddingResource?: string | undefined;
}

function checkDimensions(configured: number | undefined, actual: number, source: string): void {
  if (configured !== undefined && configured !== actual) {
    throw new ConfigError([
      {
        path: 'dimensions',
        message: `is ${configured} but ${source} produces ${actual}-dimension vectors`,
        fix: `set dimensions: ${actual} or remove it`,
      },
    ]);
  }
}

/**
 * Picks the embedder at start: explicit > the LLM resource's embedding model > local hashing.
 * Its `dimensions` is checked here, before any SQL: it becomes part of the table's DDL.
 */
export async function resolveEmbedder(
  choice: EmbedderChoice,
  context: ResourceStartContext | undefined,
  resourceName: string,
): Promise<Embedder> {
  const embedder = await pickEmbedder(choice, context, resourceName);
  requireDimensions(embedder.dimensions, 'embedder.dimensions', `embedder "${embedder.id}" reports`);
  return embedder;
}

async function pickEmbedder(choice: EmbedderChoice, context: ResourceStartContext | undefined, resourceName: string): Promise<Embedder> {
  const mode = choice.embedder ?? 'auto';
  if (typeof mode === 'object') {
    checkDimensions(choice.dimensions, mode.dimensions, `embedder "${mode.id}"`);
    return mode;
  }
  const llmName = choice.embeddingResource ?? 'llm';
  const llm = mode !== 'hashing' && context?.has(llmName) ? context.resource<LLM>(llmName) : undefined;
  if (llm !== undefined && canEmbed(llm)) {
    if (llm.embeddingDimensions !== undefined) {
      checkDimensions(choice.dimensions, llm.embeddingDimensions, `the "${llmName}" embedding model`);
      return llmEmbedder(llm, llm.embeddingDimensions);
    }
    if (choice.dimensions !== undefined) return llmEmbedder(llm, choice.dimensions);
    try {
      const probe = await llm.embed(['dimension probe'], { signal: context!.signal });
      const dimensions = probe.embeddings[0]?.length ?? 0;
      if (dimensions === 0) throw new Error('the embedding model returned no vector');
      return llmEmbedder(llm, dimensions);
    } catch (error) {
      throw new ResourceError(
        resourceName,
        `Memory "${resourceName}" could not ask the "${llmName}" resource for its embedding size. Make sure the model is reachable, or set dimensions in the memory config to skip this check.`,
        { cause: error },
      );
    }
  }
  if (mode === 'llm') {
    throw new ConfigError([
      {
        path: 'embedder',
        message: `is "llm" but there is no "${llmName}" resource with an embedding model`,
        fix: `configure an LLM that supports embeddings as "${llmName}", or use embedder: auto`,
      },
    ]);
  }
  return hashingEmbedder(choice.dimensions === undefined ? {} : { dimensions: choice.dimensions });
}
