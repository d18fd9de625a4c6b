import { randomUUID } from 'node:crypto';
import type { JsonValue, VectorDocumentInput, VectorMatch, VectorMemory, VectorQuery } from '@entity/core';
import { ValidationError } from '@entity/core';
import { toSql } from 'pgvector';
import type { Database } from '../database.js';
import type { Embedder } from '../embedders/embedder.js';
import { DOCUMENTS_TABLE } from '../memory-schema.js';
import { applySearchSettings } from '../search-settings.js';
import { requireCount, requireIdentifier, requireJson } from '../validate-input.js';
import { yieldToEventLoop } from './yield-to-event-loop.js';

/**
 * Rows per INSERT statement; all chunks of one call share a transaction. Small enough that
 * preparing one chunk's parameters (vector text, driver encoding) keeps the event loop free
 * within a few milliseconds.
 */
const INSERT_CHUNK = 100;
/** Texts per embedder call. */
const EMBED_BATCH = 64;
const MAX_FILTER_FIELDS = 32;
const MAX_K = 1000;

function requireEmbedding(values: unknown, dimensions: number, what: string): number[] {
  if (!Array.isArray(values)) throw new ValidationError(`${what} must be an array of numbers`);
  if (values.length !== dimensions) {
    throw new ValidationError(
      `${what} has ${values.length} dimensions but this memory stores ${dimensions}-dimension vectors. Use the same embedding model for every document, or configure the memory with dimensions: ${values.length} and a new database/path.`,
      { code: 'DIMENSION_MISMATCH', details: { expected: dimensions, actual: values.length } },
    );
  }
  let norm = 0;
  for (const value of values) {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new ValidationError(`${what} contains a value that is not a finite number`);
    norm += value * value;
  }
  if (norm === 0) throw new ValidationError(`${what} is all zeros (empty text?); cosine distance needs a direction`);
  return values;
}

