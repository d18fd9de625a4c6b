import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent, ConfigError, definePlugin, defineTool, inMemoryLogger, inMemoryMemory, inMemoryMetrics, type Plugin } from '../src/index.js';
import { scriptedLLM } from '../src/testing/index.js';

const resources = () => ({ llm: scriptedLLM(['ok']), memory: inMemoryMemory(), logging: inMemoryLogger({ echoLevel: false }) });

const echo = defineTool({ name: 'echo', description: 'Echo', input: z.object({ text: z.string() }), execute: ({ text }, context) => `${context.userId}:${text}` });

/** A plugin whose tools come from its config, as an allow-list in agent.yaml would give them. */
const allowListPlugin = (): Plugin<{ allow: string[] }> =>
  definePlugin({
    name: 'allow-list',
    kind: 'tool',
    config: z.object({ allow: z.array(z.string()) }),
    configure: (config) => ({ ...allowListPlugin(), tools: config.allow.map((name) => defineTool({ name, description: `tool ${name}`, input: z.object({}), execute: () => name })) }),
  });

describe('tools from config', () => {
  it('registers the tools a plugin builds from its parsed config, and only those', async () => {
    const agent = new Agent({ resources: resources(), zeroConfig: false });
    agent.use(allowListPlugin(), { config: { allow: ['one', 'two'] } });
    expect(agent.discoverTools().map((tool) => tool.name)).toEqual(['one', 'two']);
    expect(agent.describe().tools).toEqual([expect.objectContaining({ name: 'one', plugin: 'allow-list' }), expect.objectContaining({ name: 'two', plugin: 'allow-list' })]);
    expect(await agent.callTool('two', {})).toMatchObject({ ok: true, value: 'two' });
    expect(await agent.callTool('three', {})).toMatchObject({ ok: false, error: { code: 'TOOL_NOT_FOUND' } });
    await agent.stop();
  });

  it('loads them from a config file entry', async () => {
    const agent = await Agent.fromConfig(
      { plugins: [{ use: './allow-list-plugin.mjs', config: { allow: ['from_yaml'] } }], resources: {} },
      { baseDir: new URL('./fixtures-tools-from-config', import.meta.url).pathname },
    );
    expect(agent.discoverTools().map((tool) => tool.name)).toEqual(['from_yaml']);
  });

  it('refuses a hot reload that would change them: that is a restart', () => {
    const agent = new Agent({ resources: resources(), zeroConfig: false });
    agent.use(allowListPlugin(), { config: { allow: ['one'] } });
    expect(() => agent.reloadParameters({ pluginConfigs: { 'allow-list': { allow: ['one', 'two'] } } })).toThrow(ConfigError);
    expect(() => agent.reloadParameters({ pluginConfigs: { 'allow-list': { allow: ['one'] } } })).not.toThrow();
  });
});

describe('agent.callTool', () => {
  it('runs a tool through the runner: validated, recorded in metrics, failures as values', async () => {
    const metrics = inMemoryMetrics();
    const agent = new Agent({ resources: { ...resources(), metrics }, tools: [echo], zeroConfig: false });
    expect(await agent.callTool('echo', { text: 'hi' }, { userId: 'alice' })).toMatchObject({ ok: true, value: 'alice:hi' });
    expect(await agent.callTool('echo', { text: 5 })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENTS' } });
    const toolOperations = metrics.resourceOperations.filter((operation) => operation.resource === 'tool:echo');
    expect(toolOperations.map((operation) => operation.success)).toEqual([true, false]);
    await expect(agent.callTool('echo', { text: 'x' }, { userId: 'not valid!' })).rejects.toThrow(/userId "not valid!" is invalid/);
    await agent.stop();
  });

  it('rejects when its signal aborts', async () => {
    const slow = defineTool({ name: 'slow', description: 'Slow', input: z.object({}), execute: (_args, context) => new Promise((_resolve, reject) => context.signal.addEventListener('abort', () => reject(context.signal.reason))) });
    const agent = new Agent({ resources: resources(), tools: [slow], zeroConfig: false });
    const controller = new AbortController();
    const call = agent.callTool('slow', {}, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(call).rejects.toThrow();
    await agent.stop();
  });
});
