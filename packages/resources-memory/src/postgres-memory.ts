import { ConfigError } from '@entity/core';
import { parseConnectionUrl } from './connection-url.js';
import { DatabaseMemory, type MemoryOptions } from './database-memory.js';
import { PostgresDriver } from './drivers/postgres-driver.js';
import { requireResilienceOptions, statementTimeoutFor } from './resilience-options.js';

export interface PostgresMemoryOptions extends MemoryOptions {
  /** `postgres://USER:PASSWORD@HOST:5432/DATABASE` (query options such as `sslmode` are honoured). Required. */
  url: string;
  /** Connections in the pool per process. Default: 10. */
  poolSize?: number;
  /** How long to wait for a connection, in ms. Default: 5 000. */
  connectTimeoutMs?: number;
  /**
   * Schema holding the memory's tables, created when missing. Default: the connection's
   * `search_path` (normally `public`). Lets several agents share one database.
   */
  schema?: string;
}

const SCHEMA_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Memory in PostgreSQL with pgvector, through a `pg` connection pool: for several workers
 * and production. The server needs the `vector` extension (pgvector >= 0.5 for HNSW).
 * An unreachable server fails `start()` with a message naming host, port and what to check.
 */
export function postgresMemory(options: PostgresMemoryOptions): DatabaseMemory {
  if (typeof options?.url !== 'string' || options.url === '') {
    throw new ConfigError([{ path: 'url', message: 'is required', fix: 'set url: postgres://USER:PASSWORD@HOST:5432/DATABASE' }]);
  }
  const target = parseConnectionUrl(options.url);
  const poolSize = options.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 1000) {
    throw new ConfigError([{ path: 'poolSize', message: `is ${poolSize}`, fix: 'use an integer between 1 and 1000 (default 10)' }]);
  }
  if (options.schema !== undefined && !SCHEMA_PATTERN.test(options.schema)) {
    throw new ConfigError([{ path: 'schema', message: 'is not a plain identifier', fix: 'use letters, digits and underscores, e.g. entity_memory' }]);
  }
  requireResilienceOptions(options.resilience);
  const statementTimeoutMs = statementTimeoutFor(options.resilience?.timeoutMs ?? 30_000);
  return new DatabaseMemory(
    ({ resourceName, log, readOnly }) =>
      new PostgresDriver({
        readOnly,
        url: options.url,
        target,
        resourceName,
        poolSize,
        connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
        statementTimeoutMs,
        schema: options.schema,
        log,
      }),
    options,
  );
}
