import { existsSync } from 'node:fs';
import { ConfigError } from '@entity/core';
import { afterAll, describe, expect, it } from 'vitest';
import { type Embedder, hashText, pgliteConfigSchema, pgliteMemory, postgresMemory } from '../src/index.js';
import { rejectionOf } from '../src/testing/index.js';
import { driversUnderTest } from './support/drivers.js';

const drivers = await driversUnderTest('dimensions', { seedPglite: false });
afterAll(async () => {
  for (const driver of drivers) await driver.cleanup();
});

/** Closes the DDL's column list, runs its own statement, then lets the rest of the DDL parse. */
const INJECTED =
  '8) NOT NULL, created_at timestamptz NOT NULL, PRIMARY KEY (user_id, id)); CREATE TABLE injected_by_dimensions (x int); CREATE TABLE injection_tail (user_id text, id text, a vector(8';

const BAD_DIMENSIONS: ReadonlyArray<[string, unknown]> = [
  ['SQL text', INJECTED],
  ['a numeric string', '384'],
  ['zero', 0],
  ['a negative number', -8],
  ['a fraction', 8.5],
  ['NaN', Number.NaN],
  ['more than an HNSW index holds', 2001],
  ['pgvector\'s column maximum', 16_000],
];

const embedderOf = (dimensions: unknown): Embedder => ({
  id: 'custom-embedder',
  dimensions: dimensions as number,
  embed: async (texts) => texts.map((text) => hashText(text, 8)),
});

for (const driver of drivers) {
  describe.skipIf(!driver.available)(`${driver.name}: embedding dimensions`, () => {
    it.each(BAD_DIMENSIONS)('refuses a custom embedder reporting %s before any SQL runs', async (_, dimensions) => {
      const location = driver.location('refused');
      const memory = driver.create({ embedder: embedderOf(dimensions) }, 'refused');
      const error = await rejectionOf(memory.start());
      expect(ConfigError.isInstance(error), String(error)).toBe(true);
      expect((error as ConfigError).issues[0]).toMatchObject({ path: 'embedder.dimensions' });
      expect((error as ConfigError).message).toMatch(/custom-embedder/);
      expect((error as ConfigError).message).toMatch(/1 to 2000/);
      // Nothing was opened: no PGlite folder, no Postgres schema.
      if (location.path) expect(existsSync(location.path)).toBe(false);
      if (location.schema) {
        const probe = driver.create({ dimensions: 8 }, 'probe');
        await probe.start();
        try {
          const schemas = await probe.database.sql('SELECT 1 FROM pg_namespace WHERE nspname = $1', [location.schema]);
          expect(schemas.rows).toEqual([]);
        } finally {
          await probe.stop();
        }
      }
    });

    it('never runs SQL carried in an embedder\'s dimensions, and a valid one starts', async () => {
      await rejectionOf(driver.create({ embedder: embedderOf(INJECTED) }, 'injection').start());
      const memory = driver.create({ embedder: embedderOf(8) }, 'injection');
      await memory.start();
      try {
        const tables = await memory.database.sql("SELECT to_regclass('injected_by_dimensions') AS injected, to_regclass('injection_tail') AS tail");
        expect(tables.rows).toEqual([{ injected: null, tail: null }]);
        expect(memory.vectors.dimensions).toBe(8);
        await memory.vectors.addDocuments([{ userId: 'u', content: 'eight dimensions' }]);
        expect((await memory.vectors.search({ userId: 'u', text: 'eight dimensions', k: 1 })).map((match) => match.content)).toEqual(['eight dimensions']);
      } finally {
        await memory.stop();
      }
    });
  });
}

describe('configured dimensions', () => {
  it('are checked when the memory is created, in code and in YAML', () => {
    for (const dimensions of [0, 1.5, 2001, Number.NaN, '8; DROP TABLE x']) {
      for (const create of [
        () => pgliteMemory({ path: 'memory://dimensions', dimensions: dimensions as number }),
        () => postgresMemory({ url: 'postgres://u@db/app', dimensions: dimensions as number }),
      ]) {
        let caught: unknown;
        try {
          create();
        } catch (error) {
          caught = error;
        }
        expect(ConfigError.isInstance(caught), String(dimensions)).toBe(true);
        expect((caught as ConfigError).issues[0]?.path).toBe('dimensions');
      }
      expect(pgliteConfigSchema.safeParse({ dimensions }).success, String(dimensions)).toBe(false);
    }
    expect(pgliteConfigSchema.safeParse({ dimensions: 2000 }).success).toBe(true);
  });
});
