import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DatabaseMemory, type MemoryOptions, pgliteMemory, postgresMemory } from '@entity/resources-memory';
import pg from 'pg';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/entity_test';

async function postgresProblem(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    const result = await client.query<{ available: boolean }>("SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') AS available");
    return result.rows[0]?.available ? undefined : 'the pgvector extension is not installed';
  } catch (error) {
    return `cannot connect (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Whether PostgreSQL with pgvector is usable. Under CI=true a missing server fails the tests;
 * locally the Postgres half is skipped with a note saying how to start it.
 */
export async function postgresAvailable(): Promise<boolean> {
  const problem = await postgresProblem();
  if (problem === undefined) return true;
  const message = `PostgreSQL with pgvector is not usable at ${DATABASE_URL.replace(/:[^:@/]*@/, ':***@')}: ${problem}. Start it with scripts/ensure-postgres.sh and export the DATABASE_URL it prints.`;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(message);
  console.warn(`[plugin-knowledge] skipping PostgreSQL tests: ${message}`);
  return false;
}

export interface Backend {
  name: 'pglite' | 'postgres';
  available: boolean;
  /** A new, empty memory on this backend (started by the caller). */
  create(options?: MemoryOptions): DatabaseMemory;
  cleanup(): Promise<void>;
}

/** PGlite in temporary folders and PostgreSQL in temporary schemas: every test runs on both. */
export async function backends(label: string): Promise<Backend[]> {
  const folder = mkdtempSync(join(tmpdir(), `entity-knowledge-${label}-`));
  const schemas: string[] = [];
  const postgresOk = await postgresAvailable();
  return [
    {
      name: 'pglite',
      available: true,
      create: (options = {}) => pgliteMemory({ ...options, path: join(folder, randomUUID()) }),
      cleanup: async () => rmSync(folder, { recursive: true, force: true }),
    },
    {
      name: 'postgres',
      available: postgresOk,
      create: (options = {}) => {
        const schema = `entity_knowledge_${label.replace(/\W/g, '_')}_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
        schemas.push(schema);
        return postgresMemory({ ...options, url: DATABASE_URL, schema });
      },
      cleanup: async () => {
        if (!postgresOk) return;
        const client = new pg.Client({ connectionString: DATABASE_URL });
        await client.connect();
        try {
          for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        } finally {
          await client.end();
        }
      },
    },
  ];
}
