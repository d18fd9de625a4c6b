import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent, type Context, definePlugin, defineTool, inMemoryLogger, type ToolResult } from '../src/index.js';

const quiet = { logging: inMemoryLogger({ echoLevel: false }) };

/** A tool that records when it ran, to measure real overlap instead of counting sleeps. */
function timedTool(name: string, durationMs: number, intervals: [number, number][]) {
  return defineTool({
    name,
    description: `waits ${durationMs} ms`,
    input: z.object({ id: z.number() }),
    async execute({ id }) {
      const start = performance.now();
      await new Promise((resolve) => setTimeout(resolve, durationMs));
      intervals.push([start, performance.now()]);
      return id;
    },
  });
}

function agentWith(tools: ReturnType<typeof defineTool<any, any>>[], body: (ctx: Context) => void | Promise<void>, options: ConstructorParameters<typeof Agent>[0] = {}) {
  const results: Record<string, unknown> = {};
  const agent = new Agent({ defaultWorkflow: false, zeroConfig: false, resources: { ...quiet }, tools, ...options });
  agent.use(definePlugin({ name: 'actor', kind: 'tool', execute: body }));
  agent.use(
    definePlugin({
      name: 'deliver',
      kind: 'output',
      execute(ctx) {
        results.calls = ctx.advanced.toolCalls;
        ctx.respond('ok');
      },
    }),
  );
  return { agent, results };
}

const maxOverlap = (intervals: [number, number][]) => {
  let best = 0;
  for (const [start] of intervals) best = Math.max(best, intervals.filter(([s, e]) => s <= start && start < e).length);
  return best;
};

describe('tools', () => {
  it('runs queued calls concurrently at the stage boundary', async () => {
    const intervals: [number, number][] = [];
    let resultIds: unknown[] = [];
    const { agent } = agentWith([timedTool('wait', 40, intervals)], (ctx) => {
      const ids = [1, 2, 3, 4].map((id) => ctx.queueTool('wait', { id }));
      ctx.store('ids', ids);
    });
    agent.use(
      definePlugin({
        name: 'reader',
        kind: 'prompt',
        stages: ['REVIEW'],
        execute(ctx) {
          resultIds = ctx.load<string[]>('ids')!.map((id) => (ctx.toolResult(id) as ToolResult<number>).ok && (ctx.toolResult(id) as { value: number }).value);
        },
      }),
    );
    await agent.chat('go');
    expect(intervals).toHaveLength(4);
    expect(maxOverlap(intervals)).toBe(4);
    expect(resultIds).toEqual([1, 2, 3, 4]);
  });

  it('bounds concurrency with toolConcurrency', async () => {
    const intervals: [number, number][] = [];
    const { agent } = agentWith([timedTool('wait', 20, intervals)], (ctx) => {
      for (let id = 0; id < 6; id++) ctx.queueTool('wait', { id });
    }, { toolConcurrency: 2 });
    await agent.chat('go');
    expect(intervals).toHaveLength(6);
    expect(maxOverlap(intervals)).toBe(2);
  });

  it('returns invalid arguments as a tool error, not a crash', async () => {
    let result: ToolResult | undefined;
    const { agent } = agentWith([timedTool('wait', 1, [])], async (ctx) => {
      result = await ctx.tool('wait', { id: 'not-a-number' });
    });
    const reply = await agent.chat('go');
    expect(reply.text).toBe('ok');
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENTS' } });
    expect(result!.ok === false && result!.error.message).toMatch(/id/);
  });

  it('only registered tools can be called or discovered', async () => {
    let result: ToolResult | undefined;
    let discovered: string[] = [];
    const { agent } = agentWith([timedTool('wait', 1, [])], async (ctx) => {
      result = await ctx.tool('rm_rf', {});
      discovered = ctx.discoverTools().map((tool) => tool.name);
    });
    await agent.chat('go');
    expect(result).toMatchObject({ ok: false, error: { code: 'TOOL_NOT_FOUND' } });
    expect(discovered).toEqual(['wait']);
  });

  it('applies the per-tool timeout and aborts the tool signal', async () => {
    let aborted = false;
    let result: ToolResult | undefined;
    const slow = defineTool({
      name: 'slow',
      description: 'never finishes',
      input: z.object({}),
      timeoutMs: 30,
      execute: (_args, { signal }) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve('late');
          });
        }),
    });
    const { agent } = agentWith([slow], async (ctx) => {
      result = await ctx.tool('slow', {});
    });
    await agent.chat('go');
    expect(result).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
    expect(aborted).toBe(true);
  });

  it('turns a throwing tool into a failed result and records it', async () => {
    const boom = defineTool({ name: 'boom', description: 'fails', input: z.object({}), execute: () => { throw new Error('kaput'); } });
    const { agent, results } = agentWith([boom], (ctx) => {
      ctx.queueTool('boom', {});
    });
    await agent.chat('go');
    expect(results.calls).toEqual([expect.objectContaining({ name: 'boom', success: false, error: 'kaput' })]);
  });

  it('exposes the zod schema as JSON Schema for models', () => {
    const tool = defineTool({ name: 'add', description: 'adds', input: z.object({ a: z.number(), b: z.number().describe('second') }), execute: ({ a, b }) => a + b });
    expect(tool.parameters).toEqual({
      type: 'object',
      properties: { a: { type: 'number' }, b: { type: 'number', description: 'second' } },
      required: ['a', 'b'],
    });
  });

  it('refuses tool names providers would reject', () => {
    expect(() => defineTool({ name: 'has space', description: '', input: z.object({}), execute: () => 1 })).toThrow(/not a valid tool name/);
  });
});
