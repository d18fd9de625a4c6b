import { ConfigError } from '@entity/core';

/**
 * Most dimensions this memory stores: pgvector's HNSW index holds `vector` columns of up to
 * 2000 dimensions (the column type itself allows 16000, but the index, and so the table, could
 * not be created). Models with larger vectors can usually be asked for 2000 or fewer.
 */
export const MAX_DIMENSIONS = 2000;

/**
 * Returns `value` when it is a whole number from 1 to MAX_DIMENSIONS. The size becomes part of
 * the document table's DDL, so nothing else may get that far: this runs before any SQL.
 * `subject` starts the message, e.g. `is` or `embedder "x" reports`.
 */
export function requireDimensions(value: unknown, path: string, subject = 'is'): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_DIMENSIONS) return value;
  const shown = typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : String(value);
  throw new ConfigError([
    {
      path,
      message: `${subject} ${shown}, not a whole number from 1 to ${MAX_DIMENSIONS}`,
      fix: `use an embedder whose vectors have 1 to ${MAX_DIMENSIONS} dimensions (pgvector's HNSW index limit); many embedding models can be asked for fewer dimensions`,
    },
  ]);
}
