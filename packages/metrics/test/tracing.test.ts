import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics, createTracing, resolveTracesEndpoint } from '../src/index.js';
import { driveRun } from './support/drive-run.js';
import { OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver.js';

let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await new OtlpReceiver().start();
});
afterEach(async () => {
  await receiver.stop();
});

const SPAN_KIND_INTERNAL = 1;
const SPAN_KIND_CLIENT = 3;
const STATUS_ERROR = 2;

/** Renders the received spans as an indented tree, to compare shapes at a glance. */
const tree = (spans: ReceivedSpan[]): string[] => {
  const lines: string[] = [];
  const walk = (parent: string, depth: number) => {
    for (const span of spans.filter((candidate) => candidate.parentSpanId === parent).sort((a, b) => Number(BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano)))) {
      lines.push(`${'  '.repeat(depth)}${span.name}`);
      walk(span.spanId, depth + 1);
    }
  };
  walk('', 0);
  return lines;
};

describe('OpenTelemetry tracing over OTLP/HTTP', () => {
  it('exports one span tree per run with GenAI attributes, through the real SDK exporter', async () => {
    const metrics = createMetrics({ tracing: { endpoint: receiver.url, serviceName: 'support-bot', agentName: 'support', exportDelayMs: 20 } });
    await metrics.start();
    expect(metrics.stats().tracing).toBe(true);
    driveRun(metrics.instrumentation, 'traced-run');
    await metrics.stop(); // flushes the batch processor
    expect(receiver.requests.every((request) => request.path === '/v1/traces')).toBe(true);
    expect(receiver.spans).toHaveLength(6);
    expect(tree(receiver.spans)).toEqual([
      'invoke_agent support',
      '  stage THINK',
      '    plugin entity:chat',
      '      chat m1',
      '  stage DO',
      '    execute_tool add',
    ]);
    expect(new Set(receiver.spans.map((span) => span.traceId)).size).toBe(1);
    const byName = new Map(receiver.spans.map((span) => [span.name, span]));
    expect(byName.get('chat m1')).toMatchObject({
      kind: SPAN_KIND_CLIENT,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'm1',
        'gen_ai.response.model': 'm1',
        'gen_ai.provider.name': 'p1',
        'gen_ai.usage.input_tokens': 11,
        'gen_ai.usage.output_tokens': 7,
        'gen_ai.conversation.id': 'c1',
        'entity.run.id': 'traced-run',
        'entity.resource.name': 'llm',
      },
    });
    expect(byName.get('invoke_agent support')).toMatchObject({
      kind: SPAN_KIND_INTERNAL,
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support', 'gen_ai.usage.input_tokens': 11, 'entity.iterations': 1 },
      resource: { 'service.name': 'support-bot' },
      scope: '@entity/metrics',
    });
    expect(byName.get('invoke_agent support')!.attributes).not.toHaveProperty('enduser.id');
    expect(byName.get('execute_tool add')!.attributes).toMatchObject({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'add' });
    const llm = byName.get('chat m1')!;
    expect(Number(BigInt(llm.endTimeUnixNano) - BigInt(llm.startTimeUnixNano)) / 1e6).toBeCloseTo(3, 3);
  });

  it('marks failed operations with error status and error.type, never the error message', async () => {
    const tracing = createTracing({ endpoint: receiver.url, exportDelayMs: 20 });
    await tracing.start();
    driveRun(tracing.instrumentation, 'failed-run', 'u1', true);
    await tracing.stop();
    const failed = receiver.spans.filter((span) => span.status.code === STATUS_ERROR);
    expect(failed.map((span) => span.name).sort()).toEqual(['chat', 'invoke_agent entity', 'plugin entity:chat', 'stage THINK']);
    for (const span of failed) {
      expect(span.status.message).toBe('PROVIDER_ERROR');
      expect(span.attributes['error.type']).toBe('PROVIDER_ERROR');
      expect(JSON.stringify(span)).not.toContain('503');
    }
  });

  it('is off and creates no spans without an endpoint', async () => {
    const tracing = createTracing({ env: {} });
    await tracing.start();
    expect(tracing.enabled).toBe(false);
    expect(tracing.instrumentation.start({ kind: 'run', id: 1, name: 'run', startTime: performance.now() })).toBeUndefined();
    await tracing.stop();
    expect(receiver.requests).toEqual([]);
  });

  it('finds the endpoint in the standard OTEL variables', () => {
    expect(resolveTracesEndpoint({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' } })).toBe('http://collector:4318/v1/traces');
    expect(resolveTracesEndpoint({ env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:4318/x', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c' } })).toBe('http://t:4318/x');
    expect(resolveTracesEndpoint({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_SDK_DISABLED: 'true' } })).toBeUndefined();
    expect(resolveTracesEndpoint({ endpoint: 'http://given/v1/traces', env: {} })).toBe('http://given/v1/traces');
  });

  it('rejects an endpoint that is not a URL at start, naming the fix', async () => {
    await expect(createTracing({ endpoint: 'collector:4318' }).start()).rejects.toMatchObject({ code: 'TRACING_ENDPOINT_INVALID' });
  });
});
