import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricEvent, MetricsStore } from '../../src/index.js';

const T0 = Date.parse('2025-06-01T12:00:00.000Z');

/** A run of user u1 with stages, plugins, a tool and model calls, plus a failing run of u2. */
export function sampleEvents(base = T0): MetricEvent[] {
  const run = (runId: string, userId: string, offset: number, success: boolean): Omit<MetricEvent, 'id'>[] => [
    { kind: 'run', name: 'run', runId, userId, conversationId: 'c1', startedAt: base + offset, durationMs: 40, success, operationId: offset * 10 + 1, metadata: { iterations: 2 }, ...(success ? {} : { errorType: 'PROVIDER_ERROR' }) },
    { kind: 'stage', name: 'THINK', stage: 'THINK', iteration: 1, runId, userId, conversationId: 'c1', startedAt: base + offset + 1, durationMs: 20, success, operationId: offset * 10 + 2, parentId: offset * 10 + 1 },
    { kind: 'plugin', name: 'entity:chat', stage: 'THINK', iteration: 1, runId, userId, conversationId: 'c1', startedAt: base + offset + 1.5, durationMs: 19, success, operationId: offset * 10 + 3, parentId: offset * 10 + 2, ...(success ? {} : { errorType: 'PROVIDER_ERROR' }) },
    { kind: 'resource', name: 'llm', operation: 'chat', runId, userId, conversationId: 'c1', startedAt: base + offset + 2, durationMs: success ? 15 : 5, success, operationId: offset * 10 + 4, parentId: offset * 10 + 3, model: 'gpt-test', provider: 'openai', inputTokens: 100, outputTokens: 20, costUsd: 0.0012, ...(success ? {} : { errorType: 'PROVIDER_ERROR' }) },
    { kind: 'tool', name: 'add', stage: 'DO', iteration: 1, runId, userId, conversationId: 'c1', startedAt: base + offset + 25, durationMs: 2, success: true, operationId: offset * 10 + 5, parentId: offset * 10 + 1 },
    { kind: 'counter', name: 'cache_hits', runId, userId, startedAt: base + offset + 30, value: 2, labels: { plugin: 'cache', tier: 1 } },
    { kind: 'observation', name: 'retrieved_docs', runId, userId, startedAt: base + offset + 31, value: success ? 4 : 8 },
  ];
  return [...run('r1', 'u1', 0, true), ...run('r2', 'u2', 100, false)].map((event) => ({ id: randomUUID(), ...event }));
}

