import type { MetricLabels } from '@entity/core';
import type { MetricEvent } from './metric-event.js';
import { customLabels, DEFAULT_DURATION_BUCKETS, PrometheusRegistry, sanitizeMetricName } from './prometheus-registry.js';

const status = (success: boolean | undefined) => (success === false ? 'error' : 'success');

/**
 * The engine's figures as Prometheus families: counters by outcome and latency histograms for
 * runs, stages, plugins, tools and resource calls, token and cost counters per model, and the
 * plugins' custom metrics. User ids are never labels (unbounded cardinality).
 */
export class PrometheusMetrics {
  readonly registry: PrometheusRegistry;
  readonly #buckets: readonly number[];

  constructor(options: { buckets?: readonly number[]; maxSeriesPerMetric?: number } = {}) {
    this.registry = new PrometheusRegistry(options.maxSeriesPerMetric);
    this.#buckets = options.buckets ?? DEFAULT_DURATION_BUCKETS;
  }

  record(event: MetricEvent): void {
    const registry = this.registry;
    const outcome = status(event.success);
    const seconds = (event.durationMs ?? 0) / 1000;
    switch (event.kind) {
      case 'run':
        registry.increment('entity_runs_total', 'Agent runs (chat turns), by outcome.', outcome, () => [['status', outcome]]);
        registry.observe('entity_run_duration_seconds', 'Duration of agent runs.', this.#buckets, '', () => [], seconds);
        return;
      case 'stage': {
        const stage = event.name;
        registry.observe('entity_stage_duration_seconds', 'Duration of stage passes.', this.#buckets, stage, () => [['stage', stage]], seconds);
        return;
      }
      case 'plugin': {
        const stage = event.stage ?? '';
        const key = `${stage}\u0001${event.name}`;
        registry.increment('entity_plugin_executions_total', 'Plugin executions, by stage, plugin and outcome.', `${key}\u0001${outcome}`, () => [
          ['stage', stage],
          ['plugin', event.name],
          ['status', outcome],
        ]);
        registry.observe('entity_plugin_duration_seconds', 'Duration of plugin executions.', this.#buckets, key, () => [
          ['stage', stage],
          ['plugin', event.name],
        ], seconds);
        return;
      }
      case 'tool':
        registry.increment('entity_tool_calls_total', 'Tool calls, by tool and outcome.', `${event.name}\u0001${outcome}`, () => [
          ['tool', event.name],
          ['status', outcome],
        ]);
        registry.observe('entity_tool_duration_seconds', 'Duration of tool calls.', this.#buckets, event.name, () => [['tool', event.name]], seconds);
        return;
      case 'resource': {
        const operation = event.operation ?? '';
        const key = `${event.name}\u0001${operation}`;
        registry.increment(
          'entity_resource_operations_total',
          'Resource calls, by resource, operation and outcome.',
          `${key}\u0001${outcome}`,
          () => [
            ['resource', event.name],
            ['operation', operation],
            ['status', outcome],
          ],
        );
        registry.observe('entity_resource_operation_duration_seconds', 'Duration of resource calls.', this.#buckets, key, () => [
          ['resource', event.name],
          ['operation', operation],
        ], seconds);
        if (event.model !== undefined) this.#recordTokens(event);
        return;
      }
      case 'counter': {
        const { key, pairs } = customLabels(event.labels);
        const base = sanitizeMetricName(event.name);
        const name = base.endsWith('_total') ? base : `${base}_total`;
        registry.increment(name, `Custom counter "${event.name}".`, key, () => pairs, event.value ?? 1);
        return;
      }
      case 'observation': {
        const { key, pairs } = customLabels(event.labels);
        registry.observe(sanitizeMetricName(event.name), `Custom observations of "${event.name}".`, this.#buckets, key, () => pairs, event.value ?? 0);
        return;
      }
    }
  }

  render(): string {
    return this.registry.render();
  }

  #recordTokens(event: MetricEvent): void {
    const model = event.model!;
    const provider = event.provider ?? '';
    const key = `${event.name}\u0001${model}\u0001${provider}`;
    const labels = (type?: string) => () =>
      [['resource', event.name], ['model', model], ['provider', provider], ...(type ? [['type', type] as const] : [])] as const;
    const help = 'Tokens used by model calls, by resource, model, provider and direction.';
    if (event.inputTokens !== undefined) this.registry.increment('entity_llm_tokens_total', help, `${key}\u0001input`, labels('input'), event.inputTokens);
    if (event.outputTokens !== undefined) this.registry.increment('entity_llm_tokens_total', help, `${key}\u0001output`, labels('output'), event.outputTokens);
    if (event.costUsd !== undefined) {
      this.registry.increment('entity_llm_cost_usd_total', 'Cost of model calls in US dollars, when the price is known.', key, labels(), event.costUsd);
    }
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
