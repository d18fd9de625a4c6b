import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { createMetrics, PROMETHEUS_CONTENT_TYPE, prometheusHandler } from '../src/index.js';
import { sampleEvents } from './support/store-conformance.js';

/**
 * The exposition grammar, line by line: the npm parser is lenient, so every sample line must
 * also have a valid name, well-formed escaped labels and a number.
 */
const SAMPLE_LINE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*\})? (-?[0-9.e+-]+|[+-]Inf|NaN)$/;
const COMMENT_LINE = /^# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped))$/;

/** The value of one exact sample line (the npm parser drops the labels of labelled histograms). */
const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

const parse = (text: string): Map<string, ParsedFamily> => {
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.trimEnd().split('\n')) {
    expect(line.startsWith('#') ? COMMENT_LINE.test(line) : SAMPLE_LINE.test(line), `malformed line: ${line}`).toBe(true);
  }
  return new Map(parsePrometheusTextFormat(text).map((family) => [family.name, family]));
};

const recorded = () => {
  const metrics = createMetrics({ tracing: false });
  for (const event of sampleEvents()) {
    const timestamp = new Date(event.startedAt + (event.durationMs ?? 0));
    if (event.kind === 'run') {
      metrics.recordRun({ runId: event.runId!, userId: event.userId!, conversationId: 'c1', iterations: 1, durationMs: event.durationMs!, success: event.success!, timestamp, ...(event.errorType && { errorType: event.errorType }) });
    } else if (event.kind === 'plugin') {
      metrics.recordPluginExecution({ runId: event.runId!, userId: event.userId!, conversationId: 'c1', stage: 'THINK', plugin: event.name, iteration: 1, durationMs: event.durationMs!, success: event.success!, timestamp });
    } else if (event.kind === 'resource' || event.kind === 'tool') {
      metrics.recordResourceOperation({
        resource: event.kind === 'tool' ? `tool:${event.name}` : event.name,
        operation: event.operation ?? 'call',
        durationMs: event.durationMs!,
        success: event.success!,
        timestamp,
        metadata: { model: event.model, provider: event.provider, inputTokens: event.inputTokens, outputTokens: event.outputTokens, costUsd: event.costUsd },
      });
    }
  }
  return metrics;
};

describe('Prometheus exposition', () => {
  it('parses with a real parser and carries the recorded figures', () => {
    const text = recorded().prometheus();
    const families = parse(text);
    expect(families.get('entity_runs_total')).toMatchObject({
      type: 'COUNTER',
      metrics: expect.arrayContaining([
        { value: '1', labels: { status: 'success' } },
        { value: '1', labels: { status: 'error' } },
      ]),
    });
    const runDuration = families.get('entity_run_duration_seconds')!;
    expect(runDuration.type).toBe('HISTOGRAM');
    expect(runDuration.metrics[0]).toMatchObject({ count: '2', sum: '0.08', buckets: { '0.025': '0', '0.05': '2', '+Inf': '2' } });
    expect(families.get('entity_plugin_executions_total')!.metrics).toEqual(
      expect.arrayContaining([{ value: '1', labels: { stage: 'THINK', plugin: 'entity:chat', status: 'error' } }]),
    );
    // Both outcomes exist from the first call, so `rate()` of errors works before the first error.
    expect(families.get('entity_tool_calls_total')!.metrics).toEqual([
      { value: '2', labels: { tool: 'add', status: 'success' } },
      { value: '0', labels: { tool: 'add', status: 'error' } },
    ]);
    expect(families.get('entity_resource_operation_duration_seconds')!.type).toBe('HISTOGRAM');
    const llm = 'entity_resource_operation_duration_seconds';
    expect(sample(text, `${llm}_bucket{resource="llm",operation="chat",le="0.0025"}`)).toBe(0);
    expect(sample(text, `${llm}_bucket{resource="llm",operation="chat",le="0.005"}`)).toBe(1);
    expect(sample(text, `${llm}_bucket{resource="llm",operation="chat",le="0.025"}`)).toBe(2);
    expect(sample(text, `${llm}_bucket{resource="llm",operation="chat",le="+Inf"}`)).toBe(2);
    expect(sample(text, `${llm}_count{resource="llm",operation="chat"}`)).toBe(2);
    expect(sample(text, `${llm}_sum{resource="llm",operation="chat"}`)).toBeCloseTo(0.02, 10);
    expect(families.get('entity_llm_tokens_total')!.metrics).toEqual(
      expect.arrayContaining([
        { value: '200', labels: { resource: 'llm', model: 'gpt-test', provider: 'openai', type: 'input' } },
        { value: '40', labels: { resource: 'llm', model: 'gpt-test', provider: 'openai', type: 'output' } },
      ]),
    );
    expect(Number(families.get('entity_llm_cost_usd_total')!.metrics[0]!.value)).toBeCloseTo(0.0024, 10);
    expect(families.get('entity_metrics_dropped_events_total')).toMatchObject({ type: 'COUNTER', metrics: [{ value: '0' }] });
  });

  it('histogram buckets are cumulative and end with +Inf = count', () => {
    const metrics = createMetrics({ tracing: false, durationBuckets: [0.001, 0.01, 0.1] });
    for (const ms of [0.5, 5, 5, 50, 500]) metrics.observe('step_seconds', ms / 1000);
    const family = parse(metrics.prometheus()).get('step_seconds')!;
    expect(family.metrics[0]).toEqual({ buckets: { '0.001': '1', '0.01': '3', '0.1': '4', '+Inf': '5' }, count: '5', sum: '0.5605' });
  });

  it('custom counters get valid names and escaped labels; run and user ids never become labels', () => {
    const metrics = createMetrics({ tracing: false });
    metrics.increment('cache-hits', 2, { plugin: 'my "cache"', 'bad label': 'a\\b\nc', userId: 'u1', runId: 'r1' });
    metrics.increment('cache-hits', 1, { 'bad label': 'a\\b\nc', plugin: 'my "cache"' });
    metrics.increment('already_total');
    const families = parse(metrics.prometheus());
    expect(families.get('cache_hits_total')!.metrics).toEqual([{ value: '3', labels: { bad_label: 'a\\b\nc', plugin: 'my "cache"' } }]);
    expect(families.get('already_total')!.metrics).toEqual([{ value: '1' }]);
    expect(metrics.prometheus()).not.toContain('u1');
  });

  it('caps the series of a family so unbounded label values cannot exhaust memory', () => {
    const metrics = createMetrics({ tracing: false, maxSeriesPerMetric: 10 });
    for (let index = 0; index < 100; index++) metrics.increment('requests', 1, { path: `/item/${index}` });
    expect(parse(metrics.prometheus()).get('requests_total')!.metrics).toHaveLength(10);
  });

  it('serves the exposition over HTTP with the right content type', async () => {
    const server = createServer(prometheusHandler(recorded()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(PROMETHEUS_CONTENT_TYPE);
      expect(parse(await response.text()).has('entity_runs_total')).toBe(true);
      const post = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`, { method: 'POST' });
      expect(post.status).toBe(405);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
