import type { Migration, SqlMemory, SqlResult } from '@entity/core';
import { ValidationError } from '@entity/core';
import type { Database } from '../database.js';
import { applyMigrations, validateMigrations } from '../migrations.js';

/**
 * Parameterised SQL for plugins with their own tables: the memory's unscoped escape hatch.
 * Unlike the key-value, conversation and vector calls, nothing here is limited to one user:
 * `SELECT * FROM entity_messages` returns every user's rows, so a plugin must scope its own
 * queries (`WHERE user_id = $1`). Each call is ONE statement sent with the extended protocol:
 * values travel separately from the text, and text holding a second statement is refused
 * (`MEMORY_SQL_MULTIPLE_STATEMENTS`; use `migrate` for scripts). Errors name the SQLSTATE, not the query.
 */
export class SqlAccess implements SqlMemory {
  constructor(private readonly database: () => Database) {}

  /**
   * Runs one statement with `params` bound to `$1, $2, ...`. Sees every user's rows: scope the
   * query yourself. More than one statement in `query` fails with a ValidationError.
   */
  async sql<Row = Record<string, unknown>>(query: string, params: readonly unknown[] = []): Promise<SqlResult<Row>> {
    if (typeof query !== 'string' || query.trim() === '') throw new ValidationError('sql() needs a query string');
    if (!Array.isArray(params)) throw new ValidationError('sql() parameters must be an array');
    // Unknown statements may write; only transient failures before execution are retried.
    return this.database().run('sql query', (executor) => executor.query<Row>(query, params), { idempotent: false });
  }

  /** Applies `owner`'s migrations not applied yet, once, in version order, under a lock (multi-statement scripts belong here). */
  async migrate(owner: string, migrations: readonly Migration[]): Promise<void> {
    validateMigrations(owner, migrations);
    // One transaction under the lock that skips applied versions: safe to repeat after a failure.
    await this.database().migration((executor) => applyMigrations(executor, owner, migrations));
  }
}
