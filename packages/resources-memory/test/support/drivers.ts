import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DatabaseMemory, type MemoryOptions, pgliteMemory, postgresMemory } from '../../src/index.js';
import { DATABASE_URL, dropSchema, freshSchema, postgresAvailable } from './postgres.js';

/** One way of creating the SQL memory; every parameterised test runs once per driver. */
export interface DriverUnderTest {
  name: 'pglite' | 'postgres';
  /** Whether the tests of this driver run (Postgres may be absent outside CI). */
  available: boolean;
  /** A memory on this test file's own database (PGlite folder / Postgres schema). */
  create(options?: MemoryOptions): DatabaseMemory;
  /** Settings that make a child process open the same database. */
  location: { path?: string; url?: string; schema?: string };
  /** Removes the test database. */
  cleanup(): Promise<void>;
}

/** Drivers for one test file: a temporary PGlite folder and a temporary Postgres schema. */
export async function driversUnderTest(label: string): Promise<DriverUnderTest[]> {
  const folder = mkdtempSync(join(tmpdir(), `entity-memory-${label}-`));
  const path = join(folder, 'memory');
  const schema = freshSchema(label);
  const postgresOk = await postgresAvailable();
  return [
    {
      name: 'pglite',
      available: true,
      create: (options = {}) => pgliteMemory({ ...options, path }),
      location: { path },
      cleanup: async () => rmSync(folder, { recursive: true, force: true }),
    },
    {
      name: 'postgres',
      available: postgresOk,
      create: (options = {}) => postgresMemory({ ...options, url: DATABASE_URL, schema }),
      location: { url: DATABASE_URL, schema },
      cleanup: () => (postgresOk ? dropSchema(schema) : Promise.resolve()),
    },
  ];
}
