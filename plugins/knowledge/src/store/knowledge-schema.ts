import type { Migration } from '@entity/core';

/** Owner name of this package's migrations in the memory's `entity_schema_migrations`. */
export const KNOWLEDGE_OWNER = '@entity/plugin-knowledge';
export const COLLECTIONS_TABLE = 'entity_knowledge_collections';
export const FILES_TABLE = 'entity_knowledge_files';
export const CHUNKS_TABLE = 'entity_knowledge_chunks';

/**
 * The knowledge tables, applied through the memory's migrations (one transaction, advisory lock,
 * checksums), so they work the same on PGlite and PostgreSQL.
 *
 * - A collection belongs to one user (`owner_user_id`) or to everyone (`''`, which is never a
 *   valid user id).
 * - A file row records the content hash and settings its chunks were made with, and the
 *   `generation` of its current chunks: chunks of another generation (left by an ingest that was
 *   interrupted or overtaken) are never returned and are removed by the next ingest.
 * - `embedding` is an untyped `vector` so embedders of any size can coexist; each chunk records
 *   its `embedder`, and searches compare only vectors of the embedder in use. Vector search is
 *   exact (no approximate index): it never misses a neighbour because of an access filter.
 */
export const KNOWLEDGE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'collections, files and chunks',
    sql: `
      CREATE EXTENSION IF NOT EXISTS vector;
      CREATE TABLE ${COLLECTIONS_TABLE} (
        id text PRIMARY KEY,
        name text NOT NULL,
        owner_user_id text NOT NULL,
        created_at timestamptz NOT NULL,
        UNIQUE (name, owner_user_id)
      );
      CREATE TABLE ${FILES_TABLE} (
        collection_id text NOT NULL REFERENCES ${COLLECTIONS_TABLE} (id) ON DELETE CASCADE,
        path text NOT NULL,
        content_hash text NOT NULL,
        settings text NOT NULL,
        generation text NOT NULL,
        chunk_count integer NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (collection_id, path)
      );
      CREATE TABLE ${CHUNKS_TABLE} (
        id text PRIMARY KEY,
        collection_id text NOT NULL REFERENCES ${COLLECTIONS_TABLE} (id) ON DELETE CASCADE,
        path text NOT NULL,
        generation text NOT NULL,
        ordinal integer NOT NULL,
        headings text[] NOT NULL,
        content text NOT NULL,
        tokens integer NOT NULL,
        embedder text NOT NULL,
        embedding vector NOT NULL,
        text_search text NOT NULL,
        search_text tsvector NOT NULL
      );
      CREATE INDEX ${CHUNKS_TABLE}_file ON ${CHUNKS_TABLE} (collection_id, path, generation);
      CREATE INDEX ${CHUNKS_TABLE}_search_text ON ${CHUNKS_TABLE} USING gin (search_text);
    `,
  },
];
