import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, ConfigError, defineResource, defineTool, inMemoryLogger, inMemoryMemory, inMemoryMetrics } from '@entity/core';
import { openai, resourceTypes } from '@entity/resources-llm';
import { startOpenAIServer } from '@entity/test-servers';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { planAndExecutePlugin, REACT_INSTRUCTION } from '../src/index.js';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const lookup = defineTool({ name: 'lookup', description: 'Looks a term up in the glossary', input: z.object({ term: z.string() }), execute: ({ term }) => `${term}: vector similarity search for Postgres` });

/** Memory and metrics kept in the process, selectable from YAML, so the test needs no other package built. */
const types = [
  ...resourceTypes,
  defineResource({ type: 'test-memory', packageName: '@entity/core', configSchema: z.object({}).strict(), create: () => inMemoryMemory() }),
  defineResource({ type: 'test-metrics', packageName: '@entity/core', configSchema: z.object({}).strict(), create: () => inMemoryMetrics() }),
];

type Body = { messages: { role: string; content?: unknown; tool_calls?: unknown[]; tool_call_id?: string }[]; tools?: { function: { name: string } }[]; tool_choice?: unknown };

describe('through the OpenAI wire format (loopback server, real openai SDK via @entity/resources-llm)', () => {
  let server: Awaited<ReturnType<typeof startOpenAIServer>>;
  let project: string;
  beforeAll(async () => {
    // agent.yaml loads the package as a user's project would: from its built files.
    if (!existsSync(join(packageDir, 'dist', 'index.js'))) throw new Error('Build the package first: pnpm turbo run build --filter=@entity/plugin-reasoning...');
    server = await startOpenAIServer({ apiKey: 'sk-test' });
    // A project folder that has the built package installed, as a user's would.
    project = mkdtempSync(join(tmpdir(), 'entity-reasoning-'));
    mkdirSync(join(project, 'node_modules', '@entity'), { recursive: true });
    symlinkSync(packageDir, join(project, 'node_modules', '@entity', 'plugin-reasoning'), 'dir');
  });
  afterAll(async () => {
    await server.close();
    rmSync(project, { recursive: true, force: true });
  });
  beforeEach(() => server.reset());

  const writeConfig = (reasoningConfig: string) => {
    const file = join(project, 'agent.yaml');
    writeFileSync(
      file,
      [
        'name: glossary',
        'instructions: Answer in one sentence.',
        'resources:',
        '  llm:',
        '    type: openai',
        '    model: gpt-4o-mini',
        '    baseURL: ${LLM_URL}',
        '    apiKey: sk-test',
        '  memory:',
        '    type: test-memory',
        '  metrics:',
        '    type: test-metrics',
        'plugins:',
        "  - use: '@entity/plugin-reasoning'",
        '    export: reActPlugin',
        '    config:',
        reasoningConfig,
        '',
      ].join('\n'),
    );
    return file;
  };

  it('runs ReAct configured in agent.yaml: native tool calls out, observations back, the step budget from YAML', async () => {
    const agent = await Agent.fromConfig(writeConfig('      maxSteps: 1'), { environment: { LLM_URL: server.baseURL }, resourceTypes: types });
    agent.tool(lookup);
    server.enqueue(
      { text: 'I will look it up.', toolCalls: [{ name: 'lookup', arguments: { term: 'pgvector' } }] },
      { text: 'pgvector adds vector similarity search to Postgres.' },
    );
    const result = await agent.chat('What is pgvector?');
    await agent.stop();
    expect(result.status).toBe('ok');
    expect(result.text).toBe('pgvector adds vector similarity search to Postgres.');
    const [first, second] = server.modelCalls.map((call) => call.body as Body);
    expect(first!.messages[0]).toEqual({ role: 'system', content: `Answer in one sentence.\n\n${REACT_INSTRUCTION}` });
    expect(first!.tools?.map((tool) => tool.function.name)).toEqual(['lookup']);
    // maxSteps: 1 — the turn after the only tool step must not call tools.
    expect(second!.tool_choice).toBe('none');
    expect(second!.messages.at(-1)).toMatchObject({ role: 'tool', content: 'pgvector: vector similarity search for Postgres' });
    expect(result.info.annotations?.['reasoning.react']).toMatchObject({ status: 'budget-exhausted', steps: [{ actions: [{ tool: 'lookup', ok: true }] }] });
    expect(result.info.usage.totalTokens).toBeGreaterThan(0);
  });

  it('rejects a misspelt setting in agent.yaml with its path', async () => {
    const error = await Agent.fromConfig(writeConfig('      maxStep: 3'), { environment: { LLM_URL: server.baseURL }, resourceTypes: types }).catch((caught: unknown) => caught);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).issues).toEqual([expect.objectContaining({ path: 'plugins.0 (reasoning:react).config.maxStep' })]);
  });

  it('runs PlanAndExecute against the provider: plan as JSON, parallel tool steps, synthesis', async () => {
    const agent = new Agent({
      resources: { llm: openai({ model: 'gpt-4o-mini', apiKey: 'sk-test', baseURL: server.baseURL }), memory: inMemoryMemory(), logging: inMemoryLogger({ echoLevel: false }) },
      tools: [lookup],
      zeroConfig: false,
    });
    agent.use(planAndExecutePlugin());
    server.enqueue(
      { text: JSON.stringify({ steps: [{ id: 'a', task: 'look up pgvector', tool: 'lookup', arguments: { term: 'pgvector' } }, { id: 'b', task: 'look up HNSW', tool: 'lookup', arguments: { term: 'HNSW' } }] }) },
      { text: 'Both are about vector search.' },
    );
    const result = await agent.chat('Compare pgvector and HNSW');
    await agent.stop();
    expect(result.text).toBe('Both are about vector search.');
    expect(server.modelCalls).toHaveLength(2);
    const synthesis = server.modelCalls[1]!.body as Body;
    expect(String(synthesis.messages[0]!.content)).toContain('- a (look up pgvector): pgvector: vector similarity search for Postgres');
    expect(result.info.annotations?.['reasoning.plan']).toMatchObject({ status: 'done', steps: [{ id: 'a', status: 'done' }, { id: 'b', status: 'done' }] });
  });
});
