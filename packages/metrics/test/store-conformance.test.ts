import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqlMemory } from '@entity/core';
import { MemoryMetricsStore, SqlMetricsStore } from '../src/index.js';
import { startPglite, startPostgres } from './support/databases.js';
import { describeMetricsStore } from './support/store-conformance.js';

const sqlStore = async (database: SqlMemory) => {
  const store = new SqlMetricsStore(database);
  await store.migrate();
  return { store, reset: async () => void (await database.sql('DELETE FROM entity_metric_events')) };
};

describeMetricsStore('in process memory', async () => {
  let store = new MemoryMetricsStore();
  return {
    get store() {
      return store;
    },
    reset: async () => {
      store = new MemoryMetricsStore();
    },
    close: async () => undefined,
  };
});

describeMetricsStore('PGlite (through @entity/resources-memory)', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'entity-metrics-pglite-'));
  const memory = await startPglite(folder);
  return {
    ...(await sqlStore(memory.database!)),
    close: async () => {
      await memory.stop();
      await rm(folder, { recursive: true, force: true });
    },
  };
});

describeMetricsStore('PostgreSQL (through @entity/resources-memory)', async () => {
  const started = await startPostgres();
  if (!started) return undefined;
  return { ...(await sqlStore(started.memory.database!)), close: () => started.drop() };
});
