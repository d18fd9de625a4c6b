import { describe, expect, it } from 'vitest';
import { Agent, CancelledError, definePlugin, inMemoryLogger, PluginError, type Resource, Workflow } from '../src/index.js';

/** A resource that records its lifecycle and refuses writes once stopped, like a closed connection pool. */
function journal(events: string[]): Resource & { write(entry: string): Promise<void> } {
  let open = false;
  return {
    start() {
      open = true;
      events.push('journal start');
    },
    stop() {
      open = false;
      events.push('journal stop');
    },
    async write(entry: string) {
      if (!open) throw new Error(`write "${entry}" after the journal stopped`);
      events.push(`write ${entry}`);
    },
  };
}

const responder = definePlugin({ name: 'answer', kind: 'output', execute: (ctx) => ctx.respond('ok') });

describe('agent start', () => {
  it('rejects when a plugin init() throws, naming the plugin, and stops what already started', async () => {
    const events: string[] = [];
    const agent = new Agent({
      defaultWorkflow: false,
      zeroConfig: false,
      resources: { journal: journal(events) },
      plugins: [
        definePlugin({
          name: 'first',
          kind: 'prompt',
          init: () => void events.push('first init'),
          shutdown: () => void events.push('first shutdown'),
          execute: () => {},
        }),
        definePlugin({
          name: 'broken',
          kind: 'prompt',
          init: () => {
            throw new Error('cannot reach the rules service');
          },
          shutdown: () => void events.push('broken shutdown'),
          execute: () => {},
        }),
        responder,
      ],
    });
    const error = await agent.start().catch((e: unknown) => e);
    expect(PluginError.isInstance(error)).toBe(true);
    expect((error as PluginError).plugin).toBe('broken');
    expect((error as Error).message).toMatch(/"broken" failed to initialise: cannot reach the rules service/);
    // The plugin whose init failed never started, so it is not shut down; everything else is.
    expect(events).toEqual(['journal start', 'first init', 'first shutdown', 'journal stop']);

    // Every later command fails the same way instead of hanging.
    await expect(agent.chat('hi')).rejects.toMatchObject({ code: 'PLUGIN_ERROR', plugin: 'broken' });
    await agent.stop();
  });
});

describe('plugins shared between agents', () => {
  /** A workflow plugin that keeps the agent's journal from init(), as a plugin holding a connection does. */
  function journalling() {
    let kept: ReturnType<typeof journal> | undefined;
    return definePlugin({
      name: 'journalling',
      kind: 'prompt',
      dependencies: ['journal'],
      init: (ctx) => {
        kept = ctx.resource<ReturnType<typeof journal>>('journal');
      },
      shutdown: () => {
        kept = undefined;
      },
      execute: async (ctx) => {
        if (!kept) throw new Error('not initialised');
        await kept.write(ctx.message);
      },
    });
  }

  it('refuses a second running agent for a plugin object with init(), naming the holder and the fix; it is free once that agent stops', async () => {
    const workflow = new Workflow({ THINK: ['journalling'], DELIVER: ['answer'] }, [journalling(), responder]);
    const firstEvents: string[] = [];
    const secondEvents: string[] = [];
    const first = new Agent({ name: 'first', workflow, defaultWorkflow: false, zeroConfig: false, resources: { journal: journal(firstEvents) } });
    const second = new Agent({ name: 'second', workflow, defaultWorkflow: false, zeroConfig: false, resources: { journal: journal(secondEvents) } });
    await first.start();
    const refused = await second.start().catch((error: unknown) => error);
    expect(PluginError.isInstance(refused)).toBe(true);
    expect(refused).toMatchObject({ code: 'PLUGIN_IN_USE', plugin: 'journalling' });
    expect((refused as Error).message).toMatch(/already started by agent "first".*own plugin object/);
    // The refused start left nothing running.
    expect(secondEvents).toEqual(['journal start', 'journal stop']);
    expect((await first.chat('one')).text).toBe('ok');

    await first.stop();
    // Now the second agent holds it, with its own journal: nothing runs on the stopped one.
    const answer = await second.chat('two');
    expect(answer.info.failure).toBeUndefined();
    expect(firstEvents).toEqual(['journal start', 'write one', 'journal stop']);
    expect(secondEvents.slice(2)).toEqual(['journal start', 'write two']);
    await second.stop();
  });

  it('runs one plugin object per agent side by side when each agent builds its own (a workflow factory), and shares plugins without init()', async () => {
    const stateless = definePlugin({ name: 'stateless', kind: 'prompt', execute: (ctx) => ctx.store('seen', true) });
    const makeWorkflow = () => new Workflow({ THINK: ['stateless', 'journalling'], DELIVER: ['answer'] }, [stateless, journalling(), responder]);
    const firstEvents: string[] = [];
    const secondEvents: string[] = [];
    const first = new Agent({ name: 'first', workflow: makeWorkflow(), defaultWorkflow: false, zeroConfig: false, resources: { journal: journal(firstEvents) } });
    const second = new Agent({ name: 'second', workflow: makeWorkflow(), defaultWorkflow: false, zeroConfig: false, resources: { journal: journal(secondEvents) } });
    await first.chat('a');
    await second.chat('b');
    await first.stop();
    // Stopping one agent never touches the plugin object the other runs.
    expect((await second.chat('c')).info.failure).toBeUndefined();
    await second.stop();
    expect(firstEvents).toEqual(['journal start', 'write a', 'journal stop']);
    expect(secondEvents).toEqual(['journal start', 'write b', 'write c', 'journal stop']);
  });
});

