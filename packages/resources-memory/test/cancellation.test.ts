import { setTimeout as sleep } from 'node:timers/promises';
import { TimeoutError } from '@entity/core';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { rejectionOf } from '../src/testing/index.js';
import { driversUnderTest } from './support/drivers.js';
import { DATABASE_URL } from './support/postgres.js';

const drivers = await driversUnderTest('cancellation', { seedPglite: false });
afterAll(async () => {
  for (const driver of drivers) await driver.cleanup();
});
const pglite = drivers.find((driver) => driver.name === 'pglite')!;
const postgres = drivers.find((driver) => driver.name === 'postgres')!;

const documents = (count: number, prefix = 'doc') =>
  Array.from({ length: count }, (_, index) => ({ userId: 'loop-user', id: `${prefix}-${index}`, content: `document ${index} about topic ${index % 17}` }));

describe('pglite: the embedded database runs off the main thread', () => {
  it('timers keep ticking while a few hundred documents are inserted', async () => {
    const memory = pglite.create({}, 'ticks');
    await memory.start();
    try {
      await memory.vectors.addDocuments(documents(5, 'warm-up'));
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      try {
        await memory.vectors.addDocuments(documents(600));
      } finally {
        clearInterval(timer);
      }
      // Before the worker the whole insert ran on this thread and the timer never fired.
      expect(ticks).toBeGreaterThan(5);
      const stored = await memory.database.sql<{ count: number }>(`SELECT count(*)::int AS count FROM entity_documents WHERE id LIKE 'doc-%'`);
      expect(stored.rows[0]!.count).toBe(600);
    } finally {
      await memory.stop();
    }
  });

  it('a write that times out is rolled back and never lands later', async () => {
    const memory = pglite.create({ resilience: { timeoutMs: 150, retries: 0 } }, 'timeout');
    // A second memory on the same folder shares the instance; its queries queue behind the write.
    const observer = pglite.create({}, 'timeout');
    await memory.start();
    await observer.start();
    try {
      const error = await rejectionOf(memory.vectors.addDocuments(documents(1_000, 'late')));
      expect(TimeoutError.isInstance(error), String(error)).toBe(true);
      const stored = await observer.database.sql<{ count: number }>(`SELECT count(*)::int AS count FROM entity_documents WHERE id LIKE 'late-%'`);
      expect(stored.rows[0]!.count).toBe(0);
      await sleep(200);
      const later = await observer.database.sql<{ count: number }>(`SELECT count(*)::int AS count FROM entity_documents WHERE id LIKE 'late-%'`);
      expect(later.rows[0]!.count).toBe(0);
      // The instance is still usable after the cancelled transaction.
      await memory.set('loop-user', 'after', 1);
      expect(await observer.get('loop-user', 'after')).toBe(1);
    } finally {
      await memory.stop();
      await observer.stop();
    }
  });

  it('a migration that times out is rolled back, not committed after the caller gave up', async () => {
    const memory = pglite.create({ resilience: { migrationTimeoutMs: 300, retries: 0 } }, 'migration');
    await memory.start();
    try {
      const error = await rejectionOf(
        memory.database.migrate('slow-plugin', [{ version: 1, name: 'slow', sql: 'CREATE TABLE slow_done (x int); SELECT pg_sleep(1);' }]),
      );
      expect(TimeoutError.isInstance(error), String(error)).toBe(true);
      await sleep(1_200);
      const table = await memory.database.sql<{ name: string | null }>(`SELECT to_regclass('slow_done')::text AS name`);
      expect(table.rows[0]!.name).toBeNull();
      const applied = await memory.database.sql(`SELECT 1 FROM entity_schema_migrations WHERE owner = 'slow-plugin'`);
      expect(applied.rowCount).toBe(0);
    } finally {
      await memory.stop();
    }
  });
});

describe.skipIf(!postgres.available)('postgres: a timeout cancels the work on the server', () => {
  it('a transaction that times out is rolled back and never commits afterwards', async () => {
    const memory = postgres.create({ resilience: { migrationTimeoutMs: 500, retries: 0 } }, 'migration');
    await memory.start();
    try {
      const started = Date.now();
      const error = await rejectionOf(
        memory.database.migrate('slow-plugin', [{ version: 1, name: 'slow', sql: 'CREATE TABLE slow_done (x int); SELECT pg_sleep(2);' }]),
      );
      expect(TimeoutError.isInstance(error), String(error)).toBe(true);
      expect(Date.now() - started).toBeLessThan(1_900);
      // Long enough for the sleep to end: had the transaction kept running it would commit now.
      await sleep(2_300);
      const table = await memory.database.sql<{ name: string | null }>(`SELECT to_regclass('slow_done')::text AS name`);
      expect(table.rows[0]!.name).toBeNull();
      const applied = await memory.database.sql(`SELECT 1 FROM entity_schema_migrations WHERE owner = 'slow-plugin'`);
      expect(applied.rowCount).toBe(0);
    } finally {
      await memory.stop();
    }
  });

  it('a write blocked by a row lock times out, is cancelled on the server and never lands', async () => {
    const memory = postgres.create({ resilience: { timeoutMs: 3_000, migrationTimeoutMs: 500, retries: 0 } }, 'row-lock');
    await memory.start();
    const { schema } = postgres.location('row-lock');
    const locker = new pg.Client({ connectionString: DATABASE_URL });
    await locker.connect();
    try {
      await memory.database.migrate('locked-plugin', [{ version: 1, name: 'table', sql: 'CREATE TABLE locked_rows (id int PRIMARY KEY, value text)' }]);
      await memory.database.sql(`INSERT INTO locked_rows VALUES (1, 'before')`);
      await locker.query('BEGIN');
      await locker.query(`SELECT * FROM "${schema}".locked_rows WHERE id = 1 FOR UPDATE`);
      // A migration waits on the lock beyond its 500 ms budget (the statement timeout is far longer).
      const error = await rejectionOf(
        memory.database.migrate('locked-plugin', [{ version: 2, name: 'update', sql: `UPDATE locked_rows SET value = 'after' WHERE id = 1` }]),
      );
      expect(TimeoutError.isInstance(error), String(error)).toBe(true);
      const waiting = await locker.query(
        `SELECT count(*)::int AS count FROM pg_stat_activity WHERE application_name = 'entity-memory' AND wait_event_type = 'Lock'`,
      );
      expect(waiting.rows[0].count, 'the timed-out statement is still waiting on the server').toBe(0);
      await locker.query('COMMIT');
      await sleep(300);
      const rows = await memory.database.sql<{ value: string }>('SELECT value FROM locked_rows WHERE id = 1');
      expect(rows.rows[0]!.value).toBe('before');
      const applied = await memory.database.sql(`SELECT version FROM entity_schema_migrations WHERE owner = 'locked-plugin'`);
      expect(applied.rows).toEqual([{ version: 1 }]);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
      await memory.stop();
    }
  });
});
