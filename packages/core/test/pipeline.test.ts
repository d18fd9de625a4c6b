import { describe, expect, it } from 'vitest';
import { Agent, type Context, definePlugin, inMemoryMetrics, type Stage, StageError } from '../src/index.js';

const recorder = () => {
  const seen: string[] = [];
  const plugin = (name: string, stage: Stage, body?: (ctx: Context) => void | Promise<void>) =>
    definePlugin({
      name,
      kind: 'prompt',
      stages: [stage],
      async execute(ctx) {
        seen.push(`${ctx.iteration}:${ctx.stage}:${name}`);
        await body?.(ctx);
      },
    });
  return { seen, plugin };
};

const bareAgent = (plugins: Parameters<Agent['use']>[0][], options: ConstructorParameters<typeof Agent>[0] = {}) => {
  const agent = new Agent({ defaultWorkflow: false, zeroConfig: false, ...options });
  for (const plugin of plugins) agent.use(plugin);
  return agent;
};

describe('pipeline', () => {
  it('runs stages in order and stops when DELIVER responds', async () => {
    const { seen, plugin } = recorder();
    const agent = bareAgent([
      plugin('deliver', 'DELIVER', (ctx) => ctx.respond('done')),
      plugin('review', 'REVIEW'),
      plugin('do', 'DO'),
      plugin('think', 'THINK'),
      plugin('parse', 'PARSE'),
    ]);
    const result = await agent.chat('hi');
    expect(result.text).toBe('done');
    expect(seen).toEqual(['1:PARSE:parse', '1:THINK:think', '1:DO:do', '1:REVIEW:review', '1:DELIVER:deliver']);
    expect(result.info.iterations).toBe(1);
  });

  it('keeps plugins of one stage in registration order and loops until a response', async () => {
    const { seen, plugin } = recorder();
    const agent = bareAgent([
      plugin('first', 'THINK'),
      plugin('second', 'THINK'),
      plugin('deliver', 'DELIVER', (ctx) => {
        if (ctx.iteration === 3) ctx.respond(`after ${ctx.iteration}`);
      }),
    ]);
    const result = await agent.chat('hi');
    expect(result.text).toBe('after 3');
    expect(seen.filter((entry) => entry.includes('THINK'))).toEqual(['1:THINK:first', '1:THINK:second', '2:THINK:first', '2:THINK:second', '3:THINK:first', '3:THINK:second']);
  });

  it('stops after maxIterations and answers through the ERROR stage', async () => {
    const { seen, plugin } = recorder();
    const agent = bareAgent([plugin('think', 'THINK')], { maxIterations: 3 });
    const result = await agent.chat('hi');
    expect(seen).toHaveLength(3);
    expect(result.info.failure?.errorType).toBe('MAX_ITERATIONS');
    expect(result.text).toMatch(/something went wrong/i);
  });

  it('refuses respond() outside DELIVER with a clear error', async () => {
    let caught: unknown;
    const failureCatcher = definePlugin({
      name: 'catcher',
      kind: 'failure',
      execute(ctx) {
        caught = ctx.failure?.error;
        ctx.respond('recovered');
      },
    });
    const agent = bareAgent([definePlugin({ name: 'eager', kind: 'prompt', execute: (ctx) => ctx.respond('too early') }), failureCatcher]);
    const result = await agent.chat('hi');
    expect(StageError.isInstance(caught)).toBe(true);
    expect((caught as Error).message).toMatch(/only DELIVER plugins may respond/);
    expect(result.text).toBe('recovered');
    expect(result.info.failure).toMatchObject({ stage: 'THINK', plugin: 'eager', errorType: 'STAGE_VIOLATION' });
  });

  it('gives the user a safe message, never the internal error, when no failure plugin responds', async () => {
    const agent = bareAgent([
      definePlugin({
        name: 'leaky',
        kind: 'tool',
        execute() {
          throw new Error('password=hunter2 at db.internal:5432');
        },
      }),
    ]);
    const result = await agent.chat('hi');
    expect(result.text).not.toContain('hunter2');
    expect(result.text).toMatch(/something went wrong/i);
    expect(result.info.failure).toMatchObject({ stage: 'DO', plugin: 'leaky', errorType: 'Error' });
  });

  it('falls back to a last-resort response when an ERROR plugin itself fails', async () => {
    const agent = bareAgent([
      definePlugin({ name: 'broken', kind: 'prompt', execute: () => Promise.reject(new Error('first')) }),
      definePlugin({ name: 'broken-handler', kind: 'failure', execute: () => Promise.reject(new Error('second')) }),
    ]);
    const result = await agent.chat('hi');
    expect(result.text).toMatch(/something went wrong/i);
    expect(result.info.failure?.plugin).toBe('broken');
  });

  it('enforces the per-run timeout even when a plugin ignores its signal', async () => {
    const agent = bareAgent([definePlugin({ name: 'stuck', kind: 'prompt', execute: () => new Promise(() => {}) })], { runTimeoutMs: 50 });
    const result = await agent.chat('hi');
    expect(result.info.failure).toMatchObject({ plugin: 'stuck', errorType: 'TIMEOUT' });
    expect(result.text).toMatch(/took too long/);
  });

  it('rejects with CancelledError when the caller aborts', async () => {
    const controller = new AbortController();
    const agent = bareAgent([
      definePlugin({
        name: 'slow',
        kind: 'prompt',
        execute: () => {
          setTimeout(() => controller.abort(), 10);
          return new Promise(() => {});
        },
      }),
    ]);
    await expect(agent.chat('hi', { signal: controller.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('keeps scratch values across iterations but not across runs', async () => {
    const counts: number[] = [];
    const agent = bareAgent([
      definePlugin({
        name: 'counter',
        kind: 'prompt',
        execute(ctx) {
          ctx.store('count', (ctx.load<number>('count') ?? 0) + 1);
        },
      }),
      definePlugin({
        name: 'deliver',
        kind: 'output',
        execute(ctx) {
          if (ctx.iteration === 2) {
            counts.push(ctx.load<number>('count')!);
            ctx.respond('ok');
          }
        },
      }),
    ]);
    await agent.chat('a');
    await agent.chat('b');
    expect(counts).toEqual([2, 2]);
  });

  it('records every plugin execution in metrics without plugin code', async () => {
    const metrics = inMemoryMetrics();
    const agent = bareAgent([definePlugin({ name: 'deliver', kind: 'output', execute: (ctx) => ctx.respond('x') })], {
      resources: { metrics },
    });
    const result = await agent.chat('hi', { userId: 'alice' });
    expect(metrics.pluginExecutions).toEqual([expect.objectContaining({ plugin: 'deliver', stage: 'DELIVER', success: true, userId: 'alice', runId: result.info.runId })]);
    expect(metrics.runs).toEqual([expect.objectContaining({ runId: result.info.runId, success: true, iterations: 1 })]);
  });

  it('rejects invalid user ids before running anything', async () => {
    const agent = bareAgent([]);
    await expect(agent.chat('hi', { userId: '../etc' })).rejects.toThrow(/userId "..\/etc" is invalid/);
  });
});
