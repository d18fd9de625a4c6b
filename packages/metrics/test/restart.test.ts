import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, defineTool, type Resource } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { pgliteMemory } from '@entity/resources-memory';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createMetrics } from '../src/index.js';

/** An agent over the real PGlite memory in `folder`, with the metrics resource finding its database. */
async function agentOver(folder: string) {
  const memory = pgliteMemory({ path: folder, embedder: 'hashing' }) as unknown as Resource;
  const metrics = createMetrics({ tracing: false, flushIntervalMs: 60_000 });
  const llm = scriptedLLM((request) =>
    request.messages.at(-1)!.role === 'tool' ? 'The answer is 5.' : { toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] },
  );
  const agent = new Agent({ resources: { llm, memory, metrics }, zeroConfig: false });
  agent.tool(defineTool({ name: 'add', description: 'Add', input: z.object({ a: z.number(), b: z.number() }), execute: ({ a, b }) => a + b }));
  await agent.start();
  return { agent, metrics };
}

describe('metrics backed by the memory database', () => {
  it('survive a restart of the agent: the run log and summary come back from PGlite', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'entity-metrics-agent-restart-'));
    try {
      const first = await agentOver(folder);
      expect(first.metrics.stats().store).toBe('database');
      const result = await first.agent.chat('What is 2+3?', { userId: 'u1', conversationId: 'c1' });
      first.metrics.increment('answers_given', 1, { kind: 'math' });
      // Nothing flushed yet (the interval is a minute): stopping the agent must write the buffer,
      // and it can only do so because metrics stops before the memory it depends on.
      expect(first.metrics.stats()).toMatchObject({ flushed: 0 });
      await first.agent.stop();

      const second = await agentOver(folder);
      const log = await second.metrics.runLog(result.info.runId);
      expect(log[0]).toMatchObject({ kind: 'run', runId: result.info.runId, userId: 'u1', success: true, depth: 0 });
      expect(log.filter((event) => event.kind === 'tool').map((event) => event.name)).toEqual(['add']);
      expect(log.filter((event) => event.kind === 'resource' && event.name === 'llm')).toHaveLength(2);
      expect(log.filter((event) => event.kind === 'resource' && event.name === 'memory').map((event) => event.operation)).toEqual(['loadMessages', 'appendMessages']);
      const summary = await second.metrics.summary(1);
      expect(summary.runs).toMatchObject({ count: 1, errors: 0 });
      expect(summary.tokens).toMatchObject({ input: result.info.usage.inputTokens, output: result.info.usage.outputTokens });
      expect(summary.counters).toEqual([{ name: 'answers_given', labels: { kind: 'math' }, value: 1 }]);
      await second.agent.stop();
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
