import { CancelledError, ConfigError, definePlugin, defineTool, ToolError } from '@entity/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { REACT_INSTRUCTION, reActPlugin } from '../src/index.js';
import { agentWith, deferred, lastOf, streamAll, systemOf } from './helpers.js';

const add = defineTool({ name: 'add', description: 'Add two numbers', input: z.object({ a: z.number(), b: z.number() }), execute: ({ a, b }) => a + b });
const lookupOrder = defineTool({
  name: 'lookup_order',
  description: 'Find an order',
  input: z.object({ id: z.string() }),
  execute: ({ id }) => {
    if (id !== '42') throw new ToolError('lookup_order', `order ${id} does not exist`);
    return { id, status: 'shipped' };
  },
});

describe('ReAct', () => {
  it('reasons, acts through native tool calls, observes, then answers; only the answer is saved', async () => {
    const { agent, llm, memory } = agentWith(
      reActPlugin(),
      (request) =>
        lastOf(request).role === 'tool'
          ? 'The sum is 5.'
          : { content: 'I should add the numbers.', toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] },
      { tools: [add] },
    );
    const result = await agent.chat('What is 2+3?', { userId: 'u', conversationId: 'c' });
    expect(result.text).toBe('The sum is 5.');
    expect(llm.requests).toHaveLength(2);
    expect(llm.requests[0]!.tools?.map((tool) => tool.name)).toEqual(['add']);
    expect(systemOf(llm.requests[0]!)).toBe(REACT_INSTRUCTION);
    // The observation reaches the model as the tool message answering its call.
    expect(llm.requests[1]!.messages.slice(-2)).toEqual([
      { role: 'assistant', content: 'I should add the numbers.', toolCalls: [{ id: 'call_0_0', name: 'add', arguments: { a: 2, b: 3 } }] },
      { role: 'tool', toolCallId: 'call_0_0', name: 'add', content: '5' },
    ]);
    expect(result.info.toolCalls).toMatchObject([{ name: 'add', success: true, stage: 'THINK' }]);
    expect(result.info.annotations?.['reasoning.react']).toEqual({
      status: 'answered',
      maxSteps: 6,
      steps: [{ step: 1, thought: 'I should add the numbers.', actions: [{ tool: 'add', arguments: { a: 2, b: 3 }, ok: true, observation: '5' }] }],
    });
    const stored = await memory.loadMessages({ userId: 'u', conversationId: 'c' });
    expect(stored.map(({ message }) => message.content)).toEqual(['What is 2+3?', 'The sum is 5.']);
  });

  it('emits each step as an event, between the tool events and before the response', async () => {
    const { agent } = agentWith(
      reActPlugin(),
      (request) => (lastOf(request).role === 'tool' ? 'Five.' : { content: 'adding', toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] }),
      { tools: [add] },
    );
    const events = await streamAll(agent, '2+3?');
    const kinds = events.filter((event) => ['tool-call', 'tool-result', 'custom', 'response'].includes(event.type)).map((event) => (event.type === 'custom' ? event.name : event.type));
    expect(kinds).toEqual(['tool-call', 'tool-result', 'reasoning.react.step', 'response']);
    expect(events.find((event) => event.type === 'custom')).toMatchObject({ data: { step: 1, thought: 'adding', actions: [{ tool: 'add', ok: true, observation: '5' }] } });
  });

  it('hands a failing tool back to the model as an error observation, and the model recovers', async () => {
    const { agent, llm } = agentWith(
      reActPlugin(),
      (request, index) => {
        if (index === 0) return { content: 'Look up order 7.', toolCalls: [{ name: 'lookup_order', arguments: { id: '7' } }] };
        if (index === 1) return { content: 'Not found; try 42.', toolCalls: [{ name: 'lookup_order', arguments: { id: '42' } }] };
        return `Order 42 is ${JSON.parse(lastOf(request).content).status}.`;
      },
      { tools: [lookupOrder] },
    );
    const result = await agent.chat('Where is my order?');
    expect(result.text).toBe('Order 42 is shipped.');
    expect(llm.requests[1]!.messages.at(-1)).toEqual({ role: 'tool', toolCallId: 'call_0_0', name: 'lookup_order', content: 'Error: order 7 does not exist', isError: true });
    const { steps } = result.info.annotations!['reasoning.react'] as { steps: { actions: { ok: boolean }[] }[] };
    expect(steps.map((step) => step.actions[0]!.ok)).toEqual([false, true]);
    expect(result.info.toolCalls.map((call) => call.success)).toEqual([false, true]);
  });

  it('stops at the step budget and asks for a clear final answer without tools', async () => {
    const { agent, llm } = agentWith(
      reActPlugin({ maxSteps: 2 }),
      (request) => (request.toolChoice === 'none' ? 'I added twice but could not finish: the total so far is 10.' : { toolCalls: [{ name: 'add', arguments: { a: 5, b: 5 } }] }),
      { tools: [add] },
    );
    const events = await streamAll(agent, 'Keep adding forever');
    const result = events.at(-1)!.type === 'done' ? (events.at(-1) as { result: import('@entity/core').ChatResult }).result : undefined;
    expect(result?.text).toBe('I added twice but could not finish: the total so far is 10.');
    expect(llm.requests).toHaveLength(3);
    expect(result?.info.toolCalls).toHaveLength(2);
    expect(systemOf(llm.requests[2]!)).toContain('You have used all 2 steps');
    expect(result?.info.annotations?.['reasoning.react']).toMatchObject({ status: 'budget-exhausted', maxSteps: 2 });
    expect(events.some((event) => event.type === 'custom' && event.name === 'reasoning.react.budget-exhausted')).toBe(true);
  });

  it('says plainly that the budget ran out when the model has nothing to say then', async () => {
    const { agent } = agentWith(reActPlugin({ maxSteps: 1 }), (request) => (request.toolChoice === 'none' ? '' : { toolCalls: [{ name: 'add', arguments: { a: 1, b: 1 } }] }), { tools: [add] });
    const result = await agent.chat('?');
    expect(result.status).toBe('ok');
    expect(result.text).toBe('I could not finish within the 1 steps I was given, so I have no complete answer.');
  });

  it('steps aside when a plugin before it already answered the turn', async () => {
    const { agent, llm } = agentWith(definePlugin({ name: 'cache', kind: 'input', execute: (context) => context.answer('cached answer') }), ['unused']);
    agent.use(reActPlugin());
    const result = await agent.chat('?');
    expect(result.status).toBe('ok');
    expect(result.text).toBe('cached answer');
    expect(llm.requests).toHaveLength(0);
  });

  it('fails clearly when the model answers with empty text', async () => {
    const { agent } = agentWith(reActPlugin(), ['  ']);
    const result = await agent.chat('?');
    expect(result.info.failure).toMatchObject({ plugin: 'reasoning:react', code: 'REASONING_NO_ANSWER' });
  });

  it('runs a turn with many tool calls at most 8 at a time, answering each call in order', async () => {
    let active = 0;
    let most = 0;
    const slow = defineTool({
      name: 'slow',
      description: 'Slow',
      input: z.object({ n: z.number() }),
      execute: async ({ n }) => {
        most = Math.max(most, ++active);
        for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
        active--;
        return n;
      },
    });
    const calls = Array.from({ length: 12 }, (_, n) => ({ name: 'slow', arguments: { n } }));
    const { agent, llm } = agentWith(reActPlugin(), (request) => (lastOf(request).role === 'tool' ? 'done' : { toolCalls: calls }), { tools: [slow] });
    await agent.chat('go');
    expect(most).toBe(8);
    expect(llm.requests[1]!.messages.filter((message) => message.role === 'tool').map((message) => message.content)).toEqual(calls.map((_, n) => String(n)));
  });

  it('takes maxSteps from the registration config over code options, and rejects bad config with its path', async () => {
    const { agent, llm } = agentWith(reActPlugin({ maxSteps: 5 }), (request) => (request.toolChoice === 'none' ? 'done' : { toolCalls: [{ name: 'add', arguments: { a: 1, b: 1 } }] }), {
      tools: [add],
      config: { maxSteps: 1 },
    });
    await agent.chat('?');
    expect(llm.requests).toHaveLength(2);
    expect(() => agentWith(reActPlugin(), ['x'], { config: { maxStep: 3 } })).toThrow(ConfigError);
    expect(() => agentWith(reActPlugin(), ['x'], { config: { maxSteps: 0 } })).toThrow(/maxSteps/);
  });

  it('ends when the run is cancelled while a tool runs, without asking the model again', async () => {
    const started = deferred();
    const wait = defineTool({
      name: 'wait',
      description: 'Waits until cancelled',
      input: z.object({}),
      execute: (_args, context) =>
        new Promise((_resolve, reject) => {
          started.resolve();
          context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true });
        }),
    });
    const { agent, llm } = agentWith(reActPlugin(), [{ toolCalls: [{ name: 'wait', arguments: {} }] }, 'never'], { tools: [wait] });
    const controller = new AbortController();
    const chat = agent.chat('go', { signal: controller.signal });
    await started.promise;
    controller.abort();
    await expect(chat).rejects.toSatisfy((error) => CancelledError.isInstance(error));
    // The pattern's own loop stopped too: given time, it still does not ask the model again.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(llm.requests).toHaveLength(1);
  });
});
