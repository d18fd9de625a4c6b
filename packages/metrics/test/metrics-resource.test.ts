import type { Resource, SqlMemory } from '@entity/core';
import { describe, expect, it } from 'vitest';
import { createMetrics, METRICS_MIGRATION_OWNER, METRICS_MIGRATIONS, type MetricsStore } from '../src/index.js';
import { startPglite } from './support/databases.js';
import { driveRun } from './support/drive-run.js';
import { startContext } from './support/start-context.js';

describe('metrics resource', () => {
  it('records every operation and returns the run log in start order, as a tree', async () => {
    const metrics = createMetrics({ tracing: false });
    driveRun(metrics.instrumentation, 'run-a');
    driveRun(metrics.instrumentation, 'run-b', 'u2');
    const log = await metrics.runLog('run-a');
    expect(log.map((entry) => [entry.depth, entry.kind, entry.name, entry.operation ?? ''])).toEqual([
      [0, 'run', 'run', ''],
      [1, 'stage', 'THINK', ''],
      [2, 'plugin', 'entity:chat', ''],
      [3, 'resource', 'llm', 'chat'],
      [1, 'stage', 'DO', ''],
      [2, 'tool', 'add', ''],
    ]);
    expect(log[3]).toMatchObject({ runId: 'run-a', userId: 'u1', durationMs: 3, success: true, model: 'm1', provider: 'p1', inputTokens: 11, outputTokens: 7 });
    expect(log[0]).toMatchObject({ metadata: { iterations: 1 } });
    expect((await metrics.runLog({ userId: 'u2' })).every((entry) => entry.runId === 'run-b')).toBe(true);
    expect(metrics.stats()).toMatchObject({ store: 'memory', buffered: 0, dropped: 0, flushed: 12 });
  });

  it('summarises per plugin and resource with error rates and tokens', async () => {
    const metrics = createMetrics({ tracing: false });
    driveRun(metrics.instrumentation, 'r1');
    driveRun(metrics.instrumentation, 'r2', 'u1', true);
    const summary = await metrics.summary(1);
    expect(summary.runs).toMatchObject({ count: 2, errors: 1, errorRate: 0.5, users: 1 });
    expect(summary.resources).toEqual([expect.objectContaining({ resource: 'llm', operation: 'chat', count: 2, errors: 1, inputTokens: 11, outputTokens: 7 })]);
    expect(summary.plugins).toEqual([expect.objectContaining({ stage: 'THINK', plugin: 'entity:chat', count: 2, errors: 1 })]);
    expect(summary.tools).toEqual([expect.objectContaining({ tool: 'add', count: 2, errors: 0 })]);
    expect(summary.tokens).toEqual({ input: 11, output: 7, total: 18, costUsd: 0 });
    expect((await metrics.summary(1, { userId: 'nobody' })).runs.count).toBe(0);
  });

  it('attributes custom metrics to a run with forRun, or through runId/userId labels', async () => {
    const metrics = createMetrics({ tracing: false });
    metrics.forRun({ runId: 'r9', userId: 'u9' }).increment('documents_indexed', 3, { source: 'web' });
    metrics.observe('chunk_tokens', 120, { runId: 'r9', userId: 'u9' });
    const log = await metrics.runLog('r9');
    expect(log).toEqual([
      expect.objectContaining({ kind: 'counter', name: 'documents_indexed', value: 3, labels: { source: 'web' }, userId: 'u9' }),
      expect.objectContaining({ kind: 'observation', name: 'chunk_tokens', value: 120, userId: 'u9' }),
    ]);
    expect(log[1]).not.toHaveProperty('labels');
    expect((await metrics.summary(1, { userId: 'u9' })).counters).toEqual([{ name: 'documents_indexed', labels: { source: 'web' }, value: 3 }]);
  });

  it('bounds the buffer: beyond it events are dropped and counted, recording never throws', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const appended: number[] = [];
    const slowStore: MetricsStore = {
      kind: 'slow',
      append: async (events) => {
        await gate;
        appended.push(events.length);
      },
      query: async () => [],
      summary: async () => {
        throw new Error('unused');
      },
      prune: async () => 0,
    };
    const metrics = createMetrics({ tracing: false, store: slowStore, batchSize: 10, maxBufferedEvents: 50 });
    for (let index = 0; index < 120; index++) metrics.increment('ticks');
    expect(metrics.stats()).toMatchObject({ buffered: 50, dropped: 70 });
    release();
    await metrics.flush();
    expect(metrics.stats()).toMatchObject({ buffered: 0, dropped: 70, flushed: 50 });
    expect(appended.every((size) => size <= 10)).toBe(true);
    expect(metrics.prometheus()).toContain('entity_metrics_dropped_events_total 70');
  });

  it('keeps events when the store fails, reports unhealthy, and writes them once it recovers', async () => {
    let failing = true;
    const written: unknown[] = [];
    const flakyStore: MetricsStore = {
      kind: 'flaky',
      append: async (events) => {
        if (failing) throw new Error('connection refused');
        written.push(...events);
      },
      query: async () => [],
      summary: async () => {
        throw new Error('unused');
      },
      prune: async () => 0,
    };
    const metrics = createMetrics({ tracing: false, store: flakyStore });
    metrics.increment('a');
    metrics.increment('b');
    await metrics.flush();
    expect(metrics.stats()).toMatchObject({ buffered: 2, flushErrors: 1, lastFlushError: 'Error: connection refused' });
    expect((await metrics.healthCheck()).healthy).toBe(false);
    failing = false;
    await metrics.flush();
    expect(written).toHaveLength(2);
    expect((await metrics.healthCheck()).healthy).toBe(true);
  });

  it('moves events recorded before start into the database, and prunes past the retention', async () => {
    const memory = await startPglite('memory://metrics-retention');
    try {
      const database = memory.database as SqlMemory;
      await database.migrate(METRICS_MIGRATION_OWNER, METRICS_MIGRATIONS);
      await database.sql(
        `INSERT INTO entity_metric_events (kind, name, started_at, run_id) VALUES ('run', 'run', now() - interval '10 days', 'ancient'), ('run', 'run', now() - interval '1 day', 'recent')`,
      );
      const metrics = createMetrics({ tracing: false, retentionDays: 7 });
      driveRun(metrics.instrumentation, 'before-start');
      await metrics.start(startContext('metrics', { memory }));
      await metrics.flush();
      await new Promise((resolve) => setTimeout(resolve, 50)); // the start-up prune runs in the background
      const runs = await database.sql<{ run_id: string }>(`SELECT DISTINCT run_id FROM entity_metric_events ORDER BY run_id`);
      expect(runs.rows.map((row) => row.run_id)).toEqual(['before-start', 'recent']);
      await metrics.stop();
    } finally {
      await memory.stop();
    }
  });

  it('readOnly: a reader (entity metrics) never deletes old events nor writes, whatever its retention', async () => {
    const memory = await startPglite('memory://metrics-reader');
    try {
      const database = memory.database as SqlMemory;
      await database.migrate(METRICS_MIGRATION_OWNER, METRICS_MIGRATIONS);
      await database.sql(
        `INSERT INTO entity_metric_events (kind, name, started_at, run_id, user_id, duration_ms, success) VALUES ('run', 'run', now() - interval '20 days', 'ancient', 'u1', 5, true), ('run', 'run', now() - interval '1 hour', 'recent', 'u1', 5, true)`,
      );
      // Every statement the resource sends, so a prune started in the background is seen too.
      const statements: string[] = [];
      const watched: SqlMemory = {
        migrate: (owner, migrations) => database.migrate(owner, migrations),
        sql: (query, params) => {
          statements.push(query.trim());
          return database.sql(query, params);
        },
      };
      const reader = createMetrics({ tracing: false, retentionDays: 1, readOnly: true });
      await reader.start(startContext('metrics', { memory: { database: watched } as Resource }));
      driveRun(reader.instrumentation, 'while-reading');
      expect((await reader.summary(24 * 30)).runs.count).toBe(2);
      await reader.stop();
      expect(statements.filter((statement) => !statement.startsWith('SELECT'))).toEqual([]);
      const runs = await database.sql<{ run_id: string }>(`SELECT run_id FROM entity_metric_events ORDER BY run_id`);
      expect(runs.rows.map((row) => row.run_id)).toEqual(['ancient', 'recent']);
      expect(reader.prometheus()).toContain('entity_runs_total{status="success"} 1');
    } finally {
      await memory.stop();
    }
  });

  it('keeps events in process memory when the memory resource has no SQL database', async () => {
    const metrics = createMetrics({ tracing: false });
    const notes: string[] = [];
    const log = { ...startContext('x').log, info: (message: string) => void notes.push(message) };
    await metrics.start(startContext('metrics', { memory: {} }, log));
    expect(metrics.stats().store).toBe('memory');
    expect(notes[0]).toContain('no SQL database');
    await metrics.stop();
  });
});

describe('shutdown', () => {
  it('does not hang on a store that never answers', async () => {
    const hangingStore: MetricsStore = {
      kind: 'hanging',
      append: () => new Promise<void>(() => undefined),
      query: async () => [],
      summary: async () => {
        throw new Error('unused');
      },
      prune: async () => 0,
    };
    const metrics = createMetrics({ tracing: false, store: hangingStore, writeTimeoutMs: 100 });
    metrics.increment('stuck');
    const started = Date.now();
    await metrics.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(metrics.stats()).toMatchObject({ buffered: 1, flushed: 0 });
  });
});

describe('defaultMetrics', () => {
  it('is what the engine adds when a config names no metrics: observing, and looking for a memory database', async () => {
    const { defaultMetrics } = await import('../src/index.js');
    const metrics = defaultMetrics();
    expect(metrics.optionalDependencies).toEqual(['memory']);
    expect(typeof metrics.instrumentation.start).toBe('function');
    expect(metrics.stats().tracing).toBe(false);
  });
});
