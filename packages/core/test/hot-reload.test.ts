import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent, ConfigError, defineResource, inMemoryLogger, inMemoryMemory, type LLM } from '../src/index.js';
import { scriptedLLM } from '../src/testing/index.js';

/**
 * A model whose `reconfigure` behaves like a real resource's: it applies a new greeting and
 * refuses (throws) when asked to change something it cannot change while running, as
 * `@entity/resources-storage` does for its bucket.
 */
const modelType = defineResource({
  type: 'greeter',
  packageName: '@entity/core',
  configSchema: z.object({ greeting: z.string(), region: z.string().default('eu'), partial: z.boolean().default(false) }).strict(),
  create(config) {
    const state = { ...config };
    const llm = scriptedLLM(() => state.greeting);
    return Object.assign(llm, {
      state,
      reconfigure(next: unknown) {
        const parsed = next as typeof config;
        // `partial`: applies the greeting before it notices the region, as a resource updating field by field would.
        if (parsed.partial) state.greeting = parsed.greeting;
        if (parsed.region !== state.region) throw new Error(`"region" cannot change while running (${state.region} -> ${parsed.region})`);
        Object.assign(state, parsed);
      },
    }) as LLM & { state: typeof config };
  },
});
const quietType = defineResource({ type: 'quiet-log', packageName: '@entity/core', configSchema: z.object({}).strict(), create: () => inMemoryLogger({ echoLevel: false }) });
// An in-memory store: without one, zero-config would open a PGlite database per test (seconds each).
const memoryType = defineResource({ type: 'scratch-memory', packageName: '@entity/core', configSchema: z.object({}).strict(), create: () => inMemoryMemory() });
const resourceTypes = [modelType, quietType, memoryType];

const suffixPlugin = `import { z } from 'zod';
export default {
  name: 'suffix', kind: 'prompt', stages: ['REVIEW'],
  configSchema: z.object({ suffix: z.string() }).strict(),
  execute(ctx, config) { ctx.store('entity:answer', (ctx.load('entity:answer') ?? '') + config.suffix); },
};\n`;

function yaml(options: { maxIterations?: number; suffix?: string; primary?: string; backup?: string; backupRegion?: string; backupPartial?: boolean }) {
  return [
    options.maxIterations === undefined ? '' : `maxIterations: ${options.maxIterations}`,
    'resources:',
    `  llm: { type: greeter, greeting: ${options.primary ?? 'one'} }`,
    `  backup: { type: greeter, greeting: ${options.backup ?? 'b1'}, region: ${options.backupRegion ?? 'eu'}, partial: ${options.backupPartial ?? false} }`,
    '  logging: { type: quiet-log }',
    '  memory: { type: scratch-memory }',
    'plugins:',
    '  - use: ./suffix.mjs',
    `    config: { suffix: "${options.suffix ?? '?'}" }`,
    '',
  ].join('\n');
}

async function loaded(initial: Parameters<typeof yaml>[0]) {
  // The plugin imports zod, so it lives where zod resolves: inside this package (git-ignored).
  mkdirSync(join(import.meta.dirname, '.generated'), { recursive: true });
  const pluginDir = mkdtempSync(join(import.meta.dirname, '.generated', 'reload-'));
  writeFileSync(join(pluginDir, 'suffix.mjs'), suffixPlugin);
  const file = join(pluginDir, 'agent.yaml');
  writeFileSync(file, yaml(initial));
  const agent = await Agent.fromConfig(file, { resourceTypes });
  await agent.start();
  return { agent, file };
}

describe('hot reload', () => {
  it('reports no changes when the file did not change', async () => {
    const { agent } = await loaded({ maxIterations: 4, suffix: '!' });
    expect(await agent.reload()).toEqual([]);
    await agent.stop();
  });

  it('reports only what changed', async () => {
    const { agent, file } = await loaded({ maxIterations: 4, suffix: '!' });
    writeFileSync(file, yaml({ maxIterations: 4, suffix: '?' }));
    expect(await agent.reload()).toEqual(['plugins.suffix']);
    writeFileSync(file, yaml({ maxIterations: 4, suffix: '?', primary: 'two' }));
    expect(await agent.reload()).toEqual(['resources.llm']);
    expect((await agent.chat('x')).text).toBe('two?');
    await agent.stop();
  });

  it('returns a removed setting to its default', async () => {
    const { agent, file } = await loaded({ maxIterations: 4 });
    writeFileSync(file, yaml({}));
    expect(await agent.reload()).toEqual(['maxIterations']);
    expect(agent.currentSettings.maxIterations).toBe(5);
    await agent.stop();
  });

  it('a reload a resource refuses changes nothing: settings, plugin configs and the other resources stay', async () => {
    const { agent, file } = await loaded({ maxIterations: 4, suffix: '!' });
    writeFileSync(file, yaml({ maxIterations: 9, suffix: '?', primary: 'changed', backup: 'b2', backupRegion: 'us' }));
    const error = await agent.reload().catch((caught: unknown) => caught);
    expect(agent.currentSettings.maxIterations).toBe(4);
    expect(agent.resource<{ state: { greeting: string } }>('llm').state.greeting).toBe('one');
    expect(agent.resource<{ state: { greeting: string } }>('backup').state.greeting).toBe('b1');
    expect((await agent.chat('x')).text).toBe('one!');
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).issues).toEqual([
      expect.objectContaining({ path: 'resources.backup', message: expect.stringMatching(/refused the new parameters: "region" cannot change/), fix: expect.stringMatching(/^restart required/) }),
    ]);
    // The refused file is not taken as the new baseline: fixing it reloads against what runs.
    writeFileSync(file, yaml({ maxIterations: 9, suffix: '!' }));
    expect(await agent.reload()).toEqual(['maxIterations']);
    await agent.stop();
  });

  it('gives the resource that refused its previous parameters back too, in case it applied part of the new ones', async () => {
    const { agent, file } = await loaded({ backupPartial: true });
    writeFileSync(file, yaml({ primary: 'changed', backup: 'b2', backupRegion: 'us', backupPartial: true }));
    const error = await agent.reload().catch((caught: unknown) => caught);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect(agent.resource<{ state: { greeting: string } }>('llm').state.greeting).toBe('one');
    expect(agent.resource<{ state: { greeting: string; region: string } }>('backup').state).toMatchObject({ greeting: 'b1', region: 'eu' });
    await agent.stop();
  });

  it('an invalid plugin config changes nothing', async () => {
    const { agent, file } = await loaded({ maxIterations: 4, suffix: '!' });
    writeFileSync(file, yaml({ maxIterations: 9, primary: 'changed' }).replace('config: { suffix: "?" }', 'config: { suffix: 3 }'));
    await expect(agent.reload()).rejects.toThrow(/plugins\.0 \(suffix\)\.config\.suffix/);
    expect(agent.currentSettings.maxIterations).toBe(4);
    expect((await agent.chat('x')).text).toBe('one!');
    await agent.stop();
  });
});
