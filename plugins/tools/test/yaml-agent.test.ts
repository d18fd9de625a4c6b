import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, defineResource, inMemoryMemory, type Storage } from '@entity/core';
import { type LoopbackServer, type RecordedRequest, type ScriptedReply, startOpenAIServer } from '@entity/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startWebServer, type WebServer } from './web-server.js';

// A user's project as `entity init` makes it: agent.yaml names `@entity/plugin-tools` and its
// config, no TypeScript. The model is the loopback OpenAI server, driven through the official SDK.

const packageDir = join(import.meta.dirname, '..');
const workspace = join(packageDir, '..', '..');

// Conversation memory is not what this test is about: an in-process one keeps the embedded
// database (zero-config memory) from starting on a shared, busy machine.
const testMemory = defineResource({ type: 'test-memory', packageName: '@entity/core', configSchema: z.object({}).strict(), create: () => inMemoryMemory() });
const options = () => ({ environment: { MODEL_URL: model.baseURL }, resourceTypes: [testMemory] });

let model: LoopbackServer & { baseURL: string };
let web: WebServer;
let project: string;

type Message = { role: string; content?: unknown; tool_call_id?: string };
const toolMessages = (request: RecordedRequest) => ((request.body as { messages?: Message[] }).messages ?? []).filter((message) => message.role === 'tool');

beforeAll(async () => {
  model = await startOpenAIServer();
  web = await startWebServer({ '/weather': (_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end('Sunny, 21 degrees') });
  project = await mkdtemp(join(tmpdir(), 'entity-tools-yaml-'));
  // The project's node_modules holds the packages it "installed": links to this workspace's builds.
  await mkdir(join(project, 'node_modules', '@entity'), { recursive: true });
  for (const [name, dir] of [
    ['plugin-tools', packageDir],
    ['resources-llm', join(workspace, 'packages', 'resources-llm')],
    ['resources-storage', join(workspace, 'packages', 'resources-storage')],
  ] as const) {
    await symlink(dir, join(project, 'node_modules', '@entity', name), 'dir');
  }
  await writeFile(
    join(project, 'agent.yaml'),
    [
      'instructions: You are a research assistant.',
      'resources:',
      '  llm: { type: openai, model: gpt-4o-mini, apiKey: test-key, baseURL: "${MODEL_URL}" }',
      '  storage: { type: memory }',
      '  memory: { type: test-memory }',
      'plugins:',
      "  - use: '@entity/plugin-tools'",
      '    config:',
      '      tools: [calculator, time, fetch, files]',
      '      time: { defaultTimeZone: Europe/Paris }',
      '      fetch:',
      '        allowHosts: [127.0.0.1]',
      '        allowPrivateAddresses: [127.0.0.1]   # the test server; never set this for a real agent',
      '        maxBytes: 64 KB',
      '        timeoutMs: 5000',
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await model?.close();
  await web?.close();
  if (project) await rm(project, { recursive: true, force: true });
});

describe('an agent.yaml using @entity/plugin-tools', () => {
  it('runs a full turn: the model calls each tool, gets the results and answers', async () => {
    const weatherUrl = `${web.origin}/weather`;
    model.respondWith((request) => {
      const results = toolMessages(request);
      if (results.length === 0) {
        return {
          toolCalls: [
            { id: 'call_calc', name: 'calculator', arguments: { expression: '(17 + 25) * 2' } },
            { id: 'call_time', name: 'current_time', arguments: {} },
            { id: 'call_fetch', name: 'fetch_url', arguments: { url: weatherUrl } },
            { id: 'call_meta', name: 'fetch_url', arguments: { url: 'http://169.254.169.254/latest/meta-data/' } },
            { id: 'call_write', name: 'write_file', arguments: { path: 'notes/answer.md', content: '# 84' } },
          ],
        } satisfies ScriptedReply;
      }
      return { text: `Done: ${results.map((message) => message.tool_call_id).join(', ')}` };
    });
    const agent = await Agent.fromConfig(join(project, 'agent.yaml'), options());
    try {
      expect(agent.describe().tools.map((tool) => tool.name)).toEqual(['calculator', 'current_time', 'fetch_url', 'read_file', 'write_file', 'list_files']);
      const result = await agent.chat('What is (17 + 25) * 2, what time is it, and what is the weather?', { userId: 'ada' });
      expect(result.status).toBe('ok');
      expect(result.response).toBe('Done: call_calc, call_time, call_fetch, call_meta, call_write');

      // What the model was shown: the tools' JSON Schemas, then each result (or the refusal).
      const [first, second] = model.modelCalls;
      const offered = (first!.body as { tools: { function: { name: string; parameters: unknown } }[] }).tools;
      expect(offered.find((tool) => tool.function.name === 'calculator')?.function.parameters).toMatchObject({ properties: { expression: { type: 'string' } }, required: ['expression'] });
      const byId = Object.fromEntries(toolMessages(second!).map((message) => [message.tool_call_id, String(message.content)]));
      expect(JSON.parse(byId.call_calc!)).toEqual({ expression: '(17 + 25) * 2', result: 84 });
      expect(JSON.parse(byId.call_time!)).toMatchObject({ timeZone: 'Europe/Paris', iso: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/) });
      expect(JSON.parse(byId.call_fetch!)).toMatchObject({ status: 200, text: 'Sunny, 21 degrees' });
      expect(byId.call_meta).toMatch(/The host "169\.254\.169\.254" is not in this agent's allowed hosts \(127\.0\.0\.1\)/);
      expect(JSON.parse(byId.call_write!)).toMatchObject({ path: 'notes/answer.md', saved: true });

      // The calls run in parallel; the records come in the order they finished.
      const calls = result.info.toolCalls.map((call) => [call.name, call.success, call.code ?? null]);
      expect(calls.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
        ['calculator', true, null],
        ['current_time', true, null],
        ['fetch_url', false, 'FETCH_REFUSED'],
        ['fetch_url', true, null],
        ['write_file', true, null],
      ]);
      expect(web.connections).toBe(1);
      const storage = agent.resource<Storage>('storage');
      expect((await storage.list('')).items.map((item) => item.key)).toEqual(['users/ada/notes/answer.md']);
    } finally {
      await agent.stop();
    }
  });

  it('refuses a config change of the tools on reload: they were built from the old config', async () => {
    const agent = await Agent.fromConfig(join(project, 'agent.yaml'), options());
    try {
      model.respondWith({ text: 'hi' });
      await agent.chat('hi');
      const yaml = (hosts: string) =>
        `resources:\n  llm: { type: openai, model: gpt-4o-mini, apiKey: test-key, baseURL: "${model.baseURL}" }\n  storage: { type: memory }\n  memory: { type: test-memory }\ninstructions: You are a research assistant.\nplugins:\n  - use: '@entity/plugin-tools'\n    config:\n      tools: [calculator, time, fetch, files]\n      time: { defaultTimeZone: Europe/Paris }\n      fetch: { allowHosts: [${hosts}], allowPrivateAddresses: [127.0.0.1], maxBytes: 64 KB, timeoutMs: 5000 }\n`;
      await writeFile(join(project, 'changed.yaml'), yaml('127.0.0.1, example.com'));
      await expect(agent.reload(join(project, 'changed.yaml'))).rejects.toThrow(/restart required/);
      await writeFile(join(project, 'same.yaml'), yaml('127.0.0.1'));
      await expect(agent.reload(join(project, 'same.yaml'))).resolves.toEqual([]);
    } finally {
      await agent.stop();
    }
  });
});
