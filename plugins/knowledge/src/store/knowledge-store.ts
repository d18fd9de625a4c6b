import { randomUUID } from 'node:crypto';
import type { SqlMemory } from '@entity/core';
import type { Chunk } from '../chunking/chunk-sections.js';
import { CHUNKS_TABLE, COLLECTIONS_TABLE, FILES_TABLE, KNOWLEDGE_MIGRATIONS, KNOWLEDGE_OWNER } from './knowledge-schema.js';

/** What is stored about one ingested file. */
export interface StoredFile {
  path: string;
  contentHash: string;
  settings: string;
}

/** A chunk found by a search, before fusion. */
export interface ChunkRow {
  id: string;
  path: string;
  headings: string[];
  content: string;
  collection: string;
  owner: string;
  score: number;
}

/** A collection a user can see. */
export interface CollectionInfo {
  name: string;
  /** `shared` (every user) or `private` (one user). */
  scope: 'shared' | 'private';
  files: number;
  chunks: number;
}

/** pgvector's text form of a vector (`[1,2,3]`). */
const vectorText = (values: readonly number[]) => `[${values.join(',')}]`;

/**
 * Every SQL statement of the knowledge base. Each call is ONE statement (the memory's `sql()`
 * rule); writes that must be atomic are single statements with data-modifying CTEs.
 * Every read takes the caller's user id and matches only collections owned by that user or
 * shared (`owner_user_id = ''`): the access rule lives in the SQL, next to the data.
 */
export class KnowledgeStore {
  constructor(private readonly database: SqlMemory) {}

  async prepare(): Promise<void> {
    await this.database.migrate(KNOWLEDGE_OWNER, KNOWLEDGE_MIGRATIONS);
  }

  /** The id of collection `name` of `owner` (`''` = shared), created when missing. */
  async ensureCollection(name: string, owner: string): Promise<string> {
    const result = await this.database.sql<{ id: string }>(
      `INSERT INTO ${COLLECTIONS_TABLE} (id, name, owner_user_id, created_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (name, owner_user_id) DO UPDATE SET name = EXCLUDED.name
       RETURNING id`,
      [randomUUID(), name, owner],
    );
    return result.rows[0]!.id;
  }

  async findCollection(name: string, owner: string): Promise<string | undefined> {
    const result = await this.database.sql<{ id: string }>(`SELECT id FROM ${COLLECTIONS_TABLE} WHERE name = $1 AND owner_user_id = $2`, [name, owner]);
    return result.rows[0]?.id;
  }

  async files(collectionId: string): Promise<Map<string, StoredFile>> {
    const result = await this.database.sql<{ path: string; content_hash: string; settings: string }>(
      `SELECT path, content_hash, settings FROM ${FILES_TABLE} WHERE collection_id = $1`,
      [collectionId],
    );
    return new Map(result.rows.map((row) => [row.path, { path: row.path, contentHash: row.content_hash, settings: row.settings }]));
  }

