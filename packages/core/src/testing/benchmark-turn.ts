import { z } from 'zod';
import { inMemoryLogger } from '../builtins/in-memory-logger.js';
import type { Memory } from '../contracts/memory.js';
import type { Resource } from '../contracts/resource.js';
import { definePlugin } from '../define/define-plugin.js';
import { defineTool } from '../define/define-tool.js';
import { Agent } from '../engine/agent.js';
import { scriptedLLM } from './scripted-llm.js';

/** A memory that keeps nothing, so benchmark memory growth can only come from what is measured. */
export function discardingMemory(): Memory {
  return {
    get: async () => undefined,
    set: async () => {},
    delete: async () => false,
    list: async () => [],
    appendMessages: async () => [],
    loadMessages: async () => [],
    listConversations: async () => [],
    deleteConversation: async () => false,
  };
}

/** What one benchmark turn answers; check it so a benchmark never times a broken turn. */
export const BENCHMARK_TURN_ANSWER = 'The answer is 5.';

/** Stage passes in one benchmark turn: 2 iterations (tool call, then answer) x 5 stages. */
export const BENCHMARK_TURN_STAGE_PASSES = 10;

/**
 * The agent every Entity benchmark times, so their figures compare: 5 plugins (the default
 * workflow's 4 built-ins and a REVIEW plugin), one `add` tool call, an instant in-process
 * model and a discarding memory. Pass `logging`, `metrics` or others to measure their cost.
 */
export function benchmarkTurnAgent(resources: Record<string, Resource> = {}): Agent {
  const add = defineTool({ name: 'add', description: 'Add two numbers', input: z.object({ a: z.number(), b: z.number() }), execute: ({ a, b }) => a + b });
  const llm = scriptedLLM(
    (request) => (request.messages.at(-1)!.role === 'tool' ? BENCHMARK_TURN_ANSWER : { toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] }),
    { recordRequests: false },
  );
  const agent = new Agent({
    resources: { llm, memory: discardingMemory(), logging: inMemoryLogger({ echoLevel: false }), ...resources },
    tools: [add],
    zeroConfig: false,
  });
  agent.use(definePlugin({ name: 'review', kind: 'prompt', stages: ['REVIEW'], execute: (ctx) => void ctx.store('reviewed', true) }));
  return agent;
}
