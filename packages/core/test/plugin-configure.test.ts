import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent, ConfigError, definePlugin, defineTool, inMemoryLogger, inMemoryMemory, type Plugin } from '../src/index.js';
import { scriptedLLM } from '../src/testing/index.js';

const echo = defineTool({ name: 'echo', description: 'Echoes', input: z.object({ text: z.string() }), execute: ({ text }) => text });
const shout = defineTool({ name: 'shout', description: 'Shouts', input: z.object({ text: z.string() }), execute: ({ text }) => text.toUpperCase() });

/** A plugin whose tools come from its config, as `@entity/plugin-tools` builds them from `tools: [...]`. */
type PickConfig = { tools: ('echo' | 'shout')[]; needs?: string | undefined };
function pickTools(): Plugin<PickConfig> {
  const schema = z.object({ tools: z.array(z.enum(['echo', 'shout'])).default(['echo']), needs: z.string().optional() });
  const build = (config: PickConfig | undefined): Plugin<PickConfig> =>
    definePlugin({
      name: 'pick',
      kind: 'tool',
      config: schema,
      tools: (config?.tools ?? ['echo']).map((name) => (name === 'echo' ? echo : shout)),
      ...(config?.needs === undefined ? {} : { dependencies: [config.needs] }),
      configure: (parsed) => build(parsed),
    });
  return build(undefined);
}

const agentWith = (plugin: Plugin<never>, config: unknown) =>
  new Agent({
    resources: { llm: scriptedLLM(['ok']), memory: inMemoryMemory(), logging: inMemoryLogger({ echoLevel: false }) },
    plugins: [{ plugin, config }],
    zeroConfig: false,
  });

describe('Plugin.configure', () => {
  it('registers the tools and dependencies the config chose, and only those', async () => {
    const agent = agentWith(pickTools() as Plugin<never>, { tools: ['shout'] });
    expect(agent.describe().tools).toEqual([{ name: 'shout', plugin: 'pick', description: expect.any(String) }]);
    const withBoth = agentWith(pickTools() as Plugin<never>, { tools: ['echo', 'shout'] });
    expect(withBoth.describe().tools.map((tool) => tool.name)).toEqual(['echo', 'shout']);
  });

  it('checks the dependencies the configured plugin declares', async () => {
    const agent = agentWith(pickTools() as Plugin<never>, { needs: 'storage' });
    await expect(agent.chat('hi')).rejects.toThrow(/storage/);
  });

  it('refuses a configured plugin with another name or kind', () => {
    const base = pickTools();
    const renamed = { ...base, configure: () => ({ ...base, name: 'other' }) } as Plugin<never>;
    expect(() => agentWith(renamed, {})).toThrow(/same name \("pick"\) and kind \("tool"\)/);
  });

  it('refuses a hot reload that changes its config, and accepts an unchanged one', () => {
    const agent = agentWith(pickTools() as Plugin<never>, { tools: ['echo'] });
    agent.describe();
    const change = () => agent.reloadParameters({ pluginConfigs: { pick: { tools: ['echo', 'shout'] } } });
    expect(change).toThrow(ConfigError);
    expect(change).toThrow(/restart required/);
    expect(() => agent.reloadParameters({ pluginConfigs: { pick: { tools: ['echo'] } } })).not.toThrow();
  });
});

describe('Plugin.configure errors', () => {
  it('reports a ConfigError thrown by configure under the entry that configured it', () => {
    const base = pickTools();
    const failing = {
      ...base,
      configure: () => {
        throw new ConfigError([{ path: 'needs', message: 'no such resource kind', fix: 'name a resource' }]);
      },
    } as Plugin<never>;
    try {
      agentWith(failing, {});
      expect.unreachable('configure threw');
    } catch (error) {
      expect(ConfigError.isInstance(error)).toBe(true);
      expect((error as ConfigError).issues).toEqual([{ path: 'plugins.pick.config.needs', message: 'no such resource kind', fix: 'name a resource' }]);
    }
  });
});
