import { Agent, defineTool } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { createLogging } from '@entity/logging';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createMetrics } from '../src/index.js';
import { CaptureStream } from '@entity/logging/testing';
import { OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver.js';

let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await new OtlpReceiver().start();
});
afterEach(async () => {
  await receiver.stop();
});

/** An agent with the real logging and metrics resources, a tool, and a model that calls it once. */
async function startAgent() {
  const capture = new CaptureStream();
  const logging = createLogging({ level: 'debug', console: { pretty: false, destination: capture }, hostname: false, pid: false });
  const metrics = createMetrics({ tracing: { endpoint: receiver.url, exportDelayMs: 20, agentName: 'calculator' } });
  const llm = scriptedLLM([{ toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }], usage: { inputTokens: 12, outputTokens: 4 } }, 'The answer is 5.'], { model: 'calc-1', provider: 'scripted' });
  const agent = new Agent({ resources: { llm, logging, metrics }, zeroConfig: false });
  agent.tool(defineTool({ name: 'add', description: 'Add two numbers', input: z.object({ a: z.number(), b: z.number() }), execute: ({ a, b }) => a + b }));
  await agent.start();
  return { agent, capture, logging, metrics };
}

describe('a turn through the pipeline', () => {
  it('produces the expected log entries, metrics and spans, in order, with the right fields', async () => {
    const { agent, capture, logging, metrics } = await startAgent();
    const result = await agent.chat('What is 2+3?', { userId: 'u1', conversationId: 'c1' });
    expect(result.text).toBe('The answer is 5.');
    await logging.flush();
    const { runId } = result.info;

    // Logging: one entry per operation end, in the order operations ended.
    const entries = capture.entries().filter((entry) => entry.runId === runId);
    const describeEntry = (entry: Record<string, unknown>) =>
      `${entry.component}:${String(entry.plugin ?? entry.tool ?? (entry.resource ? `${entry.resource}.${entry.operation}` : entry.stage ?? 'run'))}`;
    expect(entries.map(describeEntry)).toEqual([
      'resource:memory.loadMessages',
      'plugin:entity:load-conversation',
      'pipeline:PARSE',
      'resource:llm.chat',
      'plugin:entity:chat',
      'pipeline:THINK',
      'plugin:entity:run-tool-calls',
      'tool:add',
      'pipeline:DO',
      'plugin:entity:respond',
      'pipeline:DELIVER',
      'plugin:entity:load-conversation',
      'pipeline:PARSE',
      'resource:llm.chat',
      'plugin:entity:chat',
      'pipeline:THINK',
      'plugin:entity:run-tool-calls',
      'pipeline:DO',
      'resource:memory.appendMessages',
      'plugin:entity:respond',
      'pipeline:DELIVER',
      'pipeline:run',
    ]);
    for (const entry of entries) {
      expect(entry).toMatchObject({ runId, userId: 'u1', conversationId: 'c1', success: true, durationMs: expect.any(Number), operationId: expect.any(Number) });
    }
    expect(entries[1]).toMatchObject({ level: 'debug', stage: 'PARSE', iteration: 1, plugin: 'entity:load-conversation' });
    expect(entries[3]).toMatchObject({ resource: 'llm', operation: 'chat', model: 'calc-1', provider: 'scripted', inputTokens: 12, outputTokens: 4 });
    expect(entries[7]).toMatchObject({ component: 'tool', tool: 'add', stage: 'DO', iteration: 1 });
    expect(entries.at(-1)).toMatchObject({ level: 'info', msg: expect.stringMatching(/^run completed in/), iterations: 2, inputTokens: 22, outputTokens: 9 });

    // Metrics: the same operations, as a run log in start order; calls nest under the plugin that made them.
    const log = await metrics.runLog(runId);
    expect(new Set(log.map((event) => event.operationId))).toEqual(new Set(entries.map((entry) => entry.operationId)));
    expect(log.map((event) => `${'  '.repeat(event.depth)}${event.kind}:${event.name}`).slice(0, 11)).toEqual([
      'run:run',
      '  stage:PARSE',
      '    plugin:entity:load-conversation',
      '      resource:memory',
      '  stage:THINK',
      '    plugin:entity:chat',
      '      resource:llm',
      '  stage:DO',
      '    plugin:entity:run-tool-calls',
      '    tool:add',
      '  stage:DELIVER',
    ]);
    const summary = await metrics.summary(1);
    expect(summary.runs).toMatchObject({ count: 1, errors: 0, users: 1 });
    expect(summary.tokens).toEqual({ input: result.info.usage.inputTokens, output: result.info.usage.outputTokens, total: result.info.usage.totalTokens, costUsd: 0 });
    expect(summary.plugins.find((plugin) => plugin.plugin === 'entity:chat')).toMatchObject({ stage: 'THINK', count: 2, errors: 0 });
    expect(summary.tools).toEqual([expect.objectContaining({ tool: 'add', count: 1 })]);
    const prometheus = metrics.prometheus();
    expect(prometheus).toContain('entity_runs_total{status="success"} 1');
    expect(prometheus).toContain('entity_tool_calls_total{tool="add",status="success"} 1');
    expect(prometheus).toContain('entity_llm_tokens_total{resource="llm",model="calc-1",provider="scripted",type="input"} 22');

    // Tracing: one trace, the run at the root, GenAI attributes on the model calls.
    await agent.stop();
    const spans = receiver.spans;
    expect(new Set(spans.map((span) => span.traceId)).size).toBe(1);
    const root = spans.filter((span) => span.parentSpanId === '');
    expect(root.map((span) => span.name)).toEqual(['invoke_agent calculator']);
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const chats = spans.filter((span) => span.attributes['gen_ai.operation.name'] === 'chat');
    expect(chats.map((span) => span.name)).toEqual(['chat calc-1', 'chat calc-1']);
    expect(chats[0]!.attributes).toMatchObject({ 'gen_ai.request.model': 'calc-1', 'gen_ai.usage.input_tokens': 12, 'gen_ai.usage.output_tokens': 4 });
    const tool = spans.find((span) => span.name === 'execute_tool add') as ReceivedSpan;
    expect(byId.get(tool.parentSpanId)!.name).toBe('stage DO');
    expect(byId.get(byId.get(tool.parentSpanId)!.parentSpanId)!.name).toBe('invoke_agent calculator');
    expect(spans).toHaveLength(entries.length);
  });
});