function requireMetadata(metadata: unknown, what: string): Record<string, JsonValue> {
  if (metadata === undefined) return {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw new ValidationError(`${what} must be an object`);
  requireJson(metadata, what);
  return metadata as Record<string, JsonValue>;
}

interface MatchRow {
  id: string;
  content: string;
  metadata: Record<string, JsonValue>;
  distance: number | string;
}

/**
 * Documents with embeddings in one table (HNSW, cosine). Every statement is scoped by
 * `user_id`; metadata filters are exact matches on top-level fields, compiled to
 * `metadata -> $key = $value::jsonb` with both key and value bound as parameters.
 */
export class VectorStore implements VectorMemory {
  constructor(
    private readonly database: () => Database,
    private readonly embedder: () => Embedder,
    private readonly now: () => number,
    /** pgvector settings applied to each search only (see `searchSettings`). */
    private readonly settings: () => ReadonlyArray<readonly [string, string]>,
  ) {}

  get dimensions(): number {
    return this.embedder().dimensions;
  }

  private async embed(texts: string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += EMBED_BATCH) {
      // A local embedder computes synchronously: let timers and other turns run between batches.
      if (start > 0) await yieldToEventLoop();
      vectors.push(...(await this.embedder().embed(texts.slice(start, start + EMBED_BATCH))));
    }
    return vectors;
  }

  async addDocuments(documents: readonly VectorDocumentInput[]): Promise<string[]> {
    if (!Array.isArray(documents)) throw new ValidationError('documents must be an array');
    if (documents.length === 0) return [];
    const dimensions = this.dimensions;
    const seen = new Set<string>();
    const prepared = documents.map((document, index) => {
      const what = `documents[${index}]`;
      if (typeof document !== 'object' || document === null) throw new ValidationError(`${what} must be an object`);
      const userId = requireIdentifier(document.userId, `${what}.userId`);
      const id = document.id === undefined ? randomUUID() : requireIdentifier(document.id, `${what}.id`);
      if (typeof document.content !== 'string' || document.content.includes('\u0000')) {
        throw new ValidationError(`${what}.content must be a string without NUL characters`);
      }
      const key = `${userId}\u0000${id}`;
      if (seen.has(key)) throw new ValidationError(`${what}.id "${id}" appears twice in one call`);
      seen.add(key);
      const metadata = requireMetadata(document.metadata, `${what}.metadata`);
      const embedding = document.embedding === undefined ? undefined : requireEmbedding(document.embedding, dimensions, `${what}.embedding`);
      return { userId, id, content: document.content, metadata, embedding, what };
    });
    const missing = prepared.filter((document) => document.embedding === undefined);
    if (missing.length > 0) {
      const vectors = await this.embed(missing.map((document) => document.content));
      missing.forEach((document, index) => {
        document.embedding = requireEmbedding(vectors[index], dimensions, `the embedding of ${document.what}`);
      });
    }
    const createdAt = new Date(this.now());
    await this.database().transaction(
      'vector add',
      async (sql) => {
        for (let start = 0; start < prepared.length; start += INSERT_CHUNK) {
          if (start > 0) await yieldToEventLoop();
          const chunk = prepared.slice(start, start + INSERT_CHUNK);
          await sql.query(
            `INSERT INTO ${DOCUMENTS_TABLE} (user_id, id, content, metadata, embedding, created_at)
             SELECT item.user_id, item.id, item.content, item.metadata::jsonb, item.embedding::vector, $6
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS item(user_id, id, content, metadata, embedding)
             ON CONFLICT (user_id, id) DO UPDATE
               SET content = EXCLUDED.content, metadata = EXCLUDED.metadata, embedding = EXCLUDED.embedding, created_at = EXCLUDED.created_at`,
            [
              chunk.map((document) => document.userId),
              chunk.map((document) => document.id),
              chunk.map((document) => document.content),
              chunk.map((document) => JSON.stringify(document.metadata)),
              chunk.map((document) => toSql(document.embedding!)),
              createdAt,
            ],
          );
        }
      },
      // Ids are fixed before the first attempt, so a repeated upsert writes the same rows.
      { idempotent: true },
    );
    return prepared.map((document) => document.id);
  }

  async search(query: VectorQuery): Promise<VectorMatch[]> {
    if (typeof query !== 'object' || query === null) throw new ValidationError('A search query object is required');
    const userId = requireIdentifier(query.userId, 'userId');
    const k = requireCount(query.k, 'k', 10, MAX_K);
    if (k === 0) return [];
    const filter = requireMetadata(query.filter, 'filter');
    const fields = Object.entries(filter);
    if (fields.length > MAX_FILTER_FIELDS) throw new ValidationError(`filter has more than ${MAX_FILTER_FIELDS} fields`);
    let embedding: number[];
    if (query.embedding !== undefined) {
      embedding = requireEmbedding(query.embedding, this.dimensions, 'query embedding');
    } else if (typeof query.text === 'string' && query.text.trim() !== '') {
      const [vector] = await this.embed([query.text]);
      embedding = requireEmbedding(vector, this.dimensions, 'the query text embedding');
    } else {
      throw new ValidationError('search needs a non-empty text or an embedding');
    }
    const params: unknown[] = [toSql(embedding), userId, k];
    const conditions = fields.map(([field, value]) => {
      params.push(field, JSON.stringify(value));
      return `AND metadata -> $${params.length - 1}::text = $${params.length}::jsonb`;
    });
    // The inner ORDER BY ... LIMIT is what the HNSW index serves; with iterative scans the
    // index may return rows slightly out of order, so the outer query sorts exactly.
    const settings = this.settings();
    const result = await this.database().transaction(
      'vector search',
      async (sql) => {
        await applySearchSettings(sql, settings);
        return sql.query<MatchRow>(
          `WITH candidates AS MATERIALIZED (
             SELECT id, content, metadata, embedding <=> $1::vector AS distance
             FROM ${DOCUMENTS_TABLE}
             WHERE user_id = $2 ${conditions.join(' ')}
             ORDER BY embedding <=> $1::vector
             LIMIT $3
           )
           SELECT id, content, metadata, distance FROM candidates ORDER BY distance, id`,
          params,
        );
      },
      { idempotent: true },
    );
    return result.rows.map((row) => ({ id: row.id, content: row.content, metadata: row.metadata, distance: Number(row.distance) }));
  }

  async deleteDocuments(userId: string, ids: readonly string[]): Promise<number> {
    requireIdentifier(userId, 'userId');
    if (!Array.isArray(ids)) throw new ValidationError('ids must be an array');
    for (const [index, id] of ids.entries()) requireIdentifier(id, `ids[${index}]`);
    if (ids.length === 0) return 0;
    const result = await this.database().run(
      'vector delete',
      (sql) => sql.query(`DELETE FROM ${DOCUMENTS_TABLE} WHERE user_id = $1 AND id = ANY($2::text[])`, [userId, [...ids]]),
      { idempotent: true },
    );
    return result.rowCount;
  }
}
