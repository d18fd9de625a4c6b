import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { Agent, CancelledError, definePlugin, inMemoryLogger, type Resource } from '../src/index.js';

/** A promise with its resolver, so a test decides exactly when a step may go on. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

/** Waits (no timing assertion) until `condition` holds; fails rather than hangs when it never does. */
async function until(condition: () => boolean, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition never held');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function journal(events: string[]): Resource {
  return { start: () => void events.push('journal start'), stop: () => void events.push('journal stop') };
}

const responder = definePlugin({ name: 'answer', kind: 'output', execute: (ctx) => ctx.respond('ok') });
const first = (events: string[]) =>
  definePlugin({ name: 'first', kind: 'prompt', init: () => void events.push('first init'), shutdown: () => void events.push('first shutdown'), execute: () => {} });

describe('stop() while the agent is still starting', () => {
  it('signals a hanging init to give up; stop() returns, everything is undone, the agent starts again', async () => {
    const events: string[] = [];
    const entered = gate();
    const polite = definePlugin({
      name: 'polite',
      kind: 'prompt',
      init: (ctx) =>
        new Promise<void>((_, reject) => {
          entered.open();
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
        }),
      shutdown: () => void events.push('polite shutdown'),
      execute: () => {},
    });
    const logging = inMemoryLogger({ echoLevel: false });
    const agent = new Agent({ defaultWorkflow: false, zeroConfig: false, stopTimeoutMs: 5_000, resources: { journal: journal(events), logging }, plugins: [first(events), polite, responder] });
    const chat = agent.chat('hi').catch((error: unknown) => error);
    await entered.opened;
    await agent.stop();
    expect(CancelledError.isInstance(await chat)).toBe(true);
    expect(events).toEqual(['journal start', 'first init', 'first shutdown', 'journal stop']);
    expect(logging.entries.filter((entry) => entry.level === 'warn')).toEqual([]);
  });

  it('bounds the wait by stopTimeoutMs for an init that ignores the signal, names it, and cleans up after it when it returns', async () => {
    const events: string[] = [];
    const entered = gate();
    const release = gate();
    let initCalls = 0;
    const stubborn = definePlugin({
      name: 'stubborn',
      kind: 'prompt',
      async init() {
        initCalls++;
        if (initCalls > 1) return void events.push('stubborn init');
        entered.open();
        await release.opened;
        events.push('stubborn late init');
      },
      shutdown: () => void events.push('stubborn shutdown'),
      execute: () => {},
    });
    const logging = inMemoryLogger({ echoLevel: false });
    const agent = new Agent({ defaultWorkflow: false, zeroConfig: false, stopTimeoutMs: 50, resources: { journal: journal(events), logging }, plugins: [first(events), stubborn, responder] });
    const chat = agent.chat('hi').catch((error: unknown) => error);
    await entered.opened;
    await agent.stop();
    expect(CancelledError.isInstance(await chat)).toBe(true);
    // What did start is stopped; the init still running is named.
    expect(events).toEqual(['journal start', 'first init', 'first shutdown', 'journal stop']);
    expect(logging.entries).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringContaining('plugin "stubborn" init() has not returned') }));

    // Until the abandoned init returns, the plugin is still its: a new start says so instead of hanging.
    const tooSoon = await agent.chat('too soon').catch((error: unknown) => error);
    expect(tooSoon).toMatchObject({ code: 'PLUGIN_IN_USE', plugin: 'stubborn', message: expect.stringMatching(/earlier start .* abandoned/) });
    expect(events.slice(4)).toEqual(['journal start', 'first init', 'first shutdown', 'journal stop']);

    // When the abandoned init returns, its plugin is shut down again; nothing else is touched.
    release.open();
    await until(() => events.includes('stubborn shutdown'));
    expect(events.slice(8)).toEqual(['stubborn late init', 'stubborn shutdown']);

    // The agent is usable: the next chat starts it afresh.
    await expect(agent.chat('again')).resolves.toMatchObject({ text: 'ok' });
    await agent.stop();
    expect(events.slice(10)).toEqual(['journal start', 'first init', 'stubborn init', 'stubborn shutdown', 'first shutdown', 'journal stop']);
  });

  it('does the same for a resource whose start() hangs', async () => {
    const events: string[] = [];
    const entered = gate();
    const release = gate();
    const database: Resource = {
      async start() {
        entered.open();
        await release.opened;
        events.push('database late start');
      },
      stop: () => void events.push('database stop'),
    };
    const logging = inMemoryLogger({ echoLevel: false });
    const agent = new Agent({ defaultWorkflow: false, zeroConfig: false, stopTimeoutMs: 50, resources: { logging, database }, plugins: [responder] });
    const starting = agent.start().catch((error: unknown) => error);
    await entered.opened;
    await agent.stop();
    expect(logging.entries).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringContaining('resource "database" start() has not returned') }));
    release.open();
    expect(CancelledError.isInstance(await starting)).toBe(true);
    expect(events).toEqual(['database late start', 'database stop']);
  });

  it('a new start never uses a resource an abandoned start() still holds: refused until that call returns and is stopped again', async () => {
    const events: string[] = [];
    const entered = gate();
    const release = gate();
    let starts = 0;
    const database: Resource = {
      async start() {
        const call = ++starts;
        if (call === 1) {
          entered.open();
          await release.opened;
        }
        events.push(`start#${call} done`);
      },
      stop: () => void events.push('stop'),
    };
    const logging = inMemoryLogger({ echoLevel: false });
    const agent = new Agent({ defaultWorkflow: false, zeroConfig: false, stopTimeoutMs: 50, resources: { logging, database }, plugins: [responder] });
    const starting = agent.start().catch((error: unknown) => error);
    await entered.opened;
    await agent.stop();

    // The first start() is still running: the resource is not started a second time meanwhile.
    const tooSoon = await agent.chat('one').catch((error: unknown) => error);
    expect(tooSoon).toMatchObject({ code: 'RESOURCE_IN_USE', resource: 'database', message: expect.stringMatching(/earlier start .* abandoned/) });
    expect(starts).toBe(1);

    // When it returns, the abandoned start stops it again; then the agent starts afresh and keeps it.
    release.open();
    expect(CancelledError.isInstance(await starting)).toBe(true);
    expect(events).toEqual(['start#1 done', 'stop']);
    await expect(agent.chat('two')).resolves.toMatchObject({ text: 'ok' });
    await expect(agent.chat('three')).resolves.toMatchObject({ text: 'ok' });
    expect(events).toEqual(['start#1 done', 'stop', 'start#2 done']);
    await agent.stop();
    expect(events).toEqual(['start#1 done', 'stop', 'start#2 done', 'stop']);
  });

  it('a zero-config fill given up on adds nothing when it returns, so a newer start fills the container alone', async () => {
    const project = mkdtempSync(join(tmpdir(), 'entity-fill-'));
    const memoryPackage = join(project, 'node_modules', '@entity', 'resources-memory');
    mkdirSync(memoryPackage, { recursive: true });
    writeFileSync(join(memoryPackage, 'package.json'), JSON.stringify({ name: '@entity/resources-memory', type: 'module', main: 'index.js' }));
    // The first defaultMemory() waits (like a slow probe) until the test releases it; later calls return at once.
    writeFileSync(
      join(memoryPackage, 'index.js'),
      `const gates = globalThis.__entityFillGates;
export async function defaultMemory() {
  const call = ++gates.calls;
  if (call === 1) { gates.entered(); await gates.release; }
  return { name: 'memory#' + call, start() {}, stop() {} };
}`,
    );
    const entered = gate();
    const release = gate();
    (globalThis as Record<string, unknown>).__entityFillGates = { calls: 0, entered: entered.open, release: release.opened };
    try {
      const agent = new Agent({ defaultWorkflow: false, zeroConfig: true, stopTimeoutMs: 50, projectDir: project, resources: { logging: inMemoryLogger({ echoLevel: false }) }, plugins: [responder] });
      const starting = agent.start().catch((error: unknown) => error);
      await entered.opened;
      await agent.stop();
      await expect(agent.chat('one')).resolves.toMatchObject({ text: 'ok' });
      release.open();
      expect(CancelledError.isInstance(await starting)).toBe(true);
      // The late fill did not register a second memory, and the agent keeps working with the one it has.
      expect(agent.resource<{ name: string }>('memory').name).toBe('memory#2');
      await expect(agent.chat('two')).resolves.toMatchObject({ text: 'ok' });
      await agent.stop();
      // A restart after that fills nothing new and does not collide either.
      await expect(agent.chat('three')).resolves.toMatchObject({ text: 'ok' });
      await agent.stop();
    } finally {
      delete (globalThis as Record<string, unknown>).__entityFillGates;
      rmSync(project, { recursive: true, force: true });
    }
  });

  it('a stuck run and a stuck start share one stopTimeoutMs: stop() waits for both side by side', async () => {
    const runEntered = gate();
    const releaseRun = gate();
    const startEntered = gate();
    const releaseStart = gate();
    let starts = 0;
    const database: Resource = {
      async start() {
        if (++starts === 2) {
          startEntered.open();
          await releaseStart.opened;
        }
      },
    };
    const stuck = definePlugin({
      name: 'stuck',
      kind: 'output',
      async execute(ctx) {
        if (ctx.message === 'hang') {
          runEntered.open();
          await releaseRun.opened;
        }
        ctx.respond('ok');
      },
    });
    const logging = inMemoryLogger({ echoLevel: false });
    const agent = new Agent({ defaultWorkflow: false, zeroConfig: false, stopTimeoutMs: 20, resources: { logging, database }, plugins: [stuck] });
    // A run that ignores its signal outlives the first stop, which gives up on it.
    const hanging = agent.chat('hang').catch((error: unknown) => error);
    await runEntered.opened;
    await agent.stop();
    // The next start hangs in the resource's start().
    const starting = agent.start().catch((error: unknown) => error);
    await startEntered.opened;
    agent.reloadParameters({ settings: { stopTimeoutMs: 1_000 } });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let stopped = false;
      const stopping = agent.stop().then(() => {
        stopped = true;
      });
      await vi.advanceTimersByTimeAsync(1_000);
      expect(stopped).toBe(true);
      await stopping;
    } finally {
      vi.useRealTimers();
    }
    const giveUps = logging.entries.filter((entry) => entry.level === 'warn' && entry.message.includes('(stopTimeoutMs)'));
    expect(giveUps.map((entry) => entry.message)).toEqual([
      expect.stringContaining('1 run still in progress after 20 ms'),
      expect.stringContaining('1 run still in progress after 1000 ms'),
      expect.stringContaining('resource "database" start() has not returned'),
    ]);
    releaseRun.open();
    releaseStart.open();
    await hanging;
    expect(CancelledError.isInstance(await starting)).toBe(true);
  });
});
