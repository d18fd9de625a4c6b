import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent, type AgentEvent, defineTool, inMemoryLogger, inMemoryMemory, inMemoryMetrics } from '../src/index.js';
import { scriptedLLM } from '../src/testing/index.js';

const add = defineTool({
  name: 'add',
  description: 'Add two numbers',
  input: z.object({ a: z.number(), b: z.number() }),
  execute: ({ a, b }) => a + b,
});

const quiet = () => inMemoryLogger({ echoLevel: false });

describe('default chat workflow', () => {
  it('answers "What is 2+3?" through a tool call, the tool result, then the final answer', async () => {
    const llm = scriptedLLM((request) => {
      const last = request.messages.at(-1)!;
      if (last.role === 'tool') return `The answer is ${last.content}.`;
      return { toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] };
    });
    const memory = inMemoryMemory();
    const metrics = inMemoryMetrics();
    const agent = new Agent({ resources: { llm, memory, metrics, logging: quiet() }, tools: [add], zeroConfig: false });
    const result = await agent.chat('What is 2+3?', { userId: 'u1', conversationId: 'c1' });

    expect(result.text).toBe('The answer is 5.');
    expect(result.info.iterations).toBe(2);
    expect(result.info.toolCalls).toEqual([expect.objectContaining({ name: 'add', arguments: { a: 2, b: 3 }, success: true })]);
    expect(result.info.usage.totalTokens).toBe(30);
    expect(llm.requests[0]!.tools).toEqual([{ name: 'add', description: 'Add two numbers', parameters: add.parameters }]);
    const stored = await memory.loadMessages({ userId: 'u1', conversationId: 'c1' });
    expect(stored.map((item) => item.message.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    expect(stored[2]!.message).toMatchObject({ role: 'tool', content: '5', name: 'add' });
    const llmCalls = metrics.resourceOperations.filter((op) => op.resource === 'llm');
    expect(llmCalls).toHaveLength(2);
    expect(llmCalls[0]).toMatchObject({ operation: 'chat', success: true, metadata: { model: 'scripted', inputTokens: 10 } });
  });

  it('continues a conversation from memory on the next message', async () => {
    const llm = scriptedLLM((request) => `I have seen ${request.messages.filter((m) => m.role === 'user').length} user messages`);
    const agent = new Agent({ resources: { llm, memory: inMemoryMemory(), logging: quiet() }, zeroConfig: false, instructions: 'Be brief.' });
    await agent.chat('one', { userId: 'u', conversationId: 'c' });
    const second = await agent.chat('two', { userId: 'u', conversationId: 'c' });
    const other = await agent.chat('three', { userId: 'u', conversationId: 'other' });
    expect(second.text).toBe('I have seen 2 user messages');
    expect(other.text).toBe('I have seen 1 user messages');
    expect(llm.requests[1]!.messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
  });

  it('feeds invalid tool arguments back to the model as a tool error', async () => {
    const llm = scriptedLLM((request) => {
      const last = request.messages.at(-1)!;
      if (last.role === 'tool') return `tool said: ${last.content}`;
      return { toolCalls: [{ name: 'add', arguments: { a: 'two', b: 3 } }] };
    });
    const agent = new Agent({ resources: { llm, logging: quiet() }, tools: [add], zeroConfig: false });
    const result = await agent.chat('What is two+3?');
    expect(result.text).toMatch(/^tool said: Error: Invalid arguments for tool "add"/);
    expect(result.info.failure).toBeUndefined();
  });

  it('streams stage, token, tool and response events in order', async () => {
    const llm = scriptedLLM(['five it is']);
    let call = 0;
    const streamingLLM = { ...llm, stream: (request: Parameters<NonNullable<typeof llm.stream>>[0]) => {
      call++;
      return call === 1 ? scriptedLLM([{ toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] }]).stream!(request) : llm.stream!(request);
    } };
    const agent = new Agent({ resources: { llm: streamingLLM, logging: quiet() }, tools: [add], zeroConfig: false });
    const events: AgentEvent[] = [];
    for await (const event of agent.stream('What is 2+3?')) events.push(event);
    const types = events.map((event) => event.type);
    expect(types[0]).toBe('run-start');
    expect(types.slice(-2)).toEqual(['response', 'done']);
    expect(types.indexOf('tool-call')).toBeLessThan(types.indexOf('tool-result'));
    expect(events.filter((e) => e.type === 'token').map((e) => (e as { text: string }).text).join('')).toBe('five it is');
    expect(events.find((e) => e.type === 'tool-result')).toMatchObject({ name: 'add', ok: true, value: 5 });
  });

  it('lets a Layer 0 prompt rewrite what the model is asked and store the answer', async () => {
    const llm = scriptedLLM((request) => `echo: ${request.messages.at(-1)!.content}`);
    const agent = new Agent({ resources: { llm, logging: quiet() }, zeroConfig: false });
    agent.prompt((ctx) => `Translate to French: ${ctx.message}`, { name: 'translation' });
    const result = await agent.chat('hello');
    expect(result.text).toBe('echo: Translate to French: hello');
    expect(llm.requests).toHaveLength(1);
  });

  it('registers Layer 0 tools from a name, options and a function', async () => {
    const llm = scriptedLLM((request) =>
      request.messages.at(-1)!.role === 'tool' ? `got ${request.messages.at(-1)!.content}` : { toolCalls: [{ name: 'shout', arguments: { text: 'hi' } }] },
    );
    const agent = new Agent({ resources: { llm, logging: quiet() }, zeroConfig: false });
    agent.tool('shout', { description: 'Upper-cases text', input: z.object({ text: z.string() }) }, ({ text }) => text.toUpperCase());
    expect((await agent.chat('shout hi')).text).toBe('got HI');
  });

  it('stops the stream and cancels the run when the consumer leaves early', async () => {
    let aborted = false;
    const llm = scriptedLLM(['never']);
    const hanging = { ...llm, stream: undefined, chat: (request: { signal?: AbortSignal }) => new Promise<never>((_, reject) => request.signal?.addEventListener('abort', () => { aborted = true; reject(new Error('aborted')); })) };
    const agent = new Agent({ resources: { llm: hanging as typeof llm, logging: quiet() }, zeroConfig: false, defaultWorkflow: true });
    for await (const event of agent.stream('hi')) {
      if (event.type === 'stage' && event.stage === 'THINK') break;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(aborted).toBe(true);
  });
});

describe('instrumentation of streamed model calls', () => {
  it('reports model, provider and tokens of a streamed call to metrics', async () => {
    const metrics = inMemoryMetrics();
    const agent = new Agent({ resources: { llm: scriptedLLM(['streamed answer']), metrics, logging: quiet() }, zeroConfig: false });
    for await (const _event of agent.stream('hi')) {
      // drain
    }
    const llmCalls = metrics.resourceOperations.filter((op) => op.resource === 'llm');
    expect(llmCalls).toEqual([expect.objectContaining({ operation: 'stream', success: true, metadata: expect.objectContaining({ model: 'scripted', provider: 'scripted', inputTokens: 10, outputTokens: 5 }) })]);
  });
});

describe('Layer 0 prompt names', () => {
  it('names unnamed prompts per agent: prompt, prompt-2, ...', () => {
    const names = () => {
      const agent = new Agent({ resources: { llm: scriptedLLM(['x']), logging: quiet() }, zeroConfig: false });
      agent.prompt('one').prompt('two');
      return agent.describe().stages.find((stage) => stage.stage === 'THINK')!.plugins.map((plugin) => plugin.name);
    };
    expect(names()).toEqual(['prompt', 'prompt-2', 'entity:chat']);
    expect(names()).toEqual(['prompt', 'prompt-2', 'entity:chat']);
  });
});
