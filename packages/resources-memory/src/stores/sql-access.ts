import type { Migration, SqlMemory, SqlResult } from '@entity/core';
import { ValidationError } from '@entity/core';
import type { Database } from '../database.js';
import { applyMigrations, validateMigrations } from '../migrations.js';

/**
 * Parameterised SQL for plugins with their own tables. Each call is ONE statement sent with
 * the extended protocol: values travel separately from the text, and a second statement
 * smuggled into the text is rejected by the server. Errors name the SQLSTATE, not the query.
 */
export class SqlAccess implements SqlMemory {
  constructor(private readonly database: () => Database) {}

  async sql<Row = Record<string, unknown>>(query: string, params: readonly unknown[] = []): Promise<SqlResult<Row>> {
    if (typeof query !== 'string' || query.trim() === '') throw new ValidationError('sql() needs a query string');
    if (!Array.isArray(params)) throw new ValidationError('sql() parameters must be an array');
    // Unknown statements may write; only transient failures before execution are retried.
    return this.database().run('sql query', (executor) => executor.query<Row>(query, params), { idempotent: false });
  }

  async migrate(owner: string, migrations: readonly Migration[]): Promise<void> {
    validateMigrations(owner, migrations);
    // One transaction under the lock that skips applied versions: safe to repeat after a failure.
    await this.database().migration((executor) => applyMigrations(executor, owner, migrations));
  }
}
