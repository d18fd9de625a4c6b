import { describe, expect, it } from 'vitest';
import { inMemoryLogger, type Resource, ResourceError } from '../src/index.js';
import { ResourceContainer } from '../src/internal.js';

const log = inMemoryLogger({ echoLevel: false });

function tracked(events: string[], name: string, options: { dependencies?: string[]; optional?: string[]; failStart?: boolean } = {}): Resource {
  return {
    ...(options.dependencies ? { dependencies: options.dependencies } : {}),
    ...(options.optional ? { optionalDependencies: options.optional } : {}),
    start() {
      if (options.failStart) throw new Error(`${name} cannot connect`);
      events.push(`start ${name}`);
    },
    stop() {
      events.push(`stop ${name}`);
    },
  };
}

describe('ResourceContainer', () => {
  it('starts in dependency order and stops in reverse', async () => {
    const events: string[] = [];
    const container = new ResourceContainer({
      metrics: tracked(events, 'metrics', { optional: ['memory'] }),
      memory: tracked(events, 'memory', { dependencies: ['llm'] }),
      llm: tracked(events, 'llm'),
    });
    await container.start(log);
    await container.stop(log);
    expect(events).toEqual(['start llm', 'start memory', 'start metrics', 'stop metrics', 'stop memory', 'stop llm']);
  });

  it('rejects cycles before starting anything, naming the cycle', async () => {
    const events: string[] = [];
    const container = new ResourceContainer({
      a: tracked(events, 'a', { dependencies: ['b'] }),
      b: tracked(events, 'b', { dependencies: ['c'] }),
      c: tracked(events, 'c', { dependencies: ['a'] }),
      d: tracked(events, 'd'),
    });
    await expect(container.start(log)).rejects.toThrow('Resource dependency cycle: a -> b -> c -> a');
    expect(events).toEqual([]);
  });

  it('rejects missing dependencies before starting anything', async () => {
    const events: string[] = [];
    const container = new ResourceContainer({ early: tracked(events, 'early'), memory: tracked(events, 'memory', { dependencies: ['postgres_prod'] }) });
    const error = await container.start(log).catch((e: unknown) => e);
    expect(ResourceError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('"memory" needs "postgres_prod"');
    expect(events).toEqual([]);
  });

  it('fails fast naming the resource and stops what already started', async () => {
    const events: string[] = [];
    const container = new ResourceContainer({
      llm: tracked(events, 'llm'),
      memory: tracked(events, 'memory', { dependencies: ['llm'] }),
      storage: tracked(events, 'storage', { dependencies: ['memory'], failStart: true }),
      metrics: tracked(events, 'metrics', { dependencies: ['storage'] }),
    });
    const error = (await container.start(log).catch((e: unknown) => e)) as ResourceError;
    expect(error.resource).toBe('storage');
    expect(error.message).toBe('Resource "storage" failed to start: storage cannot connect');
    expect(events).toEqual(['start llm', 'start memory', 'stop memory', 'stop llm']);
  });

  it('keeps stopping the rest when one stop throws', async () => {
    const events: string[] = [];
    const container = new ResourceContainer({
      a: tracked(events, 'a'),
      b: { dependencies: ['a'], stop: () => { throw new Error('stuck'); } },
    });
    await container.start(log);
    await container.stop(log);
    expect(events).toEqual(['start a', 'stop a']);
  });

  it('refuses access to undeclared dependencies during start', async () => {
    const container = new ResourceContainer({
      a: {},
      b: { start: (ctx) => void ctx.resource('a') },
    });
    await expect(container.start(log)).rejects.toThrow(/used "a" without declaring it/);
  });
});
