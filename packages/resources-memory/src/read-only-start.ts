import { ResourceError, type ResourceStartContext } from '@entity/core';
import type { Database } from './database.js';
import type { Embedder } from './embedders/embedder.js';
import { type EmbedderChoice, resolveEmbedder } from './embedders/resolve-embedder.js';
import { MIGRATIONS_TABLE, ownTable } from './migrations.js';

/**
 * The embedder of a reader. A reader started without the agent's LLM (`entity metrics`) must
 * still open: when the configured embedder cannot be resolved, searching fails with the
 * reason, everything else reads on.
 */
export async function readerEmbedder(choice: EmbedderChoice, context: ResourceStartContext | undefined, name: string): Promise<Embedder> {
  try {
    return await resolveEmbedder(choice, context, name);
  } catch (error) {
    return {
      id: 'unavailable',
      dimensions: choice.dimensions ?? 1,
      embed: () => Promise.reject(error),
    };
  }
}

/**
 * Checks, without changing anything, that the memory tables exist; returns the pgvector
 * version in use ('0' when the extension is not installed).
 */
export async function inspectSchema(database: Database, name: string): Promise<string> {
  const result = await database.run(
    'schema inspection',
    (sql) =>
      sql.query<{ present: boolean; version: string | null }>(
        `SELECT ${ownTable('$1')} IS NOT NULL AS present,
                (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS version`,
        [MIGRATIONS_TABLE],
      ),
    { idempotent: true },
  );
  const row = result.rows[0];
  if (!row?.present) {
    throw new ResourceError(
      name,
      `Memory "${name}" found no Entity tables in ${database.driver.description}: no agent has started on this database yet (starting the agent creates them).`,
      { code: 'MEMORY_NOT_INITIALIZED' },
    );
  }
  return row.version ?? '0';
}
