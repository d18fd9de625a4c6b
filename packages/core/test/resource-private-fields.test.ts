import { describe, expect, it } from 'vitest';
import { Agent, defineTool, definePlugin, type HealthReport, inMemoryLogger, type Resource, type ResourceStartContext } from '../src/index.js';
import { InstrumentationHub } from '../src/engine/instrumentation-hub.js';
import { instrumentResource } from '../src/engine/instrumented-resource.js';
import { z } from 'zod';

/** A class resource keeping its state in private `#fields`, as resources-memory's DatabaseMemory does. */
class PrivateDatabase implements Resource {
  #started = false;
  #rows = new Map<string, string>();

  async start(_context: ResourceStartContext): Promise<void> {
    this.#started = true;
  }

  async stop(): Promise<void> {
    this.#started = false;
  }

  async healthCheck(): Promise<HealthReport> {
    return { healthy: this.#started, message: this.#started ? 'started' : 'stopped' };
  }

  async put(key: string, value: string): Promise<void> {
    this.#rows.set(key, value);
  }

  get(key: string): string | undefined {
    return this.#rows.get(key);
  }
}

describe('resources with private #fields, reached through ctx.resource()', () => {
  it('lifecycle and ordinary methods run on the resource itself, from plugins and tools', async () => {
    const database = new PrivateDatabase();
    const seen: unknown[] = [];
    const remember = defineTool({
      name: 'remember',
      description: 'Stores a value',
      input: z.object({ value: z.string() }),
      async execute({ value }, context) {
        await context.resource<PrivateDatabase>('db').put('tool', value);
        return 'stored';
      },
    });
    const probe = definePlugin({
      name: 'probe',
      kind: 'output',
      dependencies: ['db'],
      async execute(ctx) {
        const db = ctx.resource<PrivateDatabase>('db');
        seen.push(await db.healthCheck());
        await db.put('plugin', ctx.message);
        seen.push(db.get('plugin'));
        // The same function every time, so a plugin may keep and compare it.
        seen.push(db.healthCheck === ctx.resource<PrivateDatabase>('db').healthCheck);
        seen.push((await ctx.tool('remember', { value: 'from tool' })).ok);
        ctx.respond('ok');
      },
    });
    const agent = new Agent({ defaultWorkflow: false, zeroConfig: false, resources: { db: database, logging: inMemoryLogger({ echoLevel: false }) }, plugins: [probe], tools: [remember] });
    await expect(agent.chat('hello')).resolves.toMatchObject({ text: 'ok' });
    expect(seen).toEqual([{ healthy: true, message: 'started' }, 'hello', true, true]);
    expect(database.get('tool')).toBe('from tool');
    await agent.stop();
  });

  it('binds methods to the resource when nobody observes too', async () => {
    const database = new PrivateDatabase();
    await database.start({} as ResourceStartContext);
    const hub = new InstrumentationHub();
    expect(hub.active).toBe(false);
    const wrapped = instrumentResource('db', database, hub, {});
    await wrapped.put('k', 'v');
    expect(wrapped.get('k')).toBe('v');
    await expect(wrapped.healthCheck()).resolves.toEqual({ healthy: true, message: 'started' });
    const { healthCheck } = wrapped;
    await expect(healthCheck()).resolves.toEqual({ healthy: true, message: 'started' });
  });
});
