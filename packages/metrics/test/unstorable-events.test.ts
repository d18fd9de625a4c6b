import type { Resource, SqlMemory } from '@entity/core';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../src/index.js';
import { type StartedMemory, startPglite, startPostgres } from './support/databases.js';
import { startContext } from './support/start-context.js';

const backends: Record<string, () => Promise<{ memory: StartedMemory; close(): Promise<void> } | undefined>> = {
  PGlite: async () => {
    const memory = await startPglite(`memory://metrics-unstorable-${Math.random()}`);
    return { memory, close: async () => memory.stop() };
  },
  PostgreSQL: async () => {
    const started = await startPostgres();
    return started && { memory: started.memory, close: () => started.drop() };
  },
};

const names = async (database: SqlMemory) =>
  (await database.sql<{ name: string; total: number }>('SELECT name, sum(value)::int AS total FROM entity_metric_events GROUP BY name ORDER BY name')).rows;

for (const [backend, open] of Object.entries(backends)) {
  describe(`metric events the database cannot store as they are (${backend})`, () => {
    const withMetrics = async (work: (database: SqlMemory, metrics: ReturnType<typeof createMetrics>) => Promise<void>) => {
      const started = await open();
      if (!started) return;
      const database = started.memory.database!;
      const metrics = createMetrics({ tracing: false, flushIntervalMs: 60_000 });
      try {
        await metrics.start(startContext('metrics', { memory: { database } as unknown as Resource }));
        await work(database, metrics);
      } finally {
        await metrics.stop();
        await started.close();
      }
    };

    it('a NUL or a lone surrogate in a name (a model-chosen tool name) is stored as U+FFFD and blocks nothing', async () => {
      await withMetrics(async (database, metrics) => {
        metrics.increment('tool\u0000name');
        metrics.increment('half\uD800pair', 1, { 'label\u0000key': 'value\uDC00' });
        for (let round = 0; round < 5; round++) {
          metrics.increment('good');
          await metrics.flush();
        }
        expect(metrics.stats()).toMatchObject({ buffered: 0, flushed: 7, rejected: 0, flushErrors: 0 });
        expect(await names(database)).toEqual([
          { name: 'good', total: 5 },
          { name: 'half\uFFFDpair', total: 1 },
          { name: 'tool\uFFFDname', total: 1 },
        ]);
        const labels = await database.sql<{ labels: Record<string, string> }>(`SELECT labels FROM entity_metric_events WHERE name = 'half\uFFFDpair'`);
        expect(labels.rows[0]!.labels).toEqual({ 'label\uFFFDkey': 'value\uFFFD' });
      });
    });

    it('an event whose values the database refuses is dropped and counted; the rest of its batch is stored', async () => {
      await withMetrics(async (database, metrics) => {
        const operation = { runId: 'r1', timestamp: new Date(), durationMs: 1, success: true };
        for (let index = 0; index < 9; index++) metrics.increment(`fine_${index}`);
        // More tokens than a BIGINT holds: out of range for the column, whatever the text.
        metrics.recordResourceOperation({ ...operation, resource: 'llm', operation: 'chat', metadata: { inputTokens: 1e20 } });
        for (let index = 9; index < 20; index++) metrics.increment(`fine_${index}`);
        await metrics.flush();
        expect(metrics.stats()).toMatchObject({ buffered: 0, flushed: 20, rejected: 1 });
        expect((await names(database)).map((row) => row.name)).toHaveLength(20);
        expect(metrics.prometheus()).toContain('entity_metrics_rejected_events_total 1');
        metrics.increment('after');
        await metrics.flush();
        expect(metrics.stats()).toMatchObject({ buffered: 0, flushed: 21, rejected: 1 });
      });
    });
  });
}
