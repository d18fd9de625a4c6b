import {
  type CircuitBreaker,
  createResilientCall,
  type HealthReport,
  type Instrumentation,
  type InstrumentationProvider,
  type Logger,
  type Memory,
  type MetricLabels,
  type Metrics,
  type PluginExecutionRecord,
  type Resource,
  type ResourceOperationRecord,
  ResourceError,
  type ResourceStartContext,
  type RunRecord,
  type ValidationError,
} from '@entity/core';
import { MemoryMetricsStore } from './memory-metrics-store.js';
import { type MetricEvent, newEventId, pluginRecordToEvent, resourceRecordToEvent, runRecordToEvent } from './metric-event.js';
import { createMetricsInstrumentation } from './metrics-instrumentation.js';
import type { MetricsStore, RunLogQuery } from './metrics-store.js';
import { writeIsolatingRefused } from './refused-events.js';
import { type RunLogEntry, withDepths } from './run-log-entry.js';
import type { MetricsSummary } from './metrics-summary.js';
import { PrometheusMetrics, splitRunLabels } from './prometheus-metrics.js';
import { type CustomMetricRefusal, RESERVED_PREFIX } from './prometheus-registry.js';
import { SqlMetricsStore } from './sql-metrics-store.js';
import { createTracing, type TracingOptions, type TracingResource } from './tracing/tracing.js';

export interface MetricsOptions {
  /**
   * Name of the memory resource whose SQL database keeps the events; without one (or when it has
   * no `database`) events stay in this process. Default: `memory`.
   */
  memory?: string;
  /** Keep events in process memory even when a database is available. Default: false. */
  inMemoryOnly?: boolean;
  /** Days events are kept in the database; older ones are deleted at start and hourly. Default: 7. */
  retentionDays?: number;
  /**
   * Only read what is stored (`summary`, `runLog`): never migrate the table, delete past the
   * retention, nor write. Reads a table of any version as it is (none yet reads as no events).
   * For tools that inspect an agent's metrics (`entity metrics`), which know neither the agent's
   * retention nor own its data. Events recorded still reach `prometheus()`. Default: false.
   */
  readOnly?: boolean;
  /** Most events kept in process memory when there is no database. Default: 100000. */
  maxMemoryEvents?: number;
  /** Buffered events are written at least this often, in ms. Default: 2000. */
  flushIntervalMs?: number;
  /** Events written per batch; a full batch is written at once. Default: 500. */
  batchSize?: number;
  /** Events held while the store is slow or down; beyond it new events are dropped and counted. Default: 50000. */
  maxBufferedEvents?: number;
  /**
   * Time budget of one batch write, in ms; `stop()` waits at most twice this for the last one. A
   * batch that fails or times out stays buffered for the next flush; event ids keep a late write
   * from being stored twice. Default: 10000.
   */
  writeTimeoutMs?: number;
  /** Record stage passes in the run log (Prometheus always has them). Default: true. */
  stages?: boolean;
  /** Histogram buckets for durations, in seconds. Default: {@link DEFAULT_DURATION_BUCKETS}. */
  durationBuckets?: readonly number[];
  /** Series kept per Prometheus family; more label combinations are refused. Default: 2000. */
  maxSeriesPerMetric?: number;
  /**
   * Prometheus families plugins may create with `increment` / `observe`; observations of further
   * names are refused (logged once each, counted in `entity_metrics_refused_custom_total`), so a
   * plugin that makes names from data cannot bloat the exposition. Default: 200.
   */
  maxCustomMetrics?: number;
  /** OpenTelemetry tracing; off unless an OTLP endpoint is configured (here or in `OTEL_*` variables). */
  tracing?: TracingOptions | false;
  /** A store of your own (code only); replaces the memory/database choice. */
  store?: MetricsStore;
}


export interface MetricsStats {
  store: string;
  buffered: number;
  /** Events refused because the buffer was full. */
  dropped: number;
  /** Events written to the store. */
  flushed: number;
  /** Events the store refused as invalid (a value out of its range), dropped so the rest are written. */
  rejected: number;
  flushErrors: number;
  lastFlushError?: string;
  tracing: boolean;
}

