import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.doUnmock('node:async_hooks');
  vi.resetModules();
});

describe('refusing an abandoned plugin\'s events', () => {
  it('uses no AsyncLocalStorage (on Node 22 it turns on promise hooks for the whole process, for good)', async () => {
    const created: string[] = [];
    vi.resetModules();
    vi.doMock('node:async_hooks', async (importOriginal) => {
      const original = await importOriginal<typeof import('node:async_hooks')>();
      class CountedStorage<T> extends original.AsyncLocalStorage<T> {
        constructor() {
          super();
          created.push(new Error().stack ?? 'AsyncLocalStorage');
        }
      }
      return { ...original, AsyncLocalStorage: CountedStorage, default: { ...original, AsyncLocalStorage: CountedStorage } };
    });
    // A fresh copy of the engine, loaded with the counting AsyncLocalStorage in place.
    const { Agent, definePlugin, inMemoryLogger } = await import('../src/index.js');
    let released = false;
    const endless = definePlugin({
      name: 'chatty',
      kind: 'prompt',
      async execute(ctx) {
        for (let index = 0; !released; index++) {
          await ctx.advanced.emit('tick', { index });
          await new Promise((resolve) => setImmediate(resolve));
        }
      },
    });
    const responder = definePlugin({ name: 'answer', kind: 'output', execute: (ctx) => ctx.respond('ok') });
    const agent = new Agent({ defaultWorkflow: false, zeroConfig: false, runTimeoutMs: 100, resources: { logging: inMemoryLogger({ echoLevel: false }) }, plugins: [endless, responder] });
    const types: string[] = [];
    try {
      for await (const event of agent.stream('hi', { maxBufferedEvents: 4 })) types.push(event.type);
    } finally {
      released = true;
    }
    await agent.stop();
    // The abandoned plugin is still refused ...
    expect(types.slice(types.indexOf('error') + 1).filter((type) => type === 'custom')).toEqual([]);
    expect(types.slice(-2)).toEqual(['response', 'done']);
    // ... without an AsyncLocalStorage.
    expect(created).toEqual([]);
  });
});
