import { describe, expect, it } from 'vitest';
import { Agent, definePlugin, inMemoryLogger, inMemoryMemory, type JsonValue } from '../src/index.js';

describe('context', () => {
  it('keeps remembered values private to each user', async () => {
    const memory = inMemoryMemory();
    const agent = new Agent({ defaultWorkflow: false, zeroConfig: false, resources: { memory, logging: inMemoryLogger({ echoLevel: false }) } });
    agent.use(
      definePlugin({
        name: 'profile',
        kind: 'output',
        async execute(ctx) {
          if (ctx.message.startsWith('set ')) await ctx.remember('secret', ctx.message.slice(4));
          const keys = await ctx.memory.list(ctx.userId);
          ctx.respond({ secret: (await ctx.recall('secret')) ?? null, keys } as JsonValue);
        },
      }),
    );
    await agent.chat('set alice-secret', { userId: 'alice' });
    const bob = await agent.chat('read', { userId: 'bob' });
    const alice = await agent.chat('read', { userId: 'alice' });
    expect(bob.response).toEqual({ secret: null, keys: [] });
    expect(alice.response).toEqual({ secret: 'alice-secret', keys: ['secret'] });
    expect(await memory.get('bob', 'secret')).toBeUndefined();
  });

  it('names the missing resource when a plugin asks for one that is not configured', async () => {
    const agent = new Agent({ defaultWorkflow: false, zeroConfig: false });
    agent.use(definePlugin({ name: 'needs-db', kind: 'prompt', dependencies: ['postgres_prod'], execute: () => {} }));
    await expect(agent.start()).rejects.toThrow(/plugin "needs-db" needs resource "postgres_prod"/);
  });
});
