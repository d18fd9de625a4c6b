/**
 * Turns text into vectors for semantic search. The memory records `id` with its documents:
 * vectors from different embedders are not comparable, so switching embedders needs a re-index.
 */
export interface Embedder {
  /** Stable name of the model and its settings, e.g. `entity-hashing-v1:384` or `llm:openai`. */
  readonly id: string;
  readonly dimensions: number;
  /** One vector of `dimensions` numbers per text, in order. */
  embed(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<number[][]>;
}