/** The `metrics` resource: records every operation of the engine and answers questions about them. */
export interface MetricsResource extends Metrics, Resource, InstrumentationProvider {
  readonly instrumentation: Instrumentation;
  readonly optionalDependencies: readonly string[];
  /** The unified log of one run (by id), or of a user / conversation / time range, in start order. */
  runLog(query: string | RunLogQuery): Promise<RunLogEntry[]>;
  /** Counts, error rates, p50/p95/p99 latency and token totals of the last `hours` (default 24). */
  summary(hours?: number, options?: { userId?: string }): Promise<MetricsSummary>;
  /** The Prometheus text exposition of this process's cumulative figures. */
  prometheus(): string;
  /** A `Metrics` that attributes custom counters and observations to one run. */
  forRun(run: { runId: string; userId?: string; conversationId?: string }): Metrics;
  stats(): MetricsStats;
  flush(): Promise<void>;
  start(context?: ResourceStartContext): Promise<void>;
  stop(): Promise<void>;
  healthCheck(): Promise<HealthReport>;
}

const MAX_REFUSAL_WARNINGS = 1000;
const REFUSAL_FIXES: Record<CustomMetricRefusal, string> = {
  'invalid-value': 'counters take finite steps of 0 or more, observations finite numbers',
  'reserved-name': `names starting with "${RESERVED_PREFIX}" belong to the framework's figures; prefix yours with your plugin's name`,
  'name-clash': 'another metric has the same name once made valid for Prometheus (or another type); rename one',
  'label-clash': 'two label names become the same once made valid for Prometheus; rename one',
  'reserved-label': 'histograms use the label "le" for their buckets; rename yours',
  'too-many-metrics': 'the cap maxCustomMetrics is reached; use labels with few values instead of names made from data, or raise the cap',
};

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Creates the metrics resource. Recording is synchronous and cheap: an event goes to the
 * Prometheus figures and to a bounded buffer, which is written in batches to the memory
 * resource's database (when there is one) or kept in process memory.
 */
