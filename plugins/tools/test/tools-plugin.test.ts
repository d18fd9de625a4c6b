import { Agent, inMemoryLogger, inMemoryMemory, type Plugin, validateConfig } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { inMemoryStorage } from '@entity/resources-storage';
import { describe, expect, it } from 'vitest';
import { toolsPlugin } from '../src/index.js';

const agentWith = (config: unknown, storage = false) =>
  new Agent({
    resources: { llm: scriptedLLM(['ok']), memory: inMemoryMemory(), logging: inMemoryLogger({ echoLevel: false }), ...(storage ? { storage: inMemoryStorage() } : {}) },
    plugins: [{ plugin: toolsPlugin() as Plugin<never>, config }],
    zeroConfig: false,
  });

const toolNames = (agent: Agent) => agent.describe().tools.map((tool) => tool.name);

describe('toolsPlugin config', () => {
  it('registers calculator and current_time by default, and only the tools the config names', () => {
    expect(toolNames(agentWith(undefined))).toEqual(['calculator', 'current_time']);
    expect(toolNames(agentWith({ tools: ['calculator'] }))).toEqual(['calculator']);
    expect(toolNames(agentWith({ tools: ['fetch'], fetch: { allowHosts: ['api.example.com'] } }))).toEqual(['fetch_url']);
    expect(toolNames(agentWith({ tools: ['files'] }, true))).toEqual(['read_file', 'write_file', 'list_files']);
    expect(toolNames(agentWith({ tools: ['files'], files: { readOnly: true } }, true))).toEqual(['read_file', 'list_files']);
  });

  it('depends on the storage resource only when files is chosen', async () => {
    const plugin = (agent: Agent) => agent.describe().stages.flatMap((stage) => stage.plugins).find((candidate) => candidate.name === 'tools');
    expect(plugin(agentWith({ tools: ['files'] }))).toMatchObject({ kind: 'tool', dependencies: ['storage'] });
    expect(plugin(agentWith({ tools: ['files'], files: { resource: 'documents' } }))).toMatchObject({ dependencies: ['documents'] });
    expect(plugin(agentWith({ tools: ['calculator'] }))).toMatchObject({ dependencies: [] });
    await expect(agentWith({ tools: ['files'] }).chat('hi')).rejects.toThrow(/storage/);
    const calculatorOnly = agentWith({ tools: ['calculator'] });
    expect((await calculatorOnly.chat('hi')).response).toBe('ok');
    await calculatorOnly.stop();
  });

  it.each([
    [{ tool: ['calculator'] }, 'plugins.0 (tools).config.tool', /did you mean "tools"\?/],
    [{ tools: ['calculator', 'clock'] }, 'plugins.0 (tools).config.tools.1', /use one of: calculator, time, fetch, files/],
    [{ tools: [] }, 'plugins.0 (tools).config.tools', /./],
    [{ tools: ['calculator', 'calculator'] }, 'plugins.0 (tools).config.tools', /listed twice/],
    [{ tools: ['fetch'] }, 'plugins.0 (tools).config.fetch', /needs fetch\.allowHosts/],
    [{ tools: ['fetch'], fetch: { allowHosts: [] } }, 'plugins.0 (tools).config.fetch.allowHosts', /list at least one host/],
    [{ tools: ['fetch'], fetch: { allowHost: ['a.test'] } }, 'plugins.0 (tools).config.fetch.allowHost', /did you mean "allowHosts"\?/],
    [{ tools: ['fetch'], fetch: { allowHosts: ['https://a.test'] } }, 'plugins.0 (tools).config.fetch.allowHosts.0', /without "http:\/\/"/],
    [{ tools: ['fetch'], fetch: { allowHosts: ['a.test'], maxBytes: '2 TB' } }, 'plugins.0 (tools).config.fetch.maxBytes', /not a size/],
    [{ tools: ['fetch'], fetch: { allowHosts: ['a.test'], maxBytes: '1 GB' } }, 'plugins.0 (tools).config.fetch.maxBytes', /more than the 52428800-byte limit/],
    [{ tools: ['fetch'], fetch: { allowHosts: ['a.test'], timeoutMs: 0 } }, 'plugins.0 (tools).config.fetch.timeoutMs', /./],
    [{ tools: ['fetch'], fetch: { allowHosts: ['a.test'], allowPrivateAddresses: ['localhost'] } }, 'plugins.0 (tools).config.fetch.allowPrivateAddresses.0', /not an IP address or CIDR/],
    [{ tools: ['calculator'], fetch: { allowHosts: ['a.test'] } }, 'plugins.0 (tools).config.fetch', /"fetch" is not in tools/],
    [{ tools: ['time'], time: { defaultTimeZone: 'Europe/Pariss' } }, 'plugins.0 (tools).config.time.defaultTimeZone', /did you mean "Europe\/Paris"/],
    [{ tools: ['files'], files: { readonly: true } }, 'plugins.0 (tools).config.files.readonly', /did you mean "readOnly"\?/],
    [{ tools: ['calculator'], calculator: { maxLength: -1 } }, 'plugins.0 (tools).config.calculator.maxLength', /./],
    [{ tools: ['files'], files: { scope: { folder: '../outside' } } }, 'plugins.0 (tools).config.files.scope.folder', /is not a safe folder/],
    [{ tools: ['files'], files: { quota: { maxBytes: 'lots' } } }, 'plugins.0 (tools).config.files.quota.maxBytes', /is not a size/],
  ])('reports %j at its path with a fix', async (config, path, text) => {
    const report = await validateConfig({ plugins: [{ use: './tools.mjs', config }] }, { baseDir: `${import.meta.dirname}/fixtures` });
    expect(report.ok).toBe(false);
    const issue = report.issues.find((candidate) => candidate.path === path);
    expect(issue, JSON.stringify(report.issues)).toBeDefined();
    expect(`${issue!.message} ${issue!.fix}`).toMatch(text);
  });
});
