export { describeTarget, parseConnectionUrl, type ConnectionTarget } from './connection-url.js';
export type { DatabaseResilienceOptions } from './database.js';
export { MemoryDatabaseError } from './database-errors.js';
export { DatabaseMemory, type MemoryOptions } from './database-memory.js';
export type { Embedder } from './embedders/embedder.js';
export { hashingEmbedder, hashText, type HashingEmbedderOptions } from './embedders/hashing-embedder.js';
export { canEmbed, llmEmbedder } from './embedders/llm-embedder.js';
export { DOCUMENTS_TABLE, MEMORY_MIGRATIONS, MEMORY_OWNER, VECTORS_OWNER } from './memory-schema.js';
export { MIGRATIONS_TABLE } from './migrations.js';
export { DEFAULT_PGLITE_PATH, defaultMemory, type PgliteMemoryOptions, pgliteMemory } from './pglite-memory.js';
export { type PostgresMemoryOptions, postgresMemory } from './postgres-memory.js';
export {
  type PgliteConfig,
  type PostgresConfig,
  pgliteConfigSchema,
  pgliteResourceType,
  postgresConfigSchema,
  postgresResourceType,
  resourceTypes,
} from './resource-types.js';
export type { RetentionOptions } from './stores/conversation-store.js';
