import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DatabaseMemory, type MemoryOptions, pgliteMemory, postgresMemory } from '../../src/index.js';
import { ensurePgliteTemplate, seedPgliteFolder } from '../../src/testing/index.js';
import { DATABASE_URL, dropSchema, freshSchema, postgresAvailable } from './postgres.js';

/** Where a memory keeps its data: a PGlite folder or a Postgres URL + schema. */
export interface Location {
  path?: string;
  url?: string;
  schema?: string;
}

/** One way of creating the SQL memory; every parameterised test runs once per driver. */
export interface DriverUnderTest {
  name: 'pglite' | 'postgres';
  /** Whether the tests of this driver run (Postgres may be absent outside CI). */
  available: boolean;
  /** Settings of the database called `name` (default `main`) that belongs to this test file. */
  location(name?: string): Location;
  /** A memory on the database called `name` (default `main`). */
  create(options?: MemoryOptions, name?: string): DatabaseMemory;
  /** Removes every database this file used. */
  cleanup(): Promise<void>;
}

/** Drivers for one test file: temporary PGlite folders and temporary Postgres schemas. */
export async function driversUnderTest(label: string, options: { seedPglite?: boolean } = {}): Promise<DriverUnderTest[]> {
  const seed = options.seedPglite ?? true;
  const folder = mkdtempSync(join(tmpdir(), `entity-memory-${label}-`));
  const schemaPrefix = freshSchema(label);
  const usedSchemas = new Set<string>();
  const postgresOk = await postgresAvailable();
  if (seed) await ensurePgliteTemplate();
  // Seeded with an initialised database unless the file tests what a first start does (or times it).
  const pgliteLocation = (name = 'main'): Location => ({ path: seed ? seedPgliteFolder(join(folder, name)) : join(folder, name) });
  const postgresLocation = (name = 'main'): Location => {
    const schema = `${schemaPrefix}_${name.replace(/\W/g, '_')}`;
    usedSchemas.add(schema);
    return { url: DATABASE_URL, schema };
  };
  return [
    {
      name: 'pglite',
      available: true,
      location: pgliteLocation,
      create: (options = {}, name) => pgliteMemory({ ...options, path: pgliteLocation(name).path! }),
      cleanup: async () => rmSync(folder, { recursive: true, force: true }),
    },
    {
      name: 'postgres',
      available: postgresOk,
      location: postgresLocation,
      create: (options = {}, name) => {
        const { url, schema } = postgresLocation(name);
        return postgresMemory({ ...options, url: url!, schema: schema! });
      },
      cleanup: async () => {
        if (postgresOk) for (const schema of usedSchemas) await dropSchema(schema);
      },
    },
  ];
}