/** A promise with its resolver, so a test decides exactly when a plugin may go on. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

const turnsOfTheEventLoop = async (count: number) => {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** An agent whose THINK plugin announces it started, then waits for `release` (ignoring cancellation) and writes to the journal. */
function agentWithSlowWriter(events: string[], options: { stopTimeoutMs?: number; logging?: object } = {}) {
  const started = gate();
  const release = gate();
  let sawAbort = false;
  const agent = new Agent({
    defaultWorkflow: false,
    zeroConfig: false,
    ...(options.stopTimeoutMs === undefined ? {} : { stopTimeoutMs: options.stopTimeoutMs }),
    resources: { journal: journal(events), ...(options.logging ? { logging: options.logging } : {}) },
    plugins: [
      definePlugin({
        name: 'slow-writer',
        kind: 'prompt',
        async execute(ctx) {
          if (ctx.message !== 'slow') return;
          started.open();
          await release.opened;
          sawAbort = ctx.signal.aborted;
          await ctx.resource<ReturnType<typeof journal>>('journal').write(ctx.message);
        },
      }),
      responder,
    ],
  });
  return { agent, started, release, sawAbort: () => sawAbort };
}

describe('agent stop', () => {
  it('aborts runs in progress and waits for their work before stopping resources', async () => {
    const events: string[] = [];
    const { agent, started, release, sawAbort } = agentWithSlowWriter(events);
    const chat = agent.chat('slow').catch((e: unknown) => e);
    await started.opened;
    const stopping = agent.stop();
    await turnsOfTheEventLoop(5);
    // The run's plugin is still busy: its resources must still be up.
    expect(events).not.toContain('journal stop');
    release.open();
    await stopping;
    expect(events).toEqual(['journal start', 'write slow', 'journal stop']);
    expect(sawAbort()).toBe(true);
    const error = await chat;
    expect(CancelledError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/stopping/);
  });

  it('refuses new runs while it stops, with an error that says why, and runs again once stopped', async () => {
    const events: string[] = [];
    const { agent, started, release } = agentWithSlowWriter(events);
    const first = agent.chat('slow').catch(() => {});
    await started.opened;
    const stopping = agent.stop();
    const refused = await agent.chat('quick').catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'AGENT_STOPPING' });
    expect((refused as Error).message).toMatch(/is stopping.*after stop\(\) resolves/);
    release.open();
    await stopping;
    await first;
    expect(events.filter((event) => event === 'journal start')).toHaveLength(1);
    // After stop() finished, chat() starts the agent again.
    await expect(agent.chat('quick')).resolves.toMatchObject({ text: 'ok' });
    expect(events.filter((event) => event === 'journal start')).toHaveLength(2);
    await agent.stop();
  });

  it('waits at most stopTimeoutMs for a run that never finishes, then stops resources and says so', async () => {
    const events: string[] = [];
    const logging = inMemoryLogger({ level: 'warn', echoLevel: false });
    const { agent, started } = agentWithSlowWriter(events, { stopTimeoutMs: 30, logging });
    const chat = agent.chat('slow').catch((e: unknown) => e);
    await started.opened;
    await agent.stop();
    expect(events).toEqual(['journal start', 'journal stop']);
    expect(CancelledError.isInstance(await chat)).toBe(true);
    expect(logging.entries).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringMatching(/1 run still in progress after 30 ms/) }),
    );
  });
});
