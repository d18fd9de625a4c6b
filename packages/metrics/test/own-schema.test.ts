import { postgresMemory } from '@entity/resources-memory';
import type { Resource } from '@entity/core';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../src/index.js';
import { databaseUrl, type StartedMemory } from './support/databases.js';
import { startContext } from './support/start-context.js';

describe('metrics on a memory with a schema of its own (PostgreSQL)', () => {
  it("reads no events from public's table of the same name", async () => {
    // The memory's search path is `<schema>, public`: an unqualified lookup of a table its schema
    // does not have yet finds public's — another application's events.
    const admin = new pg.Client({ connectionString: databaseUrl() });
    try {
      await admin.connect();
    } catch (error) {
      throw new Error(`PostgreSQL is not usable at ${new URL(databaseUrl()).host} (${(error as Error).message}). Start it with scripts/ensure-postgres.sh and export the DATABASE_URL it prints.`);
    }
    const database = `entity_test_metrics_public_${process.pid}_${Date.now()}`;
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(databaseUrl());
    url.pathname = `/${database}`;
    const other = new pg.Client({ connectionString: url.toString() });
    let memory: StartedMemory | undefined;
    try {
      await other.connect();
      await other.query(
        `CREATE TABLE public.entity_metric_events (kind text, name text, started_at timestamptz, duration_ms double precision, run_id text, user_id text,
          conversation_id text, stage text, iteration integer, operation text, operation_id bigint, parent_id bigint, success boolean, error_type text,
          value double precision, labels jsonb, model text, provider text, input_tokens integer, output_tokens integer, cost_usd double precision, metadata jsonb)`,
      );
      await other.query(`INSERT INTO public.entity_metric_events (kind, name, started_at, run_id, user_id) VALUES ('run', 'run', now(), 'theirs', 'someone')`);
      memory = postgresMemory({ url: url.toString(), schema: 'ours', embedder: 'hashing' }) as unknown as StartedMemory;
      await memory.start(startContext('memory'));
      const reader = createMetrics({ tracing: false, readOnly: true });
      await reader.start(startContext('metrics', { memory: memory as unknown as Resource }));
      expect(await reader.runLog({ userId: 'someone' })).toEqual([]);
      expect((await reader.summary(24)).runs.count).toBe(0);
      await reader.stop();
    } finally {
      await Promise.resolve(memory?.stop()).catch(() => undefined);
      await other.end().catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    }
  });
});
