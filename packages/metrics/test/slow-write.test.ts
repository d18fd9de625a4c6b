import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Resource, SqlMemory } from '@entity/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../src/index.js';
import { databaseUrl, type StartedMemory, startPglite, startPostgres } from './support/databases.js';
import { driveRun } from './support/drive-run.js';
import { startContext } from './support/start-context.js';

const EVENTS_PER_RUN = 6;

/**
 * The memory's real database, with metric inserts held back until `open()`: each write lands,
 * for real, after the metrics resource gave up waiting for it.
 */
function slowDatabase(database: SqlMemory) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const inFlight: Promise<unknown>[] = [];
  const slow: SqlMemory = {
    migrate: (owner, migrations) => database.migrate(owner, migrations),
    sql<Row>(query: string, params?: readonly unknown[]) {
      if (!query.includes('INSERT INTO entity_metric_events')) return database.sql<Row>(query, params);
      const write = gate.then(() => database.sql<Row>(query, params));
      inFlight.push(write.catch(() => undefined));
      return write;
    },
  };
  return {
    database: slow,
    /** Lets the held writes through and waits until every one has landed. */
    async release() {
      open();
      await Promise.all(inFlight);
    },
    get attempts() {
      return inFlight.length;
    },
  };
}

const countRun = async (database: SqlMemory, runId: string) =>
  (await database.sql<{ count: number }>('SELECT count(*)::int AS count FROM entity_metric_events WHERE run_id = $1', [runId])).rows[0]!.count;

/** A flush that times out while its write is held, then the late write lands, then the next flush writes the batch again. */
async function slowFlushThenRecover(database: SqlMemory, holdWrites: () => Promise<{ release(): Promise<void>; attempts?: number }>, via: SqlMemory = database) {
  const metrics = createMetrics({ tracing: false, writeTimeoutMs: 100, flushIntervalMs: 60_000 });
  await metrics.start(startContext('metrics', { memory: { database: via } as unknown as Resource }));
  const held = await holdWrites();
  driveRun(metrics.instrumentation, 'slow-run');
  await metrics.flush();
  expect(metrics.stats()).toMatchObject({ buffered: EVENTS_PER_RUN, flushErrors: 1 });
  expect(metrics.stats().lastFlushError).toMatch(/Timeout/);
  await held.release();
  await metrics.flush();
  await metrics.stop();
  const rows = await countRun(database, 'slow-run');
  expect(rows, 'rows stored for the run\'s events').toBe(EVENTS_PER_RUN);
  expect(metrics.stats()).toMatchObject({ buffered: 0, flushed: EVENTS_PER_RUN });
  return { rows, attempts: held.attempts };
}

describe('a slow metrics write is stored once', () => {
  let folder: string;
  let pglite: StartedMemory;
  let postgres: Awaited<ReturnType<typeof startPostgres>>;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'entity-metrics-slow-'));
    pglite = await startPglite(folder);
    postgres = await startPostgres();
  });
  afterAll(async () => {
    await pglite?.stop();
    await rm(folder, { recursive: true, force: true });
    await postgres?.drop();
  });

  it('PGlite: a write that lands after its timeout, and the batch written again, give one row per event', async () => {
    const database = pglite.database!;
    const slow = slowDatabase(database);
    const result = await slowFlushThenRecover(database, async () => slow, slow.database);
    // One timed-out attempt, no retry inside the flush; the next flush wrote the batch again.
    expect(result.attempts).toBe(2);
    expect(result.rows).toBe(EVENTS_PER_RUN);
  });

  it('PostgreSQL: the same with the table locked from another connection', async () => {
    if (!postgres) return;
    const database = postgres.memory.database!;
    const schema = postgres.schema;
    const result = await slowFlushThenRecover(database, async () => {
      const locker = new pg.Client({ connectionString: databaseUrl() });
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE "${schema}".entity_metric_events IN EXCLUSIVE MODE`);
      return {
        async release() {
          await locker.query('COMMIT');
          await locker.end();
          // The insert that timed out is still queued on the server: wait until it has landed.
          const watcher = new pg.Client({ connectionString: databaseUrl() });
          await watcher.connect();
          try {
            for (;;) {
              const waiting = await watcher.query(
                `SELECT count(*)::int AS count FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%INSERT INTO entity_metric_events%' AND pid <> pg_backend_pid()`,
              );
              if (waiting.rows[0].count === 0) break;
              await new Promise((resolve) => setTimeout(resolve, 20));
            }
          } finally {
            await watcher.end();
          }
        },
      };
    });
    expect(result.rows).toBe(EVENTS_PER_RUN);
  });
});
