import type { MetricLabels } from '@entity/core';

/** Count, failures and latency percentiles of a group of operations. */
export interface LatencyStats {
  count: number;
  errors: number;
  /** errors / count; 0 when there were none. */
  errorRate: number;
  avgMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface PluginSummary extends LatencyStats {
  stage: string;
  plugin: string;
}

export interface ToolSummary extends LatencyStats {
  tool: string;
}

export interface ResourceSummary extends LatencyStats {
  resource: string;
  operation: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface ModelSummary {
  model: string;
  provider: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface CounterSummary {
  name: string;
  labels: MetricLabels;
  value: number;
}

export interface ObservationSummary {
  name: string;
  count: number;
  avg: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Figures of a time window, as `summary(hours)` returns them. */
export interface MetricsSummary {
  from: Date;
  to: Date;
  runs: LatencyStats & { users: number };
  plugins: PluginSummary[];
  tools: ToolSummary[];
  resources: ResourceSummary[];
  models: ModelSummary[];
  tokens: { input: number; output: number; total: number; costUsd: number };
  counters: CounterSummary[];
  observations: ObservationSummary[];
}

/** Percentile with linear interpolation between ranks (what Postgres `percentile_cont` computes). */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  const position = fraction * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;
const round6 = (value: number) => Math.round(value * 1e6) / 1e6;

/** Rounds stats the same way for every store, so the backends agree to the digit. */
export function latencyStats(count: number, errors: number, avg: number, p50: number, p95: number, p99: number): LatencyStats {
  return {
    count,
    errors,
    errorRate: count === 0 ? 0 : round6(errors / count),
    avgMs: round3(avg),
    p50Ms: round3(p50),
    p95Ms: round3(p95),
    p99Ms: round3(p99),
  };
}

export function latencyOf(durations: number[], errors: number): LatencyStats {
  durations.sort((a, b) => a - b);
  const sum = durations.reduce((total, value) => total + value, 0);
  return latencyStats(
    durations.length,
    errors,
    durations.length === 0 ? 0 : sum / durations.length,
    percentile(durations, 0.5),
    percentile(durations, 0.95),
    percentile(durations, 0.99),
  );
}

const byCountThen =
  <T extends { count?: number; calls?: number }>(name: (item: T) => string) =>
  (a: T, b: T) =>
    (b.count ?? b.calls ?? 0) - (a.count ?? a.calls ?? 0) || name(a).localeCompare(name(b));

/** Sorts every list in one order shared by all stores: busiest first, then by name. */
export function orderSummary(summary: MetricsSummary): MetricsSummary {
  summary.plugins.sort(byCountThen((item) => `${item.stage}\u0000${item.plugin}`));
  summary.tools.sort(byCountThen((item) => item.tool));
  summary.resources.sort(byCountThen((item) => `${item.resource}\u0000${item.operation}`));
  summary.models.sort(byCountThen((item) => `${item.model}\u0000${item.provider}`));
  summary.counters.sort((a, b) => a.name.localeCompare(b.name) || JSON.stringify(sortKeys(a.labels)).localeCompare(JSON.stringify(sortKeys(b.labels))));
  summary.observations.sort((a, b) => a.name.localeCompare(b.name));
  summary.tokens.costUsd = round6(summary.tokens.costUsd);
  for (const item of [...summary.resources, ...summary.models]) item.costUsd = round6(item.costUsd);
  return summary;
}

const sortKeys = (labels: MetricLabels): MetricLabels =>
  Object.fromEntries(Object.keys(labels).sort().map((key) => [key, labels[key]!]));