export interface StoreUnderTest {
  store: MetricsStore;
  /** Empties the store between tests. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The conformance suite every metrics store passes; each backend runs it in one line. One store
 * per suite (databases are slow to open), emptied before each test. `undefined` skips the suite
 * (a missing server outside CI).
 */
export function describeMetricsStore(name: string, createStore: () => Promise<StoreUnderTest | undefined>) {
  describe(`MetricsStore conformance: ${name}`, () => {
    let created: StoreUnderTest | undefined;
    beforeAll(async () => {
      created = await createStore();
    });
    afterAll(async () => {
      await created?.close();
    });
    const withStore = async (test: (store: MetricsStore) => Promise<void>) => {
      if (!created) return;
      await created.reset();
      await test(created.store);
    };

    it('returns one run in start order with every field it was given', () =>
      withStore(async (store) => {
        const events = sampleEvents();
        await store.append([...events].reverse()); // arrival order must not matter
        const log = await store.query({ runId: 'r1' });
        expect(log.map((event) => `${event.kind}:${event.name}`)).toEqual([
          'run:run',
          'stage:THINK',
          'plugin:entity:chat',
          'resource:llm',
          'tool:add',
          'counter:cache_hits',
          'observation:retrieved_docs',
        ]);
        expect(log[3]).toEqual(events[3]);
        expect(log[0]).toEqual(events[0]);
        expect(log[5]).toEqual(events[5]);
      }));

    it('stores an event once however often it is appended: a batch written again is not counted twice', () =>
      withStore(async (store) => {
        const events = sampleEvents();
        await store.append(events);
        await store.append(events);
        await store.append([...events.slice(0, 3), ...events.slice(0, 3)]);
        const stored = await store.query({});
        expect(stored).toHaveLength(events.length);
        expect(new Set(stored.map((event) => event.id))).toEqual(new Set(events.map((event) => event.id)));
        expect((await store.summary({ from: new Date(T0 - 1000), to: new Date(T0 + 1000) })).runs.count).toBe(2);
      }));

    it('filters by user, conversation and time range, and honours the limit', () =>
      withStore(async (store) => {
        await store.append(sampleEvents());
        expect(new Set((await store.query({ userId: 'u2' })).map((event) => event.runId))).toEqual(new Set(['r2']));
        expect(await store.query({ conversationId: 'nope' })).toEqual([]);
        const window = await store.query({ from: new Date(T0 + 100), to: new Date(T0 + 102) });
        expect(window.map((event) => event.kind)).toEqual(['run', 'stage', 'plugin']);
        expect((await store.query({ limit: 3 })).map((event) => event.runId + event.kind)).toEqual(['r1run', 'r1stage', 'r1plugin']);
      }));

    it('summarises counts, error rates, percentiles, tokens and custom figures', () =>
      withStore(async (store) => {
        await store.append(sampleEvents());
        const summary = await store.summary({ from: new Date(T0 - 1000), to: new Date(T0 + 1000) });
        expect(summary.runs).toEqual({ count: 2, errors: 1, errorRate: 0.5, avgMs: 40, p50Ms: 40, p95Ms: 40, p99Ms: 40, users: 2 });
        expect(summary.plugins).toEqual([{ stage: 'THINK', plugin: 'entity:chat', count: 2, errors: 1, errorRate: 0.5, avgMs: 19, p50Ms: 19, p95Ms: 19, p99Ms: 19 }]);
        expect(summary.tools).toEqual([{ tool: 'add', count: 2, errors: 0, errorRate: 0, avgMs: 2, p50Ms: 2, p95Ms: 2, p99Ms: 2 }]);
        expect(summary.resources).toEqual([
          { resource: 'llm', operation: 'chat', count: 2, errors: 1, errorRate: 0.5, avgMs: 10, p50Ms: 10, p95Ms: 14.5, p99Ms: 14.9, inputTokens: 200, outputTokens: 40, costUsd: 0.0024 },
        ]);
        expect(summary.models).toEqual([{ model: 'gpt-test', provider: 'openai', calls: 2, inputTokens: 200, outputTokens: 40, costUsd: 0.0024 }]);
        expect(summary.tokens).toEqual({ input: 200, output: 40, total: 240, costUsd: 0.0024 });
        expect(summary.counters).toEqual([{ name: 'cache_hits', labels: { plugin: 'cache', tier: 1 }, value: 4 }]);
        expect(summary.observations).toEqual([{ name: 'retrieved_docs', count: 2, avg: 6, p50: 6, p95: 7.8, p99: 7.96 }]);
      }));

    it('summarises one user, and an empty window as zeros', () =>
      withStore(async (store) => {
        await store.append(sampleEvents());
        const u2 = await store.summary({ from: new Date(T0 - 1000), to: new Date(T0 + 1000), userId: 'u2' });
        expect(u2.runs).toMatchObject({ count: 1, errors: 1, users: 1 });
        expect(u2.tokens.input).toBe(100);
        const empty = await store.summary({ from: new Date(T0 + 10_000), to: new Date(T0 + 20_000) });
        expect(empty.runs).toEqual({ count: 0, errors: 0, errorRate: 0, avgMs: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, users: 0 });
        expect(empty.plugins).toEqual([]);
        expect(empty.tokens).toEqual({ input: 0, output: 0, total: 0, costUsd: 0 });
      }));

    it('prunes events older than a cutoff and reports how many', () =>
      withStore(async (store) => {
        await store.append(sampleEvents());
        expect(await store.prune(new Date(T0 + 100))).toBe(7);
        expect(new Set((await store.query({})).map((event) => event.runId))).toEqual(new Set(['r2']));
      }));
  });
}
