import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { inMemoryLogger } from '@entity/core';
import { describe, expect, it } from 'vitest';
import { createMetrics, PROMETHEUS_CONTENT_TYPE, prometheusHandler } from '../src/index.js';
import { startContext } from './support/start-context.js';
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
  const typed = new Set<string>();
  const samples = new Set<string>();
  let family = '';
  for (const line of text.trimEnd().split('\n')) {
    expect(line.startsWith('#') ? COMMENT_LINE.test(line) : SAMPLE_LINE.test(line), `malformed line: ${line}`).toBe(true);
    // What promtool also checks: one TYPE per family, no sample twice, no label twice in a sample,
    // and every sample belongs to the family declared above it.
    if (line.startsWith('# TYPE ')) {
      family = line.split(' ')[2]!;
      expect(typed.has(family), `second TYPE for ${family}`).toBe(false);
      typed.add(family);
      continue;
    }
    if (line.startsWith('#')) continue;
    const series = line.slice(0, line.lastIndexOf(' '));
    expect(samples.has(series), `duplicate sample ${series}`).toBe(false);
    samples.add(series);
    const name = series.replace(/\{.*$/, '');
    expect([family, `${family}_bucket`, `${family}_sum`, `${family}_count`], `sample ${name} outside its family`).toContain(name);
    const labels = [...series.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"/g)].map((match) => match[1]);
    expect(new Set(labels).size, `label repeated in ${series}`).toBe(labels.length);
  }
  return new Map(parsePrometheusTextFormat(text).map((parsed) => [parsed.name, parsed]));
};

/** A metrics resource started with a logger whose warnings the test reads. */
const withWarnings = async (options: Parameters<typeof createMetrics>[0] = {}) => {
  const log = inMemoryLogger({ level: 'warn', echoLevel: false });
  const metrics = createMetrics({ tracing: false, ...options });
  await metrics.start(startContext('metrics', {}, log));
  const warnings = () => log.entries.filter((entry) => entry.level === 'warn').map((entry) => entry.message);
  return { metrics, warnings };
};

const refusedCustom = (text: string) => sample(text, 'entity_metrics_refused_custom_total');

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

  it('refuses counter steps below zero and values that are not finite, with a warning', async () => {
    const { metrics, warnings } = await withWarnings();
    metrics.increment('jobs_done', 5);
    metrics.increment('jobs_done', -3);
    metrics.increment('jobs_done', Number.NaN);
    metrics.increment('jobs_done', Number.POSITIVE_INFINITY);
    metrics.observe('queue_seconds', 0.2);
    metrics.observe('queue_seconds', Number.NaN);
    const text = metrics.prometheus();
    const families = parse(text);
    expect(families.get('jobs_done_total')!.metrics).toEqual([{ value: '5' }]);
    expect(families.get('queue_seconds')!.metrics[0]).toMatchObject({ count: '1', sum: '0.2' });
    expect(refusedCustom(text)).toBe(4);
    expect(warnings()).toEqual([
      expect.stringMatching(/Metric "jobs_done" refused \(invalid-value\): counters take finite steps of 0 or more/),
      expect.stringMatching(/Metric "queue_seconds" refused \(invalid-value\)/),
    ]);
    // Not in the run log either.
    expect((await metrics.summary(1)).counters).toEqual([{ name: 'jobs_done', labels: {}, value: 5 }]);
  });

  it('a plugin metric named like a built-in family is refused, not merged into it', async () => {
    const { metrics, warnings } = await withWarnings();
    metrics.recordRun({ runId: 'r1', userId: 'u1', conversationId: 'c1', iterations: 1, durationMs: 10, success: true, timestamp: new Date() });
    metrics.increment('entity_runs', 100, { status: 'success' });
    metrics.increment('entity_metrics_dropped_events', 7);
    metrics.observe('entity_run_duration_seconds', 99);
    metrics.increment('entity_tool_calls', 1, { tool: 'add', status: 'success' });
    const text = metrics.prometheus();
    const families = parse(text);
    expect(families.get('entity_runs_total')!.metrics).toEqual(expect.arrayContaining([{ value: '1', labels: { status: 'success' } }]));
    expect(families.get('entity_metrics_dropped_events_total')!.metrics).toEqual([{ value: '0' }]);
    expect(families.get('entity_run_duration_seconds')!.metrics[0]).toMatchObject({ count: '1' });
    expect(families.has('entity_tool_calls_total')).toBe(false);
    expect(refusedCustom(text)).toBe(4);
    expect(warnings()[0]).toMatch(/Metric "entity_runs" refused \(reserved-name\): names starting with "entity_" belong to the framework/);
    // The engine's own families still appear when their first event comes after a refusal.
    metrics.recordResourceOperation({ resource: 'tool:add', operation: 'call', durationMs: 1, success: true, timestamp: new Date() });
    expect(parse(metrics.prometheus()).get('entity_tool_calls_total')!.metrics).toEqual(expect.arrayContaining([{ value: '1', labels: { tool: 'add', status: 'success' } }]));
  });

  it('names and labels that sanitise to the same text are refused instead of merged into one series', async () => {
    const { metrics, warnings } = await withWarnings();
    metrics.increment('cache-hits');
    metrics.increment('cache_hits', 10);
    metrics.increment('cache hits', 10);
    metrics.increment('lookups', 1, { 'user-tier': 'gold' });
    metrics.increment('lookups', 10, { user_tier: 'gold' });
    metrics.increment('pairs', 1, { 'a-b': 'x', a_b: 'y' });
    metrics.observe('fetch', 0.1);
    metrics.observe('fetch_count', 1); // would write a sample named like fetch's own fetch_count
    metrics.observe('sizes', 3, { le: 'x' });
    const text = metrics.prometheus();
    const families = parse(text);
    expect(families.get('cache_hits_total')!.metrics).toEqual([{ value: '1' }]);
    expect(families.get('lookups_total')!.metrics).toEqual([{ value: '1', labels: { user_tier: 'gold' } }]);
    expect(families.has('pairs_total')).toBe(false);
    expect(families.has('fetch_count')).toBe(false);
    expect(families.has('sizes')).toBe(false);
    expect(refusedCustom(text)).toBe(6);
    expect(warnings()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/"cache_hits" refused \(name-clash\)/),
        expect.stringMatching(/"lookups" refused \(label-clash\)/),
        expect.stringMatching(/"pairs" refused \(label-clash\)/),
        expect.stringMatching(/"fetch_count" refused \(name-clash\)/),
        expect.stringMatching(/"sizes" refused \(reserved-label\): histograms use the label "le"/),
      ]),
    );
  });

  it('caps the number of plugin families (maxCustomMetrics) and counts what it refuses; warnings stay bounded', async () => {
    const { metrics, warnings } = await withWarnings({ maxCustomMetrics: 50 });
    for (let index = 0; index < 20_000; index++) metrics.increment(`made_from_data_${index}`);
    metrics.increment('made_from_data_3', 1);
    const text = metrics.prometheus();
    const families = parse(text);
    expect([...families.keys()].filter((name) => name.startsWith('made_from_data_'))).toHaveLength(50);
    expect(families.get('made_from_data_3_total')!.metrics).toEqual([{ value: '2' }]);
    expect(refusedCustom(text)).toBe(20_000 - 50);
    expect(warnings().length).toBeLessThanOrEqual(1000);
    expect(warnings()[0]).toMatch(/refused \(too-many-metrics\): the cap maxCustomMetrics is reached/);
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
