import type {
  MetricLabels,
  Metrics,
  PluginExecutionRecord,
  ResourceOperationRecord,
  RunRecord,
} from '../contracts/metrics.js';

export interface InMemoryMetricsOptions {
  /** Records kept per kind before the oldest are dropped. Default: 10 000. */
  maxRecords?: number;
}

export interface InMemoryMetrics extends Metrics {
  readonly runs: readonly RunRecord[];
  readonly pluginExecutions: readonly PluginExecutionRecord[];
  readonly resourceOperations: readonly ResourceOperationRecord[];
  counter(name: string, labels?: MetricLabels): number;
  observations(name: string, labels?: MetricLabels): readonly number[];
  clear(): void;
}

const seriesKey = (name: string, labels?: MetricLabels) =>
  labels ? `${name}{${Object.keys(labels).sort().map((key) => `${key}=${String(labels[key])}`).join(',')}}` : name;

/** Bounded, dependency-free metrics for tests and for agents without `@entity/metrics`. */
export function inMemoryMetrics(options: InMemoryMetricsOptions = {}): InMemoryMetrics {
  const maxRecords = options.maxRecords ?? 10_000;
  const runs: RunRecord[] = [];
  const pluginExecutions: PluginExecutionRecord[] = [];
  const resourceOperations: ResourceOperationRecord[] = [];
  const counters = new Map<string, number>();
  const histograms = new Map<string, number[]>();
  const push = <T>(list: T[], record: T) => {
    list.push(record);
    // Dropping in chunks keeps the amortised cost O(1) instead of shifting on every record.
    if (list.length > maxRecords * 1.1) list.splice(0, list.length - maxRecords);
  };
  return {
    runs,
    pluginExecutions,
    resourceOperations,
    recordRun: (record) => push(runs, record),
    recordPluginExecution: (record) => push(pluginExecutions, record),
    recordResourceOperation: (record) => push(resourceOperations, record),
    increment: (name, value = 1, labels) => {
      const key = seriesKey(name, labels);
      counters.set(key, (counters.get(key) ?? 0) + value);
    },
    observe: (name, value, labels) => {
      const key = seriesKey(name, labels);
      const values = histograms.get(key) ?? [];
      if (values.length === 0) histograms.set(key, values);
      push(values, value);
    },
    counter: (name, labels) => counters.get(seriesKey(name, labels)) ?? 0,
    observations: (name, labels) => histograms.get(seriesKey(name, labels)) ?? [],
    clear: () => {
      runs.length = 0;
      pluginExecutions.length = 0;
      resourceOperations.length = 0;
      counters.clear();
      histograms.clear();
    },
  };
}