export function createMetrics(options: MetricsOptions = {}): MetricsResource {
  const memoryName = options.memory ?? 'memory';
  const batchSize = Math.max(1, options.batchSize ?? 500);
  const maxBuffered = Math.max(batchSize, options.maxBufferedEvents ?? 50_000);
  const flushIntervalMs = Math.max(10, options.flushIntervalMs ?? 2000);
  const retentionDays = options.retentionDays ?? 7;
  const readOnly = options.readOnly ?? false;
  const prometheusMetrics = new PrometheusMetrics({
    ...(options.durationBuckets && { buckets: options.durationBuckets }),
    ...(options.maxSeriesPerMetric && { maxSeriesPerMetric: options.maxSeriesPerMetric }),
    ...(options.maxCustomMetrics && { maxCustomMetrics: options.maxCustomMetrics }),
  });
  const tracing: TracingResource | undefined = options.tracing === false ? undefined : createTracing(options.tracing ?? {});

  let store: MetricsStore = options.store ?? new MemoryMetricsStore(options.maxMemoryEvents);
  let pending: MetricEvent[] = [];
  let dropped = 0;
  let flushed = 0;
  let rejected = 0;
  let flushErrors = 0;
  let lastFlushError: string | undefined;
  let chain: Promise<void> = Promise.resolve();
  let flushScheduled = false;
  let flushTimer: NodeJS.Timeout | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;
  // A breaker that opens after 3 failures, as for every database. No retries inside a flush: a
  // failed batch stays in the buffer and the next flush writes it again. Either way a write that
  // timed out may still land, which the store's idempotent append (by event id) absorbs.
  const writeTimeoutMs = Math.max(100, options.writeTimeoutMs ?? 10_000);
  const writeCall = createResilientCall({
    name: 'metrics-flush',
    retry: false,
    circuitBreaker: { failureThreshold: 3 },
    timeoutMs: writeTimeoutMs,
  });

  const ensureTimer = () => {
    flushTimer ??= setInterval(() => void flush(), flushIntervalMs).unref();
  };

  /** Prometheus sees every event; `keep` decides whether it also goes to the run log. */
  const record = (event: MetricEvent, keep = true): void => {
    try {
      prometheusMetrics.record(event);
      if (!keep || readOnly) return;
      if (pending.length >= maxBuffered) {
        dropped++;
        return;
      }
      pending.push(event);
      ensureTimer();
      if (pending.length >= batchSize && !flushScheduled) {
        flushScheduled = true;
        setImmediate(() => {
          flushScheduled = false;
          void flush();
        });
      }
    } catch {
      dropped++;
    }
  };

  const flushOnce = async () => {
    while (pending.length > 0) {
      const batch = pending.slice(0, batchSize);
      const target = store;
      try {
        const refused = await writeIsolatingRefused(batch, (events) => writeCall(() => target.append(events)), warnRejected);
        pending.splice(0, batch.length);
        flushed += batch.length - refused;
        rejected += refused;
      } catch (error) {
        flushErrors++;
        lastFlushError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        return; // keep the batch; the next flush retries it
      }
    }
  };

  const flush = (): Promise<void> => {
    const run = chain.then(flushOnce);
    chain = run.catch(() => undefined);
    return chain;
  };

  let log: Logger | undefined;
  // Once per metric and reason, and a bounded number of them: a plugin in a loop must not flood the log.
  const warned = new Set<string>();
  const warnRefused = (name: string, reason: CustomMetricRefusal) => {
    const key = `${reason}\u0000${name}`;
    if (warned.has(key) || warned.size >= MAX_REFUSAL_WARNINGS) return;
    warned.add(key);
    log?.warn(`Metric "${name}" refused (${reason}): ${REFUSAL_FIXES[reason]}`, { component: 'resource', resource: 'metrics', metric: name, reason });
  };

  const warnRejected = (event: MetricEvent, error: ValidationError) => {
    if (rejected >= MAX_REFUSAL_WARNINGS) return;
    log?.warn(`Metric event "${event.kind}" dropped: the ${store.kind} store refused its values (${error.message})`, {
      component: 'resource',
      resource: 'metrics',
      kind: event.kind,
    });
  };

  const prune = async () => {
    try {
      await store.prune(new Date(Date.now() - retentionDays * DAY_MS));
    } catch (error) {
      lastFlushError = `prune failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  };

  const customEvent = (kind: 'counter' | 'observation', name: string, value: number, labels: MetricLabels | undefined, run?: Partial<MetricEvent>) => {
    // A counter only goes up (a negative step reads as a restart to Prometheus); NaN and infinities corrupt sums.
    if (typeof value !== 'number' || !Number.isFinite(value) || (kind === 'counter' && value < 0)) {
      registry.refuseCustom(name, 'invalid-value');
      return;
    }
    const split = splitRunLabels(labels);
    const event: MetricEvent = { id: newEventId(), kind, name, value, startedAt: Date.now(), ...run };
    if (split.labels !== undefined) event.labels = split.labels;
    if (split.runId !== undefined) event.runId = split.runId;
    if (split.userId !== undefined) event.userId = split.userId;
    if (split.conversationId !== undefined) event.conversationId = split.conversationId;
    record(event);
  };

  const registry = prometheusMetrics.registry;
  registry.collect('entity_metrics_buffered_events', 'Metric events waiting to be written to the store.', () => pending.length);
  registry.collect('entity_metrics_dropped_events_total', 'Metric events dropped because the buffer was full.', () => dropped, 'counter');
  registry.collect('entity_metrics_rejected_events_total', 'Metric events the store refused as invalid and dropped.', () => rejected, 'counter');
  registry.collect('entity_metrics_flush_errors_total', 'Failed writes of metric events to the store.', () => flushErrors, 'counter');
  registry.collect('entity_metrics_refused_series_total', 'Observations refused by the per-family series cap.', () => registry.refused, 'counter');
  registry.collect(
    'entity_metrics_refused_custom_total',
    'Plugin metric observations refused: invalid value, reserved or clashing name or label, or beyond maxCustomMetrics.',
    () => registry.refusedCustom,
    'counter',
  );
  registry.onRefused = (name, reason) => warnRefused(name, reason);

  const metricsInstrumentation = createMetricsInstrumentation(record, { stages: options.stages ?? true });
  const instrumentation: Instrumentation = tracing
    ? {
        start(operation) {
          const endMetrics = metricsInstrumentation.start(operation);
          const endSpan = tracing.instrumentation.start(operation);
          if (endSpan === undefined) return endMetrics;
          return (end) => {
            endMetrics?.(end);
            endSpan(end);
          };
        },
      }
    : metricsInstrumentation;

  const resource: MetricsResource = {
    instrumentation,
    optionalDependencies: [memoryName],
    recordRun: (input: RunRecord) => record(runRecordToEvent(input)),
    recordPluginExecution: (input: PluginExecutionRecord) => record(pluginRecordToEvent(input)),
    recordResourceOperation: (input: ResourceOperationRecord) => record(resourceRecordToEvent(input)),
    increment: (name, value = 1, labels) => customEvent('counter', name, value, labels),
    observe: (name, value, labels) => customEvent('observation', name, value, labels),
    forRun(run) {
      const attribution: Partial<MetricEvent> = { runId: run.runId };
      if (run.userId !== undefined) attribution.userId = run.userId;
      if (run.conversationId !== undefined) attribution.conversationId = run.conversationId;
      return {
        ...resource,
        increment: (name, value = 1, labels) => customEvent('counter', name, value, labels, attribution),
        observe: (name, value, labels) => customEvent('observation', name, value, labels, attribution),
      };
    },
    async runLog(query) {
      await flush();
      const events = await store.query(typeof query === 'string' ? { runId: query } : query);
      return withDepths(events);
    },
    async summary(hours = 24, summaryOptions = {}) {
      await flush();
      const to = new Date(Date.now() + 1);
      return store.summary({ from: new Date(to.getTime() - hours * HOUR_MS), to, ...summaryOptions });
    },
    prometheus: () => prometheusMetrics.render(),
    stats() {
      const stats: MetricsStats = { store: store.kind, buffered: pending.length, dropped, flushed, rejected, flushErrors, tracing: tracing?.enabled ?? false };
      if (lastFlushError !== undefined) stats.lastFlushError = lastFlushError;
      return stats;
    },
    flush,
    async start(context) {
      log = context?.log;
      if (!options.store && !options.inMemoryOnly && context?.has(memoryName)) {
        const memory = context.resource<Partial<Memory>>(memoryName);
        if (memory.database) {
          const sqlStore = new SqlMetricsStore(memory.database);
          try {
            // A reader leaves the table as the agent's release made it: migrating takes locks and writes.
            if (readOnly) await sqlStore.inspect();
            else await sqlStore.migrate();
          } catch (error) {
            throw new ResourceError(
              'metrics',
              readOnly ? `Could not read the metrics table in "${memoryName}"'s database` : `Could not prepare the metrics table in "${memoryName}"'s database`,
              { cause: error, code: readOnly ? 'METRICS_READ_FAILED' : 'METRICS_MIGRATION_FAILED' },
            );
          }
          const earlier = store;
          await flush();
          store = sqlStore;
          // Events recorded before start (kept in memory) move to the database.
          if (earlier instanceof MemoryMetricsStore && earlier.size > 0) pending = [...(await earlier.query({ limit: Number.MAX_SAFE_INTEGER })), ...pending];
        } else {
          context.log.info(`"${memoryName}" has no SQL database; metrics are kept in process memory`, { component: 'resource', resource: 'metrics' });
        }
      }
      if (!readOnly) {
        void prune();
        pruneTimer ??= setInterval(() => void prune(), HOUR_MS).unref();
      }
      if (tracing) {
        await tracing.start();
        const health = await tracing.healthCheck();
        if (!health.healthy) context?.log.warn(health.message, { component: 'resource', resource: 'metrics' });
      }
    },
    async stop() {
      if (flushTimer) clearInterval(flushTimer);
      if (pruneTimer) clearInterval(pruneTimer);
      flushTimer = undefined;
      pruneTimer = undefined;
      // A database that hangs must not hold the agent's shutdown: the last write gets a bounded wait.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([flush(), new Promise<void>((resolve) => (timer = setTimeout(resolve, writeTimeoutMs * 2)))]);
      clearTimeout(timer);
      await tracing?.stop();
    },
    async healthCheck() {
      const breaker: CircuitBreaker | undefined = writeCall.circuitBreaker;
      const state = breaker?.state;
      if (state === 'open' || (lastFlushError !== undefined && pending.length > 0)) {
        return {
          healthy: false,
          message: `metrics cannot write to the ${store.kind} store (${lastFlushError ?? 'circuit open'}); ${pending.length} events buffered — check the memory resource's database`,
          details: { ...resource.stats() },
        };
      }
      return { healthy: true, message: `metrics recorded in the ${store.kind} store`, details: { ...resource.stats() } };
    },
  };
  return resource;
}

/**
 * The metrics an agent gets when its config names none (the engine's zero-config looks for this
 * export): database-backed when the agent has a memory with SQL, tracing when `OTEL_*` says so.
 */
export function defaultMetrics(): MetricsResource {
  return createMetrics();
}
