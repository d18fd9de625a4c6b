import type { MetricLabels } from '@entity/core';
import type { MetricEvent } from './metric-event.js';
import { DEFAULT_DURATION_BUCKETS, observeSeries, PrometheusRegistry, type Series, sanitizeMetricName } from './prometheus-registry.js';

/** Counter by outcome plus a latency histogram: what each operation group records. */
interface OperationSeries {
  success: Series | undefined;
  error: Series | undefined;
  duration: Series | undefined;
}

interface TokenSeries {
  input: Series | undefined;
  output: Series | undefined;
  cost: Series | undefined;
}

/** Two-level cache keyed by the event's own strings, whose hashes V8 keeps: no key building per event. */
const cached = <T>(cache: Map<string, Map<string, T>>, first: string, second: string, create: () => T): T => {
  let inner = cache.get(first);
  if (inner === undefined) {
    inner = new Map();
    cache.set(first, inner);
  }
  let value = inner.get(second);
  if (value === undefined) {
    value = create();
    inner.set(second, value);
  }
  return value;
};

const HELP = {
  runs: 'Agent runs (chat turns), by outcome.',
  runDuration: 'Duration of agent runs.',
  stageDuration: 'Duration of stage passes.',
  plugins: 'Plugin executions, by stage, plugin and outcome.',
  pluginDuration: 'Duration of plugin executions.',
  tools: 'Tool calls, by tool and outcome.',
  toolDuration: 'Duration of tool calls.',
  resources: 'Resource calls, by resource, operation and outcome.',
  resourceDuration: 'Duration of resource calls.',
  tokens: 'Tokens used by model calls, by resource, model, provider and direction.',
  cost: 'Cost of model calls in US dollars, when the price is known.',
};

/**
 * The engine's figures as Prometheus families: counters by outcome and latency histograms for
 * runs, stages, plugins, tools and resource calls, token and cost counters per model, and the
 * plugins' custom metrics. User ids are never labels (unbounded cardinality). Series handles are
 * cached per name, so recording an operation costs two map lookups and a few additions.
 */
export class PrometheusMetrics {
  readonly registry: PrometheusRegistry;
  readonly #buckets: readonly number[];
  readonly #runs: OperationSeries;
  readonly #stages = new Map<string, Series | undefined>();
  readonly #plugins = new Map<string, Map<string, OperationSeries>>();
  readonly #tools = new Map<string, Map<string, OperationSeries>>();
  readonly #resources = new Map<string, Map<string, OperationSeries>>();
  readonly #tokens = new Map<string, Map<string, Map<string, TokenSeries>>>();

  constructor(options: { buckets?: readonly number[]; maxSeriesPerMetric?: number; maxCustomMetrics?: number } = {}) {
    this.registry = new PrometheusRegistry(options.maxSeriesPerMetric, options.maxCustomMetrics);
    this.#buckets = options.buckets ?? DEFAULT_DURATION_BUCKETS;
    this.#runs = this.#operationSeries('entity_runs_total', HELP.runs, 'entity_run_duration_seconds', HELP.runDuration, []);
  }