  /**
   * Replaces a file's chunks in one statement: the file row gets a new generation, the new
   * chunks are inserted under it and the old generation's chunks are deleted. A reader sees the
   * old chunks or the new ones, never a mix (searches join on the file's current generation).
   */
  async replaceFile(input: {
    collectionId: string;
    path: string;
    contentHash: string;
    settings: string;
    embedder: string;
    textSearch: string;
    chunks: readonly Chunk[];
    embeddings: readonly number[][];
  }): Promise<void> {
    const generation = randomUUID();
    const { chunks } = input;
    await this.database.sql(
      `WITH file AS (
         INSERT INTO ${FILES_TABLE} (collection_id, path, content_hash, settings, generation, chunk_count, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, now())
         ON CONFLICT (collection_id, path) DO UPDATE
           SET content_hash = EXCLUDED.content_hash, settings = EXCLUDED.settings, generation = EXCLUDED.generation,
               chunk_count = EXCLUDED.chunk_count, updated_at = EXCLUDED.updated_at
         RETURNING generation
       ), removed AS (
         DELETE FROM ${CHUNKS_TABLE} WHERE collection_id = $1 AND path = $2 AND generation <> $5
       )
       INSERT INTO ${CHUNKS_TABLE} (id, collection_id, path, generation, ordinal, headings, content, tokens, embedder, embedding, text_search, search_text)
       SELECT item.id, $1, $2, (SELECT generation FROM file), item.ordinal, item.headings::text[], item.content, item.tokens, $7,
              item.embedding::vector, $8::text, to_tsvector($8::text::regconfig, item.search)
       FROM unnest($9::text[], $10::int[], $11::text[], $12::text[], $13::int[], $14::text[], $15::text[])
         AS item(id, ordinal, headings, content, tokens, embedding, search)`,
      [
        input.collectionId,
        input.path,
        input.contentHash,
        input.settings,
        generation,
        chunks.length,
        input.embedder,
        input.textSearch,
        chunks.map(() => randomUUID()),
        chunks.map((chunk) => chunk.ordinal),
        // A Postgres array literal of the heading path, so text[] survives unnest of a text[].
        chunks.map((chunk) => `{${chunk.headings.map((heading) => `"${heading.replace(/["\\]/g, '\\$&')}"`).join(',')}}`),
        chunks.map((chunk) => chunk.text),
        chunks.map((chunk) => chunk.tokens),
        input.embeddings.map(vectorText),
        chunks.map((chunk) => `${chunk.headings.join(' ')}\n${chunk.text}`),
      ],
    );
  }

  /** Removes files no longer in the source (and their chunks); returns their paths. */
  async removeFilesExcept(collectionId: string, keep: readonly string[]): Promise<string[]> {
    const result = await this.database.sql<{ path: string }>(
      `WITH gone AS (
         DELETE FROM ${FILES_TABLE} WHERE collection_id = $1 AND NOT (path = ANY($2::text[])) RETURNING path
       ), chunks AS (
         DELETE FROM ${CHUNKS_TABLE} WHERE collection_id = $1 AND path IN (SELECT path FROM gone)
       )
       SELECT path FROM gone ORDER BY path`,
      [collectionId, [...keep]],
    );
    return result.rows.map((row) => row.path);
  }

  /** Deletes chunks whose file row is gone or has moved to another generation. */
  async removeStaleChunks(collectionId: string): Promise<number> {
    const result = await this.database.sql(
      `DELETE FROM ${CHUNKS_TABLE} c WHERE c.collection_id = $1 AND NOT EXISTS (
         SELECT 1 FROM ${FILES_TABLE} f WHERE f.collection_id = c.collection_id AND f.path = c.path AND f.generation = c.generation
       )`,
      [collectionId],
    );
    return result.rowCount;
  }

  async deleteCollection(name: string, owner: string): Promise<boolean> {
    const result = await this.database.sql(`DELETE FROM ${COLLECTIONS_TABLE} WHERE name = $1 AND owner_user_id = $2`, [name, owner]);
    return result.rowCount > 0;
  }

  /** Collections `userId` can read: the shared ones and their own. */
  async collections(userId: string): Promise<CollectionInfo[]> {
    const result = await this.database.sql<{ name: string; owner_user_id: string; files: number | string; chunks: number | string }>(
      `SELECT col.name, col.owner_user_id,
              (SELECT count(*) FROM ${FILES_TABLE} f WHERE f.collection_id = col.id) AS files,
              (SELECT coalesce(sum(f.chunk_count), 0) FROM ${FILES_TABLE} f WHERE f.collection_id = col.id) AS chunks
       FROM ${COLLECTIONS_TABLE} col
       WHERE col.owner_user_id IN ('', $1)
       ORDER BY col.name, col.owner_user_id`,
      [userId],
    );
    return result.rows.map((row) => ({
      name: row.name,
      scope: row.owner_user_id === '' ? 'shared' : 'private',
      files: Number(row.files),
      chunks: Number(row.chunks),
    }));
  }

  /** Nearest chunks by cosine distance among the collections `userId` can read. Score: 1 - distance. */
  async vectorSearch(input: { userId: string; collections: readonly string[]; embedder: string; embedding: readonly number[]; limit: number }): Promise<ChunkRow[]> {
    const result = await this.database.sql<RawRow>(
      `SELECT c.id, c.path, c.headings, c.content, col.name AS collection, col.owner_user_id AS owner,
              1 - (c.embedding <=> $1::vector) AS score
       FROM ${CHUNKS_TABLE} c
       JOIN ${COLLECTIONS_TABLE} col ON col.id = c.collection_id
       JOIN ${FILES_TABLE} f ON f.collection_id = c.collection_id AND f.path = c.path AND f.generation = c.generation
       WHERE col.name = ANY($2::text[]) AND col.owner_user_id IN ('', $3) AND c.embedder = $4
       ORDER BY c.embedding <=> $1::vector, c.id
       LIMIT $5`,
      [vectorText(input.embedding), [...input.collections], input.userId, input.embedder, input.limit],
    );
    return result.rows.map(toChunkRow);
  }

  /**
   * Chunks matching any word of `query` (Postgres full-text search, `websearch_to_tsquery` over
   * the words joined by `or`), ranked by `ts_rank_cd` normalised by length.
   */
  async lexicalSearch(input: { userId: string; collections: readonly string[]; textSearch: string; query: string; limit: number }): Promise<ChunkRow[]> {
    const words = (input.query.match(/[\p{L}\p{N}_]+/gu) ?? []).filter((word) => word.toLowerCase() !== 'or');
    if (words.length === 0) return [];
    const result = await this.database.sql<RawRow>(
      `WITH query AS (SELECT websearch_to_tsquery($1::text::regconfig, $2) AS terms)
       SELECT c.id, c.path, c.headings, c.content, col.name AS collection, col.owner_user_id AS owner,
              ts_rank_cd(c.search_text, query.terms, 1) AS score
       FROM query, ${CHUNKS_TABLE} c
       JOIN ${COLLECTIONS_TABLE} col ON col.id = c.collection_id
       JOIN ${FILES_TABLE} f ON f.collection_id = c.collection_id AND f.path = c.path AND f.generation = c.generation
       WHERE col.name = ANY($3::text[]) AND col.owner_user_id IN ('', $4) AND c.text_search = $1::text AND c.search_text @@ query.terms
       ORDER BY score DESC, c.id
       LIMIT $5`,
      [input.textSearch, words.join(' or '), [...input.collections], input.userId, input.limit],
    );
    return result.rows.map(toChunkRow);
  }
}

interface RawRow {
  id: string;
  path: string;
  headings: string[] | string;
  content: string;
  collection: string;
  owner: string;
  score: number | string;
}

function toChunkRow(row: RawRow): ChunkRow {
  return {
    id: row.id,
    path: row.path,
    headings: Array.isArray(row.headings) ? row.headings : parseTextArray(row.headings),
    content: row.content,
    collection: row.collection,
    owner: row.owner,
    score: Number(row.score),
  };
}

/** Drivers that return `text[]` as its text form (`{a,"b c"}`) instead of an array. */
function parseTextArray(text: string): string[] {
  const items: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|([^,{}]+)/g;
  for (const match of text.matchAll(pattern)) items.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2]!);
  return items;
}
