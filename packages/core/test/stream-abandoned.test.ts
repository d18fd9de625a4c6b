import { describe, expect, it } from 'vitest';
import { Agent, type AgentEvent, definePlugin, inMemoryLogger } from '../src/index.js';

/** Waits (without asserting on time) until `condition` holds; gives up after `limitMs` so a broken build fails instead of hanging. */
async function until(condition: () => boolean, limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition never held');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A THINK plugin that ignores ctx.signal and emits `count` custom events, awaiting each (so back-pressure applies). */
const chatty = (count: number) =>
  definePlugin({
    name: 'chatty',
    kind: 'prompt',
    async execute(ctx) {
      for (let index = 0; index < count; index++) await ctx.advanced.emit('tick', { index });
    },
  });

const responder = definePlugin({ name: 'answer', kind: 'output', execute: (ctx) => ctx.respond('ok') });

describe('a stream whose consumer stops reading', () => {
  it('does not keep a failed run alive: the run ends by itself and stop() needs no grace period', async () => {
    const logging = inMemoryLogger({ echoLevel: false });
    const agent = new Agent({
      defaultWorkflow: false,
      zeroConfig: false,
      runTimeoutMs: 200,
      errorTimeoutMs: 100,
      // Long, so the old behaviour (waiting out the bound, then warning) is unmistakable.
      stopTimeoutMs: 3_000,
      resources: { logging },
      plugins: [chatty(100), responder],
    });
    const iterator = agent.stream('hi', { maxBufferedEvents: 2 })[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value).toMatchObject({ type: 'run-start' });
    // The consumer stalls. The run times out in THINK and goes through ERROR meanwhile.
    await until(() => logging.entries.some((entry) => entry.level === 'error' && entry.message.includes('failed in THINK')));

    await agent.stop();
    const warnings = logging.entries.filter((entry) => entry.level === 'warn' && entry.message.includes('still in progress'));
    expect(warnings).toEqual([]);

    // Nothing was lost: the consumer, reading again, gets the failure, the safe reply and done.
    const rest: AgentEvent[] = [];
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) rest.push(next.value);
    const types = rest.map((event) => event.type);
    expect(types).toContain('error');
    expect(types.slice(-2)).toEqual(['response', 'done']);

    // A second stop (the agent restarted by a chat) does not wait on anything either.
    await agent.chat('again');
    await agent.stop();
    expect(logging.entries.filter((entry) => entry.level === 'warn' && entry.message.includes('still in progress'))).toEqual([]);
  });
});

describe('a plugin abandoned by a failed run', () => {
  it('can no longer feed the stream: nothing of it follows the error event, done follows the response', async () => {
    const logging = inMemoryLogger({ echoLevel: false });
    // Emits until the test releases it, ignoring ctx.signal: the run must time out however fast
    // the machine is, and the plugin outlives it.
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
    const agent = new Agent({
      defaultWorkflow: false,
      zeroConfig: false,
      runTimeoutMs: 100,
      resources: { logging },
      plugins: [endless, responder],
    });
    const events: AgentEvent[] = [];
    try {
      for await (const event of agent.stream('hi', { maxBufferedEvents: 4 })) {
        events.push(event);
        // A slow renderer: the plugin outruns it and the run times out while it still emits.
        if (event.type === 'custom') await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      released = true;
    }
    await agent.stop();
    const types = events.map((event) => event.type);
    const errorAt = types.indexOf('error');
    expect(errorAt).toBeGreaterThan(0);
    expect(events[errorAt]).toMatchObject({ type: 'error', stage: 'THINK', plugin: 'chatty', errorType: 'TIMEOUT' });
    expect(types.slice(errorAt + 1).filter((type) => type === 'custom')).toEqual([]);
    expect(types.slice(-2)).toEqual(['response', 'done']);
  });
});
