import { existsSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import pg from 'pg';

const REPOSITORY_ROOT = resolve(import.meta.dirname, '../../../..');

/** DATABASE_URL, else what scripts/ensure-postgres.sh wrote, else the local default. */
function findDatabaseUrl(): string {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const written = resolve(REPOSITORY_ROOT, '.entity/database-url.env');
  if (existsSync(written)) {
    const match = /^DATABASE_URL=(.+)$/m.exec(readFileSync(written, 'utf8'));
    if (match) return match[1]!.trim();
  }
  return 'postgres://postgres@127.0.0.1:5432/entity_test';
}

export const DATABASE_URL = findDatabaseUrl();

async function probe(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    const result = await client.query<{ available: boolean }>(
      "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') AS available",
    );
    return result.rows[0]?.available ? undefined : 'the pgvector extension is not installed';
  } catch (error) {
    return `cannot connect (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Whether PostgreSQL with pgvector is usable. Under CI=true a missing server is an error, not
 * a skip; locally the Postgres half of the tests is skipped with a note on how to start it.
 */
export async function postgresAvailable(): Promise<boolean> {
  const problem = await probe();
  if (problem === undefined) return true;
  const message = `PostgreSQL with pgvector is not usable at ${DATABASE_URL.replace(/:[^:@/]*@/, ':***@')}: ${problem}. Start it with scripts/ensure-postgres.sh (it starts the server, builds pgvector and creates entity_test), then export the DATABASE_URL it prints.`;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(message);
  console.warn(`[resources-memory] skipping PostgreSQL tests: ${message}`);
  return false;
}

/** A fresh schema name so test files never see each other's tables. */
export const freshSchema = (label: string) =>
  `entity_test_${label.replace(/\W/g, '_').slice(0, 20)}_${randomUUID().replaceAll('-', '').slice(0, 10)}`;

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
