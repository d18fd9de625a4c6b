import type { MetricLabels } from '@entity/core';
import type { MetricEvent } from './metric-event.js';
import { DEFAULT_QUERY_LIMIT, type MetricsStore, type RunLogQuery, type SummaryQuery } from './metrics-store.js';
import { latencyOf, type MetricsSummary, orderSummary } from './metrics-summary.js';
import { customLabels } from './prometheus-registry.js';

interface Group<T> {
  durations: number[];
  errors: number;
  info: T;
}

const group = <T>(map: Map<string, Group<T>>, key: string, info: () => T): Group<T> => {
  let entry = map.get(key);
  if (entry === undefined) {
    entry = { durations: [], errors: 0, info: info() };
    map.set(key, entry);
  }
  return entry;
};

const summarise = <T>({ durations, errors, info }: Group<T>) => ({ ...info, ...latencyOf(durations, errors) });

const compareEvents = (a: MetricEvent, b: MetricEvent) =>
  a.startedAt - b.startedAt || (a.operationId ?? Number.MAX_SAFE_INTEGER) - (b.operationId ?? Number.MAX_SAFE_INTEGER);

/**
 * Events kept in this process, for agents without a database. Bounded: beyond `maxEvents` the
 * oldest go first, so a long-running agent does not grow without limit.
 */
export class MemoryMetricsStore implements MetricsStore {
  readonly kind = 'memory';
  readonly #maxEvents: number;
  #events: MetricEvent[] = [];
  readonly #ids = new Set<string>();
  /** Events removed to stay under `maxEvents`. */
  evicted = 0;

  constructor(maxEvents = 100_000) {
    this.#maxEvents = Math.max(1, maxEvents);
  }

  get size(): number {
    return this.#events.length;
  }

  async append(events: readonly MetricEvent[]): Promise<void> {
    for (const event of events) {
      if (this.#ids.has(event.id)) continue;
      this.#ids.add(event.id);
      this.#events.push(event);
    }
    // Trim in slices of 10% so eviction costs amortised O(1) per event.
    if (this.#events.length > this.#maxEvents) {
      const excess = this.#events.length - this.#maxEvents + Math.floor(this.#maxEvents / 10);
      for (const event of this.#events.splice(0, excess)) this.#ids.delete(event.id);
      this.evicted += excess;
    }
  }

  async query(query: RunLogQuery): Promise<MetricEvent[]> {
    const from = query.from?.getTime() ?? Number.NEGATIVE_INFINITY;
    const to = query.to?.getTime() ?? Number.POSITIVE_INFINITY;
    const matches = this.#events.filter(
      (event) =>
        (query.runId === undefined || event.runId === query.runId) &&
        (query.userId === undefined || event.userId === query.userId) &&
        (query.conversationId === undefined || event.conversationId === query.conversationId) &&
        event.startedAt >= from &&
        event.startedAt < to,
    );
    return matches.sort(compareEvents).slice(0, query.limit ?? DEFAULT_QUERY_LIMIT);
  }

  async summary(query: SummaryQuery): Promise<MetricsSummary> {
    const from = query.from.getTime();
    const to = query.to.getTime();
    const runs: Group<object> = { durations: [], errors: 0, info: {} };
    const users = new Set<string>();
    const plugins = new Map<string, Group<{ stage: string; plugin: string }>>();
    const tools = new Map<string, Group<{ tool: string }>>();
    const resources = new Map<string, Group<{ resource: string; operation: string; inputTokens: number; outputTokens: number; costUsd: number }>>();
    const models = new Map<string, { model: string; provider: string; calls: number; inputTokens: number; outputTokens: number; costUsd: number }>();
    const counters = new Map<string, { name: string; labels: MetricLabels; value: number }>();
    const observations = new Map<string, number[]>();
    const tokens = { input: 0, output: 0, total: 0, costUsd: 0 };

    for (const event of this.#events) {
      if (event.startedAt < from || event.startedAt >= to) continue;
      if (query.userId !== undefined && event.userId !== query.userId) continue;
      const failed = event.success === false ? 1 : 0;
      switch (event.kind) {
        case 'run':
          runs.durations.push(event.durationMs ?? 0);
          runs.errors += failed;
          if (event.userId !== undefined) users.add(event.userId);
          break;
        case 'plugin': {
          const entry = group(plugins, `${event.stage}\u0000${event.name}`, () => ({ stage: event.stage ?? '', plugin: event.name }));
          entry.durations.push(event.durationMs ?? 0);
          entry.errors += failed;
          break;
        }
        case 'tool': {
          const entry = group(tools, event.name, () => ({ tool: event.name }));
          entry.durations.push(event.durationMs ?? 0);
          entry.errors += failed;
          break;
        }
        case 'resource': {
          const entry = group(resources, `${event.name}\u0000${event.operation ?? ''}`, () => ({
            resource: event.name,
            operation: event.operation ?? '',
            inputTokens: 0,
            outputTokens: 0,
            costUsd: 0,
          }));
          entry.durations.push(event.durationMs ?? 0);
          entry.errors += failed;
          entry.info.inputTokens += event.inputTokens ?? 0;
          entry.info.outputTokens += event.outputTokens ?? 0;
          entry.info.costUsd += event.costUsd ?? 0;
          tokens.input += event.inputTokens ?? 0;
          tokens.output += event.outputTokens ?? 0;
          tokens.costUsd += event.costUsd ?? 0;
          if (event.model !== undefined) {
            const key = `${event.model}\u0000${event.provider ?? ''}`;
            let model = models.get(key);
            if (model === undefined) {
              model = { model: event.model, provider: event.provider ?? '', calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
              models.set(key, model);
            }
            model.calls++;
            model.inputTokens += event.inputTokens ?? 0;
            model.outputTokens += event.outputTokens ?? 0;
            model.costUsd += event.costUsd ?? 0;
          }
          break;
        }
        case 'counter': {
          const key = `${event.name}\u0003${customLabels(event.labels).key}`;
          const counter = counters.get(key) ?? { name: event.name, labels: event.labels ?? {}, value: 0 };
          counter.value += event.value ?? 0;
          counters.set(key, counter);
          break;
        }
        case 'observation': {
          const values = observations.get(event.name) ?? [];
          values.push(event.value ?? 0);
          observations.set(event.name, values);
          break;
        }
      }
    }
    tokens.total = tokens.input + tokens.output;
    return orderSummary({
      from: query.from,
      to: query.to,
      runs: { ...latencyOf(runs.durations, runs.errors), users: users.size },
      plugins: [...plugins.values()].map(summarise),
      tools: [...tools.values()].map(summarise),
      resources: [...resources.values()].map(summarise),
      models: [...models.values()],
      tokens,
      counters: [...counters.values()],
      observations: [...observations.entries()].map(([name, values]) => {
        const stats = latencyOf(values, 0);
        return { name, count: stats.count, avg: stats.avgMs, p50: stats.p50Ms, p95: stats.p95Ms, p99: stats.p99Ms };
      }),
    });
  }

  async prune(before: Date): Promise<number> {
    const cutoff = before.getTime();
    const kept: MetricEvent[] = [];
    for (const event of this.#events) {
      if (event.startedAt >= cutoff) kept.push(event);
      else this.#ids.delete(event.id);
    }
    const removed = this.#events.length - kept.length;
    this.#events = kept;
    return removed;
  }
}
