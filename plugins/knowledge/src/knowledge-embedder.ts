import type { LLM, Memory } from '@entity/core';
import { ConfigError } from '@entity/core';
import { canEmbed, type Embedder, hashingEmbedder, llmEmbedder } from '@entity/resources-memory';

/** Where the knowledge base's vectors come from. */
export type EmbedderChoice = 'memory' | 'hashing' | 'llm';

const isEmbedder = (value: unknown): value is Embedder =>
  typeof value === 'object' && value !== null && typeof (value as Embedder).embed === 'function' && typeof (value as Embedder).id === 'string' && Number.isInteger((value as Embedder).dimensions);

/**
 * Picks the embedder: `memory` (default) uses the memory resource's own embedder (its LLM's
 * embedding model, or the built-in hashing embedder), so documents and memories share one model;
 * `hashing` is always local; `llm` requires the LLM resource's embedding model.
 * Ingest and retrieval must use the same choice: chunks record their embedder, and a search only
 * compares vectors of the embedder in use.
 */
export async function resolveKnowledgeEmbedder(choice: EmbedderChoice, memory: Memory, llm: LLM | undefined, signal?: AbortSignal): Promise<Embedder> {
  if (choice === 'hashing') return hashingEmbedder();
  if (choice === 'memory') {
    const own = (memory as { embedder?: unknown }).embedder;
    return isEmbedder(own) ? own : hashingEmbedder();
  }
  if (llm === undefined || !canEmbed(llm)) {
    throw new ConfigError([{ path: 'embedder', message: 'is "llm" but the llm resource has no embedding model', fix: 'configure an LLM with embeddings (OpenAI, Ollama), or use embedder: memory' }]);
  }
  if (llm.embeddingDimensions !== undefined) return llmEmbedder(llm, llm.embeddingDimensions);
  const probe = await llm.embed(['dimension probe'], signal ? { signal } : undefined);
  return llmEmbedder(llm, probe.embeddings[0]?.length ?? 0);
}
