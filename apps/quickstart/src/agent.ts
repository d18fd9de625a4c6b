import { Agent } from '@entity/core';
import { z } from 'zod';

/**
 * Layer 0: a zero-config agent. No resources are given, so the model is found at start
 * (Ollama, then OPENAI_API_KEY, then ANTHROPIC_API_KEY) and conversations are kept in an
 * embedded database under ./.entity/.
 */
export function createAgent(): Agent {
  const agent = new Agent({
    name: 'quickstart',
    instructions: 'You are a friendly, concise assistant. Use the tools for arithmetic and for the time; never guess them.',
  });

  agent.tool('add', { description: 'Add two numbers', input: z.object({ a: z.number(), b: z.number() }) }, ({ a, b }) => a + b);

  agent.tool(
    'current_time',
    { description: 'The current date and time, in ISO 8601 (UTC)', input: z.object({}) },
    () => new Date().toISOString(),
  );

  return agent;
}
