import { inMemoryLogger } from '@entity/core';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseMemory, parseConnectionUrl } from '../src/index.js';
import { PgliteDriver } from '../src/drivers/pglite-driver.js';
import { PostgresDriver } from '../src/drivers/postgres-driver.js';
import type { SqlDriver, SqlExecutor } from '../src/drivers/sql-driver.js';
import { vectorOf } from '../src/testing/index.js';
import { driversUnderTest } from './support/drivers.js';

const drivers = await driversUnderTest('search-settings');
afterAll(async () => {
  for (const driver of drivers) await driver.cleanup();
});

/** pgvector's compiled-in default: what a session shows when nobody changed it. */
const PGVECTOR_DEFAULT_EF_SEARCH = '40';
const DIMENSIONS = 8;

/**
 * The real driver, with one addition: right before each vector search statement it asks the
 * same transaction which `hnsw.ef_search` is in effect, so the test sees what the search used.
 */
function observing(driver: SqlDriver, seen: string[]): SqlDriver {
  const probe = (executor: SqlExecutor): SqlExecutor => ({
    exec: (script) => executor.exec(script),
    query: async (text, params) => {
      if (text.includes('<=>')) {
        const setting = await executor.query<{ value: string }>("SELECT current_setting('hnsw.ef_search') AS value");
        seen.push(setting.rows[0]!.value);
      }
      return executor.query(text, params);
    },
  });
  return {
    kind: driver.kind,
    description: driver.description,
    open: () => driver.open(),
    close: () => driver.close(),
    query: (text, params) => driver.query(text, params),
    exec: (script) => driver.exec(script),
    executor: (signal) => driver.executor(signal),
    transaction: (work, signal) => driver.transaction((executor) => work(probe(executor)), signal),
  };
}

const documents = (userId: string) =>
  Array.from({ length: 20 }, (_, index) => ({ userId, id: `d${index}`, content: `d${index}`, embedding: vectorOf(DIMENSIONS, [1, index / 10], index + 1) }));
const search = (memory: DatabaseMemory) => memory.vectors.search({ userId: 'ef-user', embedding: vectorOf(DIMENSIONS, [1, 0.5]), k: 5 });
const sessionEfSearch = async (memory: DatabaseMemory) =>
  (await memory.database.sql<{ value: string }>("SELECT current_setting('hnsw.ef_search') AS value")).rows[0]!.value;

for (const driver of drivers) {
  describe.skipIf(!driver.available)(`${driver.name}: search settings`, () => {
    it('memories on one database each search with their own efSearch and leave the session alone', async () => {
      const narrow = driver.create({ efSearch: 10, dimensions: DIMENSIONS, embedder: 'hashing' }, 'shared');
      const wide = driver.create({ efSearch: 200, dimensions: DIMENSIONS, embedder: 'hashing' }, 'shared');
      await narrow.start();
      await wide.start();
      try {
        await narrow.vectors.addDocuments(documents('ef-user'));
        expect((await search(narrow)).length).toBe(5);
        expect((await search(wide)).length).toBe(5);
        // Opening or searching must not leave a setting behind in the (shared) session.
        expect(await sessionEfSearch(narrow)).toBe(PGVECTOR_DEFAULT_EF_SEARCH);
        expect(await sessionEfSearch(wide)).toBe(PGVECTOR_DEFAULT_EF_SEARCH);
      } finally {
        await narrow.stop();
        await wide.stop();
      }
    });
  });
}

describe('pglite: two memories on one path', () => {
  it('search concurrently, each with its own efSearch', async () => {
    const path = drivers.find((driver) => driver.name === 'pglite')!.location('observed').path!;
    const seenNarrow: string[] = [];
    const seenWide: string[] = [];
    const options = { dimensions: DIMENSIONS, embedder: 'hashing' as const };
    const narrow = new DatabaseMemory(({ resourceName }) => observing(new PgliteDriver(path, resourceName), seenNarrow), { ...options, efSearch: 10 });
    const wide = new DatabaseMemory(({ resourceName }) => observing(new PgliteDriver(path, resourceName), seenWide), { ...options, efSearch: 200 });
    await narrow.start();
    await wide.start();
    try {
      await wide.vectors.addDocuments(documents('ef-user'));
      await Promise.all(Array.from({ length: 6 }, (_, index) => search(index % 2 === 0 ? narrow : wide)));
      expect(seenNarrow).toEqual(['10', '10', '10']);
      expect(seenWide).toEqual(['200', '200', '200']);
    } finally {
      await narrow.stop();
      await wide.stop();
    }
  });
});

const postgres = drivers.find((driver) => driver.name === 'postgres')!;
describe.skipIf(!postgres.available)('postgres: a pooled session', () => {
  it('a plugin\'s SET on the connection does not change how the memory searches', async () => {
    const { url, schema } = postgres.location('pooled');
    const seen: string[] = [];
    const memory = new DatabaseMemory(
      ({ resourceName, log }) =>
        observing(
          new PostgresDriver({
            url: url!,
            target: parseConnectionUrl(url!),
            resourceName,
            poolSize: 1,
            connectTimeoutMs: 5_000,
            statementTimeoutMs: 30_000,
            schema,
            log,
          }),
          seen,
        ),
      { dimensions: DIMENSIONS, embedder: 'hashing', efSearch: 150 },
    );
    await memory.start({ name: 'memory', log: inMemoryLogger(), has: () => false, resource: () => undefined as never, signal: new AbortController().signal });
    try {
      await memory.vectors.addDocuments(documents('ef-user'));
      // One connection in the pool: the session this SET changes is the one the search uses next.
      await memory.database.sql('SET hnsw.ef_search = 3');
      expect((await search(memory)).length).toBe(5);
      expect(seen).toEqual(['150']);
    } finally {
      await memory.stop();
    }
  });
});
