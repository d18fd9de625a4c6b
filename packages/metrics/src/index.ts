export { type MetricsConfig, metricsConfigSchema } from './config-schema.js';
export { MemoryMetricsStore } from './memory-metrics-store.js';
export type { MetricEvent, MetricEventKind } from './metric-event.js';
export {
  createMetrics,
  defaultMetrics,
  type MetricsOptions,
  type MetricsResource,
  type MetricsStats,
} from './metrics-resource.js';
export type { MetricsStore, RunLogQuery, SummaryQuery } from './metrics-store.js';
export type {
  CounterSummary,
  LatencyStats,
  MetricsSummary,
  ModelSummary,
  ObservationSummary,
  PluginSummary,
  ResourceSummary,
  ToolSummary,
} from './metrics-summary.js';
export { prometheusHandler } from './prometheus-handler.js';
export type { RunLogEntry } from './run-log-entry.js';
export { DEFAULT_DURATION_BUCKETS, PROMETHEUS_CONTENT_TYPE } from './prometheus-registry.js';
export { metricsResourceType, resourceTypes } from './resource-types.js';
export { METRICS_MIGRATION_OWNER, METRICS_MIGRATIONS, SqlMetricsStore } from './sql-metrics-store.js';
export { createTracingInstrumentation, type SpanOptions } from './tracing/tracing-instrumentation.js';
export { createTracing, resolveTracesEndpoint, type TracingOptions, type TracingResource } from './tracing/tracing.js';
