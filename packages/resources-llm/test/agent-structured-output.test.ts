import { Agent, defineTool, inMemoryMemory } from '@entity/core';
import type { LoopbackServer, RecordedRequest } from '@entity/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cases } from './provider-cases.js';

// `agent.chat(message, { output })` end to end: the engine's tool loop, then the provider's own
// structured output (OpenAI json_schema, Anthropic's forced tool, Ollama's format), over the wire.

const Sum = z.object({ sum: z.number(), explanation: z.string() });

describe.each(cases)('chat with output over $name', (testCase) => {
  let server: LoopbackServer;
  let agent: Agent;
  beforeAll(async () => {
    server = await testCase.start();
    agent = new Agent({ resources: { llm: testCase.create(server), memory: inMemoryMemory() }, zeroConfig: false });
    agent.tool(defineTool({ name: 'add', description: 'Add two numbers', input: z.object({ a: z.number(), b: z.number() }), execute: ({ a, b }) => a + b }));
    await agent.start();
  });
  afterAll(async () => {
    await agent.stop();
    await server.close();
  });

  it('runs the tool loop, then asks for the final answer in the schema, and returns it typed', async () => {
    const before = server.modelCalls.length;
    server.respondWith((request: RecordedRequest) => {
      if (testCase.asksForSchema(request)) return { text: JSON.stringify({ sum: 5, explanation: 'added 2 and 3' }) };
      if (testCase.toolResult(request) === undefined) return { toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] };
      return { text: 'The sum is 5.' };
    });
    const result = await agent.chat('What is 2+3?', { output: Sum, outputName: 'sum', conversationId: `tools-${testCase.name}` });
    expect(result.status).toBe('ok');
    expect(result.output).toEqual({ sum: 5, explanation: 'added 2 and 3' });
    expect(result.info.toolCalls.map((call) => [call.name, call.success])).toEqual([['add', true]]);
    const calls = server.modelCalls.slice(before);
    expect(calls.map((call) => testCase.asksForSchema(call))).toEqual([false, false, true]);
    // The structured call carries the schema on the wire, and the tool's result in the conversation.
    expect(JSON.stringify(calls[2]!.body)).toContain('explanation');
    expect(testCase.toolResult(calls[2]!)).toBe('5');
  });

  it('retries a reply outside the schema once, through the provider', async () => {
    const replies = [{ text: JSON.stringify({ sum: 'five' }) }, { text: JSON.stringify({ sum: 4, explanation: 'two twos' }) }];
    const before = server.modelCalls.length;
    server.respondWith(() => replies.shift() ?? { text: 'unexpected call' });
    const noTools = new Agent({ resources: { llm: testCase.create(server), memory: inMemoryMemory() }, zeroConfig: false });
    try {
      const result = await noTools.chat('What is 2+2?', { output: Sum });
      expect(result.output).toEqual({ sum: 4, explanation: 'two twos' });
      expect(server.modelCalls.slice(before).map((call) => testCase.asksForSchema(call))).toEqual([true, true]);
    } finally {
      await noTools.stop();
    }
  });

  it('fails the run with LLM_OUTPUT_INVALID when the model never matches', async () => {
    server.respondWith(() => ({ text: 'no JSON, sorry' }));
    const noTools = new Agent({ resources: { llm: testCase.create(server), memory: inMemoryMemory() }, zeroConfig: false });
    try {
      const result = await noTools.chat('What is 2+2?', { output: Sum });
      expect(result.status).toBe('failed');
      expect(result.output).toBeUndefined();
      expect(result.info.failure).toMatchObject({ stage: 'THINK', code: 'LLM_OUTPUT_INVALID' });
    } finally {
      await noTools.stop();
    }
  });
});
