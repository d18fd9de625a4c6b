import type { Migration } from '@entity/core';
import { requireDimensions } from './embedders/dimensions.js';

/** Owner name of the memory's own migrations in `entity_schema_migrations`. */
export const MEMORY_OWNER = 'entity:memory';
export const VECTORS_OWNER = 'entity:memory:vectors';
export const DOCUMENTS_TABLE = 'entity_documents';

/**
 * The memory's tables. Conversation history is append-only rows keyed by
 * (user, conversation, sequence); `entity_conversations.last_sequence` is the per-conversation
 * counter that hands out sequence numbers under a row lock, so concurrent appends never collide.
 */
export const MEMORY_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'key-value, conversations, settings',
    sql: `
      CREATE TABLE entity_kv (
        user_id text NOT NULL,
        key text NOT NULL,
        value jsonb NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (user_id, key)
      );
      CREATE TABLE entity_conversations (
        user_id text NOT NULL,
        conversation_id text NOT NULL,
        last_sequence bigint NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (user_id, conversation_id)
      );
      CREATE TABLE entity_messages (
        user_id text NOT NULL,
        conversation_id text NOT NULL,
        sequence bigint NOT NULL,
        role text NOT NULL,
        message jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (user_id, conversation_id, sequence)
      );
      CREATE INDEX entity_messages_created_at ON entity_messages (created_at);
      CREATE TABLE entity_memory_settings (
        name text PRIMARY KEY,
        value jsonb NOT NULL
      );
    `,
  },
];

/**
 * The document table. Its vector column has a fixed dimension, chosen by the first start;
 * a later start with other dimensions is refused before this runs (see `checkDimensions`).
 * HNSW with cosine distance: approximate, fast at 100k+ rows, kept current on every insert.
 */
export function vectorMigrations(dimensions: number): Migration[] {
  // The size is interpolated into DDL: it must be a checked integer, whatever the caller did.
  requireDimensions(dimensions, 'dimensions');
  return [
    {
      version: 1,
      name: `documents with ${dimensions}-dimension embeddings`,
      sql: `
        CREATE EXTENSION IF NOT EXISTS vector;
        CREATE TABLE ${DOCUMENTS_TABLE} (
          user_id text NOT NULL,
          id text NOT NULL,
          content text NOT NULL,
          metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
          embedding vector(${dimensions}) NOT NULL,
          created_at timestamptz NOT NULL,
          PRIMARY KEY (user_id, id)
        );
        CREATE INDEX ${DOCUMENTS_TABLE}_embedding ON ${DOCUMENTS_TABLE} USING hnsw (embedding vector_cosine_ops);
      `,
    },
  ];
}
