import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, type ChatRequest, defineResource, inMemoryLogger, inMemoryMemory, inMemoryMetrics, type LLM, type Memory } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { WORKING_MEMORY_KEY, WORKING_MEMORY_TOOL, workingMemory } from '../src/index.js';

const quiet = () => inMemoryLogger({ echoLevel: false });
const systemOf = (request: ChatRequest) => (request.messages[0]?.role === 'system' ? request.messages[0].content : '');
const profile = z.object({ name: z.string(), timezone: z.string(), interests: z.array(z.string()) });

/** A model that calls the tool with `args` on the first call of each turn, then answers. */
function modelUpdating(args: unknown) {
  return scriptedLLM((request) => (request.messages.at(-1)!.role === 'user' ? { toolCalls: [{ name: WORKING_MEMORY_TOOL, arguments: args }] } : 'noted'));
}

describe('memory:working-memory', () => {
  it('the model updates a typed record through the tool; the next conversation sees it in the system prompt', async () => {
    const memory = inMemoryMemory();
    const llm = modelUpdating({ set: { name: 'Ada', interests: ['chess', 'tea'] } });
    const agent = new Agent({ resources: { llm, memory, logging: quiet() }, zeroConfig: false, plugins: [workingMemory({ schema: profile })] });
    const first = await agent.chat('I am Ada, I like chess and tea', { userId: 'ada', conversationId: 'one' });
    expect(first.info.toolCalls).toEqual([expect.objectContaining({ name: WORKING_MEMORY_TOOL, success: true })]);
    expect(await memory.get('ada', WORKING_MEMORY_KEY)).toEqual({ name: 'Ada', interests: ['chess', 'tea'] });
    expect(systemOf(llm.requests[0]!)).toContain('(nothing yet)');
    // The tool's JSON Schema tells the model the typed fields.
    const parameters = JSON.stringify(llm.requests[0]!.tools!.find((tool) => tool.name === WORKING_MEMORY_TOOL)!.parameters);
    expect(parameters).toContain('"timezone"');

    const reader = scriptedLLM(['hello Ada']);
    const again = new Agent({ resources: { llm: reader, memory, logging: quiet() }, zeroConfig: false, plugins: [workingMemory({ schema: profile })] });
    await again.chat('hi', { userId: 'ada', conversationId: 'two' });
    expect(systemOf(reader.requests[0]!)).toContain('"name": "Ada"');
    // Another user sees nothing of Ada's record.
    await again.chat('hi', { userId: 'bob', conversationId: 'three' });
    expect(systemOf(reader.requests[1]!)).not.toContain('Ada');
  });

  it('a wrong type or an unknown field comes back to the model as a tool error and changes nothing', async () => {
    const memory = inMemoryMemory();
    await memory.set('ada', WORKING_MEMORY_KEY, { name: 'Ada' });
    for (const args of [{ set: { name: 42 } }, { set: { nickname: 'A' } }, {}]) {
      const agent = new Agent({ resources: { llm: modelUpdating(args), memory, logging: quiet() }, zeroConfig: false, plugins: [workingMemory({ schema: profile })] });
      const result = await agent.chat('x', { userId: 'ada', conversationId: 'c' });
      expect(result.info.toolCalls[0]).toMatchObject({ success: false });
      expect(await memory.get('ada', WORKING_MEMORY_KEY)).toEqual({ name: 'Ada' });
    }
  });

  it('refuses an update past maxBytes and clears fields on request', async () => {
    const memory = inMemoryMemory();
    const big = new Agent({ resources: { llm: modelUpdating({ set: { interests: Array.from({ length: 50 }, (_, i) => `interest number ${i}`) } }), memory, logging: quiet() }, zeroConfig: false, plugins: [workingMemory({ schema: profile, maxBytes: 300 })] });
    const refused = await big.chat('x', { userId: 'ada', conversationId: 'c' });
    expect(refused.info.toolCalls[0]).toMatchObject({ success: false });
    expect(await memory.get('ada', WORKING_MEMORY_KEY)).toBeUndefined();

    await memory.set('ada', WORKING_MEMORY_KEY, { name: 'Ada', timezone: 'Europe/London' });
    const clearing = new Agent({ resources: { llm: modelUpdating({ clear: ['timezone'] }), memory, logging: quiet() }, zeroConfig: false, plugins: [workingMemory({ schema: profile })] });
    await clearing.chat('forget my timezone', { userId: 'ada', conversationId: 'c' });
    expect(await memory.get('ada', WORKING_MEMORY_KEY)).toEqual({ name: 'Ada' });
  });
});

