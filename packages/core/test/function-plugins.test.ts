import { describe, expect, it } from 'vitest';
import { Agent, type Context, definePlugin } from '../src/index.js';

const bareAgent = () => new Agent({ defaultWorkflow: false, zeroConfig: false });

describe('plain functions as plugins (agent.use(fn))', () => {
  it('infers the stage from the function itself: a function that responds runs in DELIVER', async () => {
    const agent = bareAgent();
    agent.use(async function greet(ctx: Context) {
      ctx.respond(`hello ${ctx.userId}`);
    });
    const result = await agent.chat('hi', { userId: 'ada' });
    expect(result.info.failure).toBeUndefined();
    expect(result.text).toBe('hello ada');
    const deliver = agent.describe().stages.find((entry) => entry.stage === 'DELIVER');
    expect(deliver?.plugins.map((plugin) => [plugin.name, plugin.source])).toEqual([['greet', 'inferred']]);
    await agent.stop();
  });

  it('infers the other stages from the function too (a function reading ctx.failure runs in ERROR)', async () => {
    const agent = bareAgent();
    agent.use(function explode() {
      throw new Error('boom');
    });
    agent.use((ctx: Context) => ctx.respond(`recovered from ${ctx.failure?.errorType}`));
    const result = await agent.chat('hi');
    expect(result.text).toBe('recovered from Error');
    await agent.stop();
  });

  it('reads only the context\'s failure as the ERROR hint: a local `.failure` leaves a responding function in DELIVER', async () => {
    const agent = bareAgent();
    agent.use(async function tally(ctx: Context) {
      const stats = { failure: 0 };
      stats.failure += ctx.message.length > 100 ? 1 : 0;
      ctx.respond(`failures: ${stats.failure}`);
    });
    agent.use(function explode() {
      throw new Error('boom');
    }, { stages: ['PARSE'] });
    let seen: string | undefined;
    agent.use(({ failure }: Context) => {
      seen = failure?.errorType;
    });
    agent.use(async (context: Context) => {
      if (context?.failure) context.respond(`recovered from ${context.failure.errorType}`);
    });
    const stages = agent.describe().stages;
    const namesIn = (stage: string) => stages.find((entry) => entry.stage === stage)?.plugins.map((plugin) => plugin.name) ?? [];
    expect(namesIn('DELIVER')).toEqual(['tally']);
    expect(namesIn('ERROR')).toHaveLength(2);
    const result = await agent.chat('hi');
    expect(result.text).toBe('recovered from Error');
    expect(seen).toBe('Error');
    await agent.stop();
  });

  it('honours explicit stages for a function, for when the hint cannot see the call', async () => {
    const reply = (ctx: Context) => ctx.respond('from a helper');
    const agent = bareAgent();
    agent.use((ctx: Context) => reply(ctx), { stages: ['DELIVER'] });
    const result = await agent.chat('hi');
    expect(result.info.failure).toBeUndefined();
    expect(result.text).toBe('from a helper');
    await agent.stop();
  });

  it('says how to give a function its stage when the hint got it wrong', async () => {
    const reply = (ctx: Context) => ctx.respond('from a helper');
    let caught: Error | undefined;
    const agent = bareAgent();
    agent.use(function indirect(ctx: Context) {
      reply(ctx);
    });
    agent.use(
      definePlugin({
        name: 'catcher',
        kind: 'failure',
        execute(ctx) {
          caught = ctx.failure?.error;
        },
      }),
    );
    await agent.chat('hi');
    expect(caught?.message).toMatch(/respond\(\) was called in the THINK stage/);
    expect(caught?.message).toContain("agent.use(fn, { stages: ['DELIVER'] })");
    await agent.stop();
  });
});
