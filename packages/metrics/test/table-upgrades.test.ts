import type { Resource, SqlMemory } from '@entity/core';
import { describe, expect, it } from 'vitest';
import { createMetrics, METRICS_MIGRATION_OWNER, METRICS_MIGRATIONS, type MetricEvent, SqlMetricsStore } from '../src/index.js';
import { INSERT_WITHOUT_ID, MIGRATION_2_FROM_MAIN } from './fixtures/earlier-migrations.js';
import { type StartedMemory, startPglite, startPostgres } from './support/databases.js';
import { driveRun } from './support/drive-run.js';
import { startContext } from './support/start-context.js';

const VERSION_1 = METRICS_MIGRATIONS.filter((migration) => migration.version === 1);
const OLD_ROWS = 2_000;
const LEGACY_ID = /^00000000-0000-0000-0000-[0-9a-f]{12}$/;

const backends: Record<string, () => Promise<{ memory: StartedMemory; close(): Promise<void> } | undefined>> = {
  PGlite: async () => {
    const memory = await startPglite(`memory://metrics-upgrade-${Math.random()}`);
    return { memory, close: async () => memory.stop() };
  },
  PostgreSQL: async () => {
    const started = await startPostgres();
    return started && { memory: started.memory, close: () => started.drop() };
  },
};

const appliedVersions = async (database: SqlMemory) =>
  (
    await database.sql<{ version: number }>('SELECT version FROM entity_schema_migrations WHERE owner = $1 ORDER BY version', [METRICS_MIGRATION_OWNER])
  ).rows.map((row) => Number(row.version));

const idColumn = async (database: SqlMemory) =>
  (
    await database.sql<{ is_nullable: string }>(
      `SELECT is_nullable FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'entity_metric_events' AND column_name = 'id'`,
    )
  ).rows[0];

const tableBytes = async (database: SqlMemory) =>
  Number((await database.sql<{ bytes: string }>(`SELECT pg_relation_size('entity_metric_events') AS bytes`)).rows[0]!.bytes);

const count = async (database: SqlMemory, where: string) =>
  (await database.sql<{ count: number }>(`SELECT count(*)::int AS count FROM entity_metric_events WHERE ${where}`)).rows[0]!.count;

/** Every statement and migration a resource sends, to prove a reader changes nothing. */
function watched(database: SqlMemory) {
  const statements: string[] = [];
  const access: SqlMemory = {
    migrate: (owner, migrations) => {
      statements.push(`migrate ${owner}`);
      return database.migrate(owner, migrations);
    },
    sql: (query, params) => {
      statements.push(query.trim());
      return database.sql(query, params);
    },
  };
  return { access, statements };
}

