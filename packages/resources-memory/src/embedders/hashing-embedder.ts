import { ConfigError } from '@entity/core';
import { MAX_DIMENSIONS } from './dimensions.js';
import type { Embedder } from './embedder.js';

export interface HashingEmbedderOptions {
  /** Length of the vectors. Default: 384 (the size of small sentence-embedding models, so tables can switch later without a schema change). */
  dimensions?: number;
}

// Function words carry little meaning; without corpus statistics (IDF) they would dominate.
const STOP_WORDS = new Set(
  'a an and are as at be but by do does for from has have i in is it its me my of on or our so that the their them then there these they this to was we were what when where which who will with you your'.split(
    ' ',
  ),
);
const WORD = /[\p{L}\p{N}]+/gu;
const SUFFIXES = ['ing', 'ies', 'ed', 'es', 's', 'ly'];

/** A crude English stemmer (cats → cat, sleeping → sleep) so inflected forms share a feature. */
function stem(word: string): string {
  for (const suffix of SUFFIXES) {
    if (word.length - suffix.length >= 3 && word.endsWith(suffix)) {
      const base = word.slice(0, -suffix.length);
      return suffix === 'ies' ? `${base}y` : base;
    }
  }
  return word;
}

/** FNV-1a, 32 bits: fast, dependency-free and stable across platforms and versions. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function addFeature(vector: Float64Array, feature: string, weight: number): void {
  const hash = fnv1a(feature);
  // The top bit picks the sign so collisions cancel out on average instead of piling up.
  vector[hash % vector.length]! += hash & 0x80000000 ? -weight : weight;
}

/** Deterministic embedding of one text; L2-normalised (all zeros for text without content). */
export function hashText(text: string, dimensions: number): number[] {
  const vector = new Float64Array(dimensions);
  const words = text.normalize('NFKC').toLowerCase().match(WORD) ?? [];
  const content = words.filter((word) => !STOP_WORDS.has(word)).map(stem);
  for (const word of content) {
    addFeature(vector, `w:${word}`, 1);
    // Character trigrams give partial credit to related forms (embed / embedding / embeddings).
    const padded = `<${word}>`;
    const trigrams = Math.max(1, padded.length - 2);
    for (let index = 0; index + 3 <= padded.length; index++) addFeature(vector, `t:${padded.slice(index, index + 3)}`, 0.5 / trigrams);
  }
  for (let index = 0; index + 1 < content.length; index++) addFeature(vector, `b:${content[index]} ${content[index + 1]}`, 0.5);
  if (content.length === 0) {
    const trimmed = text.trim();
    if (trimmed) addFeature(vector, `s:${trimmed}`, 1);
  }
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  return Array.from(vector, (value) => (norm === 0 ? 0 : value / norm));
}

/**
 * A local embedder that needs no model download and no network: word stems, word pairs and
 * character trigrams are hashed into a fixed-size vector ("feature hashing").
 *
 * Trade-off: it is lexical, not semantic. Texts that share words (or word stems) are close;
 * paraphrases and synonyms ("car" / "automobile") are not, and there is no cross-language
 * matching. It makes zero-config recall work offline and deterministically (same text, same
 * vector, on every machine); configure an LLM resource with an embedding model for real
 * semantic search.
 */
export function hashingEmbedder(options: HashingEmbedderOptions = {}): Embedder {
  const dimensions = options.dimensions ?? 384;
  if (!Number.isInteger(dimensions) || dimensions < 2 || dimensions > MAX_DIMENSIONS) {
    throw new ConfigError([{ path: 'dimensions', message: `is ${dimensions}`, fix: `use an integer between 2 and ${MAX_DIMENSIONS}, e.g. 384` }]);
  }
  return {
    id: `entity-hashing-v1:${dimensions}`,
    dimensions,
    embed: async (texts) => texts.map((text) => hashText(text, dimensions)),
  };
}
