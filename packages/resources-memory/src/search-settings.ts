import { ConfigError } from '@entity/core';
import type { SqlExecutor } from './drivers/sql-driver.js';

/** Default HNSW candidate list size per search (pgvector's own default is 40). */
export const DEFAULT_EF_SEARCH = 100;

/** Checks `efSearch` when the memory is created, so a bad value fails before anything opens. */
export function requireEfSearch(efSearch: unknown = DEFAULT_EF_SEARCH): number {
  if (typeof efSearch !== 'number' || !Number.isInteger(efSearch) || efSearch < 1 || efSearch > 1000) {
    throw new ConfigError([{ path: 'efSearch', message: `is ${String(efSearch)}`, fix: `use an integer between 1 and 1000 (default ${DEFAULT_EF_SEARCH})` }]);
  }
  return efSearch;
}

/** pgvector releases with iterative index scans (`hnsw.iterative_scan`). */
export function hasIterativeScan(pgvectorVersion: string): boolean {
  const [major = 0, minor = 0] = pgvectorVersion.split('.').map((part) => Number.parseInt(part, 10));
  return major > 0 || minor >= 8;
}

/**
 * The pgvector settings of one search. They are applied inside the search's own transaction
 * (`set_config(..., true)`, i.e. `SET LOCAL`), never to the session: memories sharing one
 * PGlite instance or one pooled connection each search with their own `efSearch`, and a
 * plugin's `SET` through `database.sql` cannot change how the memory searches.
 * Iterative scans (pgvector >= 0.8) keep walking the HNSW graph until enough rows pass the
 * user/metadata filter, so a filtered search still returns k results.
 */
export function searchSettings(efSearch: number, pgvectorVersion: string): ReadonlyArray<readonly [string, string]> {
  return [['hnsw.ef_search', String(efSearch)], ...(hasIterativeScan(pgvectorVersion) ? [['hnsw.iterative_scan', 'relaxed_order'] as const] : [])];
}

/** Applies `settings` until the end of the current transaction; names and values travel as parameters. */
export async function applySearchSettings(sql: SqlExecutor, settings: ReadonlyArray<readonly [string, string]>): Promise<void> {
  const calls = settings.map((_, index) => `set_config($${index * 2 + 1}, $${index * 2 + 2}, true)`);
  await sql.query(`SELECT ${calls.join(', ')}`, settings.flat());
}