  record(event: MetricEvent): void {
    const seconds = (event.durationMs ?? 0) / 1000;
    switch (event.kind) {
      case 'run':
        this.#count(this.#runs, event.success, seconds);
        return;
      case 'stage': {
        let series = this.#stages.get(event.name);
        if (series === undefined && !this.#stages.has(event.name)) {
          const stage = event.name;
          series = this.registry.series('entity_stage_duration_seconds', HELP.stageDuration, 'histogram', this.#buckets, stage, () => [['stage', stage]]);
          this.#stages.set(stage, series);
        }
        if (series) observeSeries(series, seconds);
        else this.registry.refused++;
        return;
      }
      case 'plugin': {
        const stage = event.stage ?? '';
        const plugin = event.name;
        const series = cached(this.#plugins, stage, plugin, () =>
          this.#operationSeries('entity_plugin_executions_total', HELP.plugins, 'entity_plugin_duration_seconds', HELP.pluginDuration, [
            ['stage', stage],
            ['plugin', plugin],
          ]),
        );
        this.#count(series, event.success, seconds);
        return;
      }
      case 'tool': {
        const tool = event.name;
        const series = cached(this.#tools, tool, '', () =>
          this.#operationSeries('entity_tool_calls_total', HELP.tools, 'entity_tool_duration_seconds', HELP.toolDuration, [['tool', tool]]),
        );
        this.#count(series, event.success, seconds);
        return;
      }
      case 'resource': {
        const resource = event.name;
        const operation = event.operation ?? '';
        const series = cached(this.#resources, resource, operation, () =>
          this.#operationSeries('entity_resource_operations_total', HELP.resources, 'entity_resource_operation_duration_seconds', HELP.resourceDuration, [
            ['resource', resource],
            ['operation', operation],
          ]),
        );
        this.#count(series, event.success, seconds);
        if (event.model !== undefined) this.#recordTokens(event, event.model);
        return;
      }
      case 'counter': {
        const base = sanitizeMetricName(event.name);
        const name = base.endsWith('_total') ? base : `${base}_total`;
        const series = this.registry.customSeries(event.name, name, `Custom counter "${event.name}".`, 'counter', undefined, event.labels);
        if (series) series.value += event.value ?? 1;
        return;
      }
      case 'observation': {
        const name = sanitizeMetricName(event.name);
        const series = this.registry.customSeries(event.name, name, `Custom observations of "${event.name}".`, 'histogram', this.#buckets, event.labels);
        if (series) observeSeries(series, event.value ?? 0);
        return;
      }
    }
  }

  render(): string {
    return this.registry.render();
  }

  #operationSeries(counter: string, counterHelp: string, histogram: string, histogramHelp: string, labels: [string, string][]): OperationSeries {
    const key = labels.map(([, value]) => value).join('\u0001');
    return {
      success: this.registry.series(counter, counterHelp, 'counter', undefined, `${key}\u0001success`, () => [...labels, ['status', 'success']]),
      error: this.registry.series(counter, counterHelp, 'counter', undefined, `${key}\u0001error`, () => [...labels, ['status', 'error']]),
      duration: this.registry.series(histogram, histogramHelp, 'histogram', this.#buckets, key, () => labels),
    };
  }

  #count(series: OperationSeries, success: boolean | undefined, seconds: number): void {
    const counter = success === false ? series.error : series.success;
    if (counter) counter.value++;
    else this.registry.refused++;
    if (series.duration) observeSeries(series.duration, seconds);
  }

  #recordTokens(event: MetricEvent, model: string): void {
    const resource = event.name;
    const provider = event.provider ?? '';
    let byModel = this.#tokens.get(resource);
    if (byModel === undefined) {
      byModel = new Map();
      this.#tokens.set(resource, byModel);
    }
    const series = cached(byModel, model, provider, () => {
      const labels: [string, string][] = [
        ['resource', resource],
        ['model', model],
        ['provider', provider],
      ];
      const key = `${resource}\u0001${model}\u0001${provider}`;
      const direction = (type: string) =>
        this.registry.series('entity_llm_tokens_total', HELP.tokens, 'counter', undefined, `${key}\u0001${type}`, () => [...labels, ['type', type]]);
      return {
        input: direction('input'),
        output: direction('output'),
        cost: this.registry.series('entity_llm_cost_usd_total', HELP.cost, 'counter', undefined, key, () => labels),
      };
    });
    if (event.inputTokens !== undefined && series.input) series.input.value += event.inputTokens;
    if (event.outputTokens !== undefined && series.output) series.output.value += event.outputTokens;
    if (event.costUsd !== undefined && series.cost) series.cost.value += event.costUsd;
  }
}

/** Labels that identify a run or user go to the event's columns, never to Prometheus labels. */
export function splitRunLabels(labels: MetricLabels | undefined): {
  labels: MetricLabels | undefined;
  runId?: string;
  userId?: string;
  conversationId?: string;
} {
  if (labels === undefined || !('runId' in labels || 'userId' in labels || 'conversationId' in labels)) return { labels };
  const { runId, userId, conversationId, ...rest } = labels;
  return {
    labels: Object.keys(rest).length > 0 ? rest : undefined,
    ...(runId !== undefined && { runId: String(runId) }),
    ...(userId !== undefined && { userId: String(userId) }),
    ...(conversationId !== undefined && { conversationId: String(conversationId) }),
  };
}