for (const [backend, open] of Object.entries(backends)) {
  describe(`metrics table upgrades (${backend})`, () => {
    const withDatabase = async (work: (database: SqlMemory) => Promise<void>) => {
      const started = await open();
      if (!started) return;
      try {
        await work(started.memory.database!);
      } finally {
        await started.close();
      }
    };

    it('readOnly reads a table of the previous release as it is: no migration, no write', async () => {
      await withDatabase(async (database) => {
        await database.migrate(METRICS_MIGRATION_OWNER, VERSION_1);
        await database.sql(INSERT_WITHOUT_ID, [OLD_ROWS]);
        const bytes = await tableBytes(database);
        const { access, statements } = watched(database);
        const reader = createMetrics({ tracing: false, readOnly: true });
        await reader.start(startContext('metrics', { memory: { database: access } as unknown as Resource }));
        expect((await reader.summary(24)).runs.count).toBe(OLD_ROWS);
        const log = await reader.runLog({ userId: 'old-user', limit: OLD_ROWS });
        expect(log).toHaveLength(OLD_ROWS);
        expect(log.every((event) => LEGACY_ID.test(event.id))).toBe(true);
        expect(new Set(log.map((event) => event.id)).size).toBe(OLD_ROWS);
        await reader.stop();
        expect(statements.filter((statement) => !statement.startsWith('SELECT'))).toEqual([]);
        expect(await appliedVersions(database)).toEqual([1]);
        expect(await idColumn(database)).toBeUndefined();
        expect(await tableBytes(database)).toBe(bytes);
      });
    });

    it('readOnly on a database the agent never wrote to reads no events and creates nothing', async () => {
      await withDatabase(async (database) => {
        const reader = createMetrics({ tracing: false, readOnly: true });
        await reader.start(startContext('metrics', { memory: { database } as unknown as Resource }));
        expect((await reader.summary(24)).runs.count).toBe(0);
        expect(await reader.runLog({ userId: 'anyone' })).toEqual([]);
        await reader.stop();
        const table = await database.sql<{ present: boolean }>(`SELECT to_regclass(format('%I.%I', current_schema(), 'entity_metric_events')) IS NOT NULL AS present`);
        expect(table.rows[0]!.present).toBe(false);
      });
    });

    it('an agent upgrading a table of the previous release rewrites no row, and new events stay idempotent', async () => {
      await withDatabase(async (database) => {
        await database.migrate(METRICS_MIGRATION_OWNER, VERSION_1);
        await database.sql(INSERT_WITHOUT_ID, [OLD_ROWS]);
        const bytes = await tableBytes(database);
        const writer = createMetrics({ tracing: false, flushIntervalMs: 60_000 });
        await writer.start(startContext('metrics', { memory: { database } as unknown as Resource }));
        // Adding a nullable column rewrites nothing; the old backfill rewrote every row.
        expect(await count(database, 'id IS NULL')).toBe(OLD_ROWS);
        expect(await tableBytes(database)).toBe(bytes);
        expect(await appliedVersions(database)).toEqual([1, 3]);
        expect(await idColumn(database)).toEqual({ is_nullable: 'YES' });

        driveRun(writer.instrumentation, 'new-run');
        await writer.flush();
        expect(await count(database, "run_id = 'new-run' AND id IS NOT NULL")).toBe(6);
        const [oldEvent] = await writer.runLog('old-run-7');
        expect(oldEvent?.id).toMatch(LEGACY_ID);
        await writer.stop();

        const store = new SqlMetricsStore(database);
        const event: MetricEvent = { id: '0b5bd6a8-5d2f-4c1e-9a57-1f1a2b3c4d5e', kind: 'counter', name: 'twice', value: 1, startedAt: Date.now() };
        await store.append([event]);
        await store.append([event]);
        expect(await count(database, "name = 'twice'")).toBe(1);
        // A worker still on the previous release inserts without an id and gets one from the default.
        await database.sql(INSERT_WITHOUT_ID.replace("'old-user'", "'late-old-worker'"), [1]);
        expect(await count(database, "user_id = 'late-old-worker' AND id IS NOT NULL")).toBe(1);
      });
    });

    it('a database that ran the unreleased migration 2 upgrades without a checksum error, keeping its ids', async () => {
      await withDatabase(async (database) => {
        await database.migrate(METRICS_MIGRATION_OWNER, VERSION_1);
        await database.sql(INSERT_WITHOUT_ID, [10]);
        await database.migrate(METRICS_MIGRATION_OWNER, [...VERSION_1, MIGRATION_2_FROM_MAIN]);
        const idsBefore = (await database.sql<{ id: string }>('SELECT id::text AS id FROM entity_metric_events ORDER BY sequence')).rows;
        const writer = createMetrics({ tracing: false, flushIntervalMs: 60_000 });
        await writer.start(startContext('metrics', { memory: { database } as unknown as Resource }));
        expect(await appliedVersions(database)).toEqual([1, 2, 3]);
        expect((await database.sql<{ id: string }>('SELECT id::text AS id FROM entity_metric_events ORDER BY sequence')).rows).toEqual(idsBefore);
        expect(await idColumn(database)).toEqual({ is_nullable: 'YES' });
        const indexes = await database.sql<{ indexname: string }>(
          `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'entity_metric_events' AND indexname LIKE '%id' ORDER BY indexname`,
        );
        expect(indexes.rows.map((row) => row.indexname)).toEqual(['entity_metric_events_event_id']);
        driveRun(writer.instrumentation, 'after-upgrade');
        await writer.flush();
        await writer.flush();
        expect(await count(database, "run_id = 'after-upgrade'")).toBe(6);
        expect((await writer.runLog('old-run-3'))[0]?.id).toBe(idsBefore[2]!.id);
        await writer.stop();
      });
    });
  });
}
