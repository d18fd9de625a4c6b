import { describe, expect, it } from 'vitest';
import { Agent, definePlugin, PluginError, type Resource, Workflow } from '../src/index.js';

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
  it('initialises a shared plugin once and shuts it down when the last agent using it stops', async () => {
    const events: string[] = [];
    let connection: 'open' | 'closed' = 'closed';
    const shared = definePlugin({
      name: 'shared-connection',
      kind: 'prompt',
      init: () => {
        connection = 'open';
        events.push('init');
      },
      shutdown: () => {
        connection = 'closed';
        events.push('shutdown');
      },
      execute: (ctx) => {
        if (connection !== 'open') throw new Error('the shared connection is closed');
        ctx.store('seen', true);
      },
    });
    const workflow = new Workflow({ THINK: ['shared-connection'], DELIVER: ['answer'] }, [shared, responder]);
    const first = new Agent({ name: 'first', workflow, defaultWorkflow: false, zeroConfig: false });
    const second = new Agent({ name: 'second', workflow, defaultWorkflow: false, zeroConfig: false });
    await first.chat('hi');
    await second.chat('hi');
    await first.stop();
    expect(events).toEqual(['init']);
    const afterFirstStopped = await second.chat('still there?');
    expect(afterFirstStopped.info.failure).toBeUndefined();
    expect(afterFirstStopped.text).toBe('ok');
    await second.stop();
    expect(events).toEqual(['init', 'shutdown']);

    // Starting again after everyone stopped initialises it afresh.
    await first.chat('back');
    expect(events).toEqual(['init', 'shutdown', 'init']);
    await first.stop();
    expect(events).toEqual(['init', 'shutdown', 'init', 'shutdown']);
  });
});
