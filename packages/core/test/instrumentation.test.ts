import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent, defineTool, inMemoryLogger, inMemoryMemory, type Instrumentation, type OperationStart } from '../src/index.js';
import { scriptedLLM } from '../src/testing/index.js';

/** A resource that observes the engine, as a tracing package would. */
function recorder() {
  const operations: (OperationStart & { success?: boolean })[] = [];
  const instrumentation: Instrumentation = {
    start(operation) {
      const entry: OperationStart & { success?: boolean } = { ...operation };
      operations.push(entry);
      return (end) => {
        entry.success = end.success;
      };
    },
  };
  return { operations, resource: { instrumentation } };
}

describe('instrumentation', () => {
  it('nests resource calls under the plugin that made them and queued tools under their stage', async () => {
    const { operations, resource } = recorder();
    const add = defineTool({
      name: 'add',
      description: 'Add',
      input: z.object({ a: z.number(), b: z.number() }),
      async execute({ a, b }, context) {
        await context.resource<ReturnType<typeof inMemoryMemory>>('memory').set(context.userId, 'last', a + b);
        return a + b;
      },
    });
    const llm = scriptedLLM((request) => (request.messages.at(-1)!.role === 'tool' ? 'five' : { toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] }));
    const agent = new Agent({ resources: { llm, memory: inMemoryMemory(), tracer: resource, logging: inMemoryLogger({ echoLevel: false }) }, tools: [add], zeroConfig: false });
    await agent.chat('2+3?', { correlationId: 'req-42' });

    const byId = new Map(operations.map((operation) => [operation.id, operation]));
    const parentOf = (operation: OperationStart) => byId.get(operation.parentId ?? -1);
    const chatCall = operations.find((op) => op.kind === 'resource' && op.operation === 'chat')!;
    expect(parentOf(chatCall)).toMatchObject({ kind: 'plugin', name: 'entity:chat' });
    expect(chatCall).toMatchObject({ stage: 'THINK', iteration: 1 });
    const toolCall = operations.find((op) => op.kind === 'tool')!;
    expect(parentOf(toolCall)).toMatchObject({ kind: 'stage', name: 'DO' });
    const setFromTool = operations.find((op) => op.kind === 'resource' && op.operation === 'set')!;
    expect(parentOf(setFromTool)).toBe(toolCall);
    const run = operations.find((op) => op.kind === 'run')!;
    expect(run.correlationId).toBe('req-42');
    expect(parentOf(parentOf(chatCall)!)).toMatchObject({ kind: 'stage', name: 'THINK' });
    expect(parentOf(parentOf(parentOf(chatCall)!)!)).toBe(run);
    expect(operations.every((op) => op.success !== undefined)).toBe(true);
  });

  it('binds the plugin, stage and correlation id on ctx.log', async () => {
    const logging = inMemoryLogger({ level: 'info', echoLevel: false });
    const agent = new Agent({ resources: { logging }, defaultWorkflow: false, zeroConfig: false });
    agent.use({
      name: 'talker',
      kind: 'output',
      execute(ctx) {
        ctx.log.info('hello from a plugin');
        ctx.respond('ok');
      },
    });
    await agent.chat('hi', { userId: 'ada', correlationId: 'req-7' });
    expect(logging.entries.find((entry) => entry.message === 'hello from a plugin')).toMatchObject({
      component: 'plugin',
      plugin: 'talker',
      stage: 'DELIVER',
      iteration: 1,
      userId: 'ada',
      correlationId: 'req-7',
    });
  });
});

describe('instrumented resources', () => {
  it('reads plain properties and getters fresh on every access', async () => {
    let calls = 0;
    const counter = {
      get state() {
        return calls === 0 ? 'idle' : 'busy';
      },
      async work() {
        calls++;
      },
    };
    const seen: string[] = [];
    const agent = new Agent({ resources: { counter, logging: inMemoryLogger({ echoLevel: false }) }, defaultWorkflow: false, zeroConfig: false });
    agent.use({
      name: 'worker',
      kind: 'output',
      async execute(ctx) {
        const resource = ctx.resource<typeof counter>('counter');
        seen.push(resource.state);
        await resource.work();
        seen.push(resource.state);
        ctx.respond('done');
      },
    });
    await agent.chat('go');
    expect(seen).toEqual(['idle', 'busy']);
  });
});
