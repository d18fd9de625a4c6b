import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, ConfigError, defineResource, inMemoryLogger, inMemoryMemory, validateConfig } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type SdkAgent, startSdkAgent } from './sdk-agent.js';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const projectDir = join(packageDir, 'test', '.generated', 'yaml-project');

// A model that calls the `helper` tool once, then answers with what the tool returned.
const callingModel = defineResource({
  type: 'calling-model',
  packageName: '@entity/core',
  configSchema: z.object({}).strict(),
  create: () => scriptedLLM((request, index) => (index === 0 ? { toolCalls: [{ name: 'helper', arguments: { message: 'ping' } }] } : `tool said: ${JSON.stringify(request.messages.at(-1)!.content)}`)),
});
const quietLog = defineResource({ type: 'quiet-log', packageName: '@entity/core', configSchema: z.object({}).strict(), create: () => inMemoryLogger({ echoLevel: false }) });
const testMemory = defineResource({ type: 'test-memory', packageName: '@entity/core', configSchema: z.object({}).strict(), create: () => inMemoryMemory() });
const resourceTypes = [callingModel, quietLog, testMemory];

const AGENT_YAML = `name: yaml-caller
resources:
  llm: { type: calling-model }
  logging: { type: quiet-log }
  memory: { type: test-memory }
plugins:
  - use: '@entity/plugin-a2a'
    config:
      agents:
        - name: helper
          url: \${REMOTE_URL}
          description: Ask the helper agent
          headers: { authorization: 'Bearer \${REMOTE_TOKEN}' }
          timeoutMs: 5000
`;

function writeProjectFile(name: string, content: string): string {
  const file = join(projectDir, name);
  writeFileSync(file, content);
  return file;
}

let remote: SdkAgent;
beforeAll(async () => {
  remote = await startSdkAgent(({ text }) => ({ answer: `pong for ${text}` }));
  // The project installs the package as a user would: node_modules/@entity/plugin-a2a (its built dist).
  rmSync(projectDir, { recursive: true, force: true });
  mkdirSync(join(projectDir, 'node_modules', '@entity'), { recursive: true });
  symlinkSync(packageDir, join(projectDir, 'node_modules', '@entity', 'plugin-a2a'), 'dir');
});
afterAll(async () => {
  await remote.close();
  rmSync(projectDir, { recursive: true, force: true });
});

describe('agent.yaml: `use: @entity/plugin-a2a` with the remote agents under config.agents', () => {
  it('loads the plugin, offers one tool per agent and calls it in a turn', async () => {
    const file = writeProjectFile('agent.yaml', AGENT_YAML);
    const agent = await Agent.fromConfig(file, { resourceTypes, environment: { REMOTE_URL: remote.url, REMOTE_TOKEN: 'yaml-token' } });
    try {
      expect(agent.describe().tools).toEqual([{ name: 'helper', plugin: 'a2a', description: 'Ask the helper agent' }]);
      const result = await agent.chat('go');
      expect(result.info.toolCalls).toMatchObject([{ name: 'helper', success: true }]);
      expect(result.text).toContain('pong for ping');
      expect(remote.received.at(-1)!.headers.authorization).toBe('Bearer yaml-token');
    } finally {
      await agent.stop();
    }
  });

  it('a typo or a bad URL in the entry is a config error naming the path and the fix', async () => {
    const typo = AGENT_YAML.replace('timeoutMs: 5000', 'timeoutMS: 5000');
    const report = await validateConfig(writeProjectFile('typo.yaml', typo), { baseDir: projectDir, resourceTypes, environment: { REMOTE_URL: remote.url, REMOTE_TOKEN: 't' } });
    expect(report.ok).toBe(false);
    expect(report.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.stringContaining('agents.0.timeoutMS'), message: 'unknown key "timeoutMS"' })]));
    const file = writeProjectFile('bad-url.yaml', AGENT_YAML);
    const error = await Agent.fromConfig(file, { resourceTypes, environment: { REMOTE_URL: 'file:///etc/passwd', REMOTE_TOKEN: 't' } }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/agents\.0\.url: url must be an http:\/\/ or https:\/\/ URL/);
  });
});
