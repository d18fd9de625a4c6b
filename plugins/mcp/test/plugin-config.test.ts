import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, ConfigError, defineResource, inMemoryLogger, inMemoryMemory } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { z } from 'zod';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLE_SERVER } from './helpers.js';

// A project with the package installed (linked to this one's build), where agent.yaml's `use:` finds it by name.
const PACKAGE_DIR = mkdtempSync(join(tmpdir(), 'entity-mcp-project-'));
mkdirSync(join(PACKAGE_DIR, 'node_modules', '@entity'), { recursive: true });
symlinkSync(fileURLToPath(new URL('..', import.meta.url)), join(PACKAGE_DIR, 'node_modules', '@entity', 'plugin-mcp'));
afterAll(() => rmSync(PACKAGE_DIR, { recursive: true, force: true }));

// The model, memory and logger the config names, in process (no Ollama, no PGlite here).
const resourceTypes = [
  defineResource({ type: 'scripted', packageName: 'test', configSchema: z.object({}).strict(), create: () => scriptedLLM(['ok']) }),
  defineResource({ type: 'in-memory', packageName: 'test', configSchema: z.object({}).strict(), create: () => inMemoryMemory() }),
  defineResource({ type: 'quiet', packageName: 'test', configSchema: z.object({}).strict(), create: () => inMemoryLogger({ echoLevel: false }) }),
];
const options = { baseDir: PACKAGE_DIR, resourceTypes };

const config = (server: Record<string, unknown>) => ({
  resources: { llm: { type: 'scripted' }, memory: { type: 'in-memory' }, logging: { type: 'quiet' } },
  plugins: [{ use: '@entity/plugin-mcp', config: { servers: { example: { command: process.execPath, args: [EXAMPLE_SERVER], ...server } } } }],
});

describe('@entity/plugin-mcp from agent.yaml', () => {
  it('registers exactly the allowed tools of each server, and they work', async () => {
    const agent = await Agent.fromConfig(config({ allow: ['echo'] }), options);
    try {
      expect(agent.discoverTools()).toEqual([expect.objectContaining({ name: 'echo', plugin: 'mcp' })]);
      expect(await agent.callTool('echo', { text: 'from yaml' })).toMatchObject({ ok: true, value: 'from yaml' });
    } finally {
      await agent.stop();
    }
  });

  it('rejects a misspelt key with its path and the key meant', async () => {
    const error = await Agent.fromConfig(config({ allow: ['echo'], timeoutMS: 5 }), options).catch((caught: unknown) => caught);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).issues).toEqual([expect.objectContaining({ path: 'plugins.0 (mcp).config.servers.example.timeoutMS', fix: 'did you mean "timeoutMs"?' })]);
  });

  it('rejects a server without an allow-list', async () => {
    const error = await Agent.fromConfig(config({}), options).catch((caught: unknown) => caught);
    expect((error as ConfigError).issues).toEqual([expect.objectContaining({ path: 'plugins.0 (mcp).config.servers.example.allow' })]);
  });
});
