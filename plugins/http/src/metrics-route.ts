import type { Hono } from 'hono';
import type { HandlerEnvironment, HandlerState } from './handler-environment.js';
import { HttpApiError } from './http-errors.js';
import { readQuery } from './request-validation.js';

/** Prometheus text exposition format 0.0.4, what `@entity/metrics`' `prometheus()` renders. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

interface PrometheusSource {
  prometheus(): string;
}

const isPrometheusSource = (value: unknown): value is PrometheusSource =>
  typeof value === 'object' && value !== null && typeof (value as PrometheusSource).prometheus === 'function';

/** The resource that renders Prometheus text: `metrics` first, else the first resource that can. */
function prometheusSourceOf(state: HandlerState): PrometheusSource | undefined {
  const names = state.agent.describe().resources.map((resource) => resource.name);
  for (const name of ['metrics', ...names.filter((name) => name !== 'metrics')]) {
    if (!names.includes(name)) continue;
    const resource = state.agent.resource<unknown>(name);
    if (isPrometheusSource(resource)) return resource;
  }
  return undefined;
}

/**
 * `GET /metrics`: the metrics resource's Prometheus exposition. Admin and viewer keys only: the
 * numbers cover every user's traffic, and `user` keys are the ones handed to chat front ends.
 * A scraper sends a viewer key as its bearer token.
 */
export function registerMetricsRoute(app: Hono<HandlerEnvironment>, state: HandlerState): void {
  app.get('/metrics', async (context) => {
    const principal = context.get('principal');
    if (principal.role === 'user') {
      throw new HttpApiError(403, 'forbidden_role', 'A user key cannot read metrics; use a viewer or admin key (metrics cover every user)');
    }
    readQuery(context);
    await state.agent.start();
    const source = prometheusSourceOf(state);
    if (!source) throw new HttpApiError(404, 'metrics_unavailable', 'This agent has no metrics resource; add one (@entity/metrics) to expose Prometheus metrics');
    return context.body(source.prometheus(), 200, { 'content-type': PROMETHEUS_CONTENT_TYPE });
  });
}
