import { createHash } from 'node:crypto';
import { ConfigError, type Migration, ValidationError } from '@entity/core';
import type { SqlExecutor } from './drivers/sql-driver.js';

/** Table recording which migration of which owner ran, with a checksum of its SQL. */
export const MIGRATIONS_TABLE = 'entity_schema_migrations';

// Two int4 keys: a constant for "Entity migrations" and the schema, so workers using
// different schemas of one database do not wait for each other.
const LOCK_NAMESPACE = 0x454e5449;

const OWNER_PATTERN = /^[A-Za-z0-9@][A-Za-z0-9@._:/-]{0,127}$/;

/**
 * SQL for the oid of table `param` in the schema the memory creates its tables in, or NULL.
 * An unqualified `to_regclass` would search the whole path, and the path ends in `public` (where
 * pgvector usually lives): a schema that lacks the table yet would report public's table of the
 * same name, which belongs to someone else.
 */
export const ownTable = (param: string) => `to_regclass(format('%I.%I', coalesce(current_schema(), 'public'), ${param}::text))`;

const checksumOf = (sql: string) => createHash('sha256').update(sql).digest('hex');

export function validateMigrations(owner: string, migrations: readonly Migration[]): Migration[] {
  if (typeof owner !== 'string' || !OWNER_PATTERN.test(owner)) {
    throw new ValidationError(
      'Migration owner must be 1-128 characters of letters, digits and @ . _ : / - (e.g. "@acme/plugin-notes")',
    );
  }
  if (!Array.isArray(migrations)) throw new ValidationError(`Migrations of "${owner}" must be an array`);
  const seen = new Set<number>();
  for (const migration of migrations) {
    const { version, name, sql } = migration ?? ({} as Migration);
    if (!Number.isSafeInteger(version) || version < 1) {
      throw new ValidationError(`Migration of "${owner}" has version ${String(version)}; versions are positive integers`);
    }
    if (seen.has(version)) throw new ValidationError(`Migrations of "${owner}" use version ${version} twice`);
    seen.add(version);
    if (typeof name !== 'string' || name.trim() === '') throw new ValidationError(`Migration ${version} of "${owner}" has no name`);
    if (typeof sql !== 'string' || sql.trim() === '') throw new ValidationError(`Migration ${version} of "${owner}" has no SQL`);
  }
  return [...migrations].sort((a, b) => a.version - b.version);
}

/**
 * Applies `owner`'s migrations that have not run yet, in version order, inside ONE transaction
 * holding an advisory lock: concurrent workers wait for each other, a failing migration
 * leaves nothing half-applied, and running it again is a no-op. Call from `Database.transaction`.
 * Migrations therefore must be transactional (no `CREATE INDEX CONCURRENTLY`).
 * Returns the versions applied by this call. Run it through `Database.migration`.
 */
export async function applyMigrations(executor: SqlExecutor, owner: string, migrations: readonly Migration[]): Promise<number[]> {
  const ordered = validateMigrations(owner, migrations);
  // The server-side statement timeout guards queries, not schema changes or the wait for
  // another worker's migrations; the caller's (longer) migration budget still applies.
  await executor.query("SELECT set_config('statement_timeout', '0', true)");
  await executor.query('SELECT pg_advisory_xact_lock($1::int4, hashtext(current_schema()))', [LOCK_NAMESPACE]);
  await executor.exec(
    `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
      owner text NOT NULL,
      version integer NOT NULL,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (owner, version)
    )`,
  );
  const applied = await executor.query<{ version: number; checksum: string }>(
    `SELECT version, checksum FROM ${MIGRATIONS_TABLE} WHERE owner = $1`,
    [owner],
  );
  const checksums = new Map(applied.rows.map((row) => [Number(row.version), row.checksum]));
  const appliedNow: number[] = [];
  for (const migration of ordered) {
    const checksum = checksumOf(migration.sql);
    const previous = checksums.get(migration.version);
    if (previous !== undefined) {
      if (previous !== checksum) {
        throw new ConfigError([
          {
            path: `migrations.${owner}.${migration.version}`,
            message: `migration "${migration.name}" changed after it was applied`,
            fix: 'never edit an applied migration; add a new version that makes the change',
          },
        ]);
      }
      continue;
    }
    await executor.exec(migration.sql);
    await executor.query(`INSERT INTO ${MIGRATIONS_TABLE} (owner, version, name, checksum) VALUES ($1, $2, $3, $4)`, [
      owner,
      migration.version,
      migration.name,
      checksum,
    ]);
    appliedNow.push(migration.version);
  }
  return appliedNow;
}