describe('concurrent working-memory updates', () => {
  it('two updates the model asks for in one reply (run in parallel) both land', async () => {
    const memory = inMemoryMemory();
    const llm = scriptedLLM((request) =>
      request.messages.at(-1)!.role === 'user'
        ? {
            toolCalls: [
              { name: WORKING_MEMORY_TOOL, arguments: { set: { name: 'Ada' } } },
              { name: WORKING_MEMORY_TOOL, arguments: { set: { timezone: 'Europe/London' } } },
            ],
          }
        : 'noted',
    );
    const agent = new Agent({ resources: { llm, memory, logging: quiet() }, zeroConfig: false, plugins: [workingMemory({ schema: profile })] });
    const result = await agent.chat('I am Ada, in London', { userId: 'ada', conversationId: 'c' });
    expect(result.info.toolCalls.map((call) => call.success)).toEqual([true, true]);
    expect(await memory.get('ada', WORKING_MEMORY_KEY)).toEqual({ name: 'Ada', timezone: 'Europe/London' });
  });

  it('concurrent turns of one user on one agent do not lose an update', async () => {
    const memory = inMemoryMemory();
    const llm = scriptedLLM((request) => {
      const last = request.messages.at(-1)!;
      if (last.role !== 'user') return 'noted';
      const [field, value] = last.content.split('=') as [string, string];
      return { toolCalls: [{ name: WORKING_MEMORY_TOOL, arguments: { set: { [field]: value } } }] };
    });
    const agent = new Agent({ resources: { llm, memory, logging: quiet() }, zeroConfig: false, plugins: [workingMemory({ schema: profile })] });
    await Promise.all([agent.chat('name=Ada', { userId: 'ada', conversationId: 'a' }), agent.chat('timezone=UTC', { userId: 'ada', conversationId: 'b' })]);
    expect(await memory.get('ada', WORKING_MEMORY_KEY)).toEqual({ name: 'Ada', timezone: 'UTC' });
  });
});

describe('working memory from agent.yaml', () => {
  // A project folder whose node_modules holds this package, as an installed project's would.
  const base = join(import.meta.dirname, '..', 'test-results');
  mkdirSync(base, { recursive: true });
  const folder = mkdtempSync(join(base, 'yaml-'));
  mkdirSync(join(folder, 'node_modules', '@entity'), { recursive: true });
  symlinkSync(join(import.meta.dirname, '..'), join(folder, 'node_modules', '@entity', 'plugin-memory'), 'dir');
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  // YAML cannot hold a scripted model or a shared memory: test resource types provide them.
  const memory = inMemoryMemory();
  const llm = modelUpdating({ set: { city: 'Lyon', age: 36 } });
  const resourceTypes = [
    defineResource({ type: 'test-llm', packageName: '@entity/core', configSchema: z.object({}).strict(), create: () => llm as LLM }),
    defineResource({ type: 'test-memory', packageName: '@entity/core', configSchema: z.object({}).strict(), create: () => memory as Memory }),
    defineResource({ type: 'test-metrics', packageName: '@entity/core', configSchema: z.object({}).strict(), create: () => inMemoryMetrics() }),
    defineResource({ type: 'quiet-log', packageName: '@entity/core', configSchema: z.object({}).strict(), create: () => quiet() }),
  ];
  const resourcesYaml = ['resources:', '  llm: { type: test-llm }', '  memory: { type: test-memory }', '  logging: { type: quiet-log }', '  metrics: { type: test-metrics }'];

  it('declares the fields in YAML; the tool schema and validation follow them', async () => {
    writeFileSync(
      join(folder, 'agent.yaml'),
      ['name: yaml-agent', ...resourcesYaml, 'plugins:', "  - use: '@entity/plugin-memory'", '    export: workingMemoryPlugin', '    config:', '      fields: { city: string, age: number }', ''].join('\n'),
    );
    const agent = await Agent.fromConfig(join(folder, 'agent.yaml'), { resourceTypes });
    const result = await agent.chat('I live in Lyon and I am 36', { userId: 'u', conversationId: 'c' });
    expect(result.info.toolCalls[0]).toMatchObject({ success: true });
    expect(await memory.get('u', WORKING_MEMORY_KEY)).toEqual({ city: 'Lyon', age: 36 });
    const parameters = JSON.stringify(llm.requests[0]!.tools!.find((tool) => tool.name === WORKING_MEMORY_TOOL)!.parameters);
    expect(parameters).toContain('"city"');
    expect(parameters).not.toContain('"facts"');
    await agent.stop();
  });

  it('rejects an unknown field type with the choices', async () => {
    writeFileSync(
      join(folder, 'bad.yaml'),
      ['name: yaml-agent', ...resourcesYaml, 'plugins:', "  - use: '@entity/plugin-memory'", '    export: workingMemoryPlugin', '    config:', '      fields: { city: text }', ''].join('\n'),
    );
    await expect(Agent.fromConfig(join(folder, 'bad.yaml'), { resourceTypes })).rejects.toThrow(/fields\.city[\s\S]*string/);
  });
});
