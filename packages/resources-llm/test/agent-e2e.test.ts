import {
  Agent,
  type AgentEvent,
  defineTool,
  type InstrumentationProvider,
  inMemoryMemory,
  type OperationEnd,
  type OperationStart,
  type Resource,
} from '@entity/core';
import { type LoopbackServer, type RecordedRequest, startOllamaServer, startOpenAIServer } from '@entity/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Case, cases } from './provider-cases.js';

// The default chat workflow of @entity/core end to end, against each provider's wire format:
// the model asks for `add`, the engine runs it, the model answers from the tool's result.

/** A scripted model that calls `add` first, then answers with whatever the tool returned. */
function arithmeticModel(testCase: Case) {
  return (request: RecordedRequest) => {
    const result = testCase.toolResult(request);
    if (result === undefined) return { toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }], usage: { inputTokens: 20, outputTokens: 10 } };
    return { text: `2 + 3 = ${result}`, usage: { inputTokens: 30, outputTokens: 6 } };
  };
}

describe.each(cases)('Agent default workflow over $name', (testCase) => {
  let server: LoopbackServer;
  let agent: Agent;
  const added: Array<{ a: number; b: number }> = [];
  const observed: Array<{ operation: OperationStart; end: OperationEnd }> = [];
  // An observer resource: the engine attaches any resource exposing `instrumentation`.
  const observer: Resource & InstrumentationProvider = {
    instrumentation: {
      start: (operation: OperationStart) => (end: OperationEnd) => {
        observed.push({ operation, end });
      },
    },
  };
  beforeAll(async () => {
    server = await testCase.start();
    server.respondWith(arithmeticModel(testCase));
    agent = new Agent({ resources: { llm: testCase.create(server), memory: inMemoryMemory(), observer }, maxIterations: 5, zeroConfig: false });
    agent.tool(
      defineTool({
        name: 'add',
        description: 'Add two numbers',
        input: z.object({ a: z.number(), b: z.number() }),
        execute: ({ a, b }) => {
          added.push({ a, b });
          return a + b;
        },
      }),
    );
    await agent.start();
  });
  afterAll(async () => {
    await agent.stop();
    await server.close();
  });

  it('answers "What is 2+3?" through a tool call, the tool result, then the final answer', async () => {
    const before = server.modelCalls.length;
    const result = await agent.chat('What is 2+3?', { userId: 'u1', conversationId: `c-${testCase.name}` });
    expect(result.text).toBe('2 + 3 = 5');
    expect(added).toContainEqual({ a: 2, b: 3 });
    expect(result.info.toolCalls).toHaveLength(1);
    expect(result.info.toolCalls[0]).toMatchObject({ name: 'add', arguments: { a: 2, b: 3 }, success: true });
    expect(result.info.usage).toMatchObject({ inputTokens: 50, outputTokens: 16, totalTokens: 66 });
    const calls = server.modelCalls.slice(before);
    expect(calls).toHaveLength(2);
    expect(JSON.stringify(calls[0]?.body)).toContain('What is 2+3?');
    expect(testCase.toolResult(calls[1] as RecordedRequest)).toBe('5');

    // Each model call reached the engine's instrumentation with model, provider and tokens.
    const llmCalls = observed.filter(({ operation }) => operation.kind === 'resource' && operation.name === 'llm');
    expect(llmCalls.length).toBeGreaterThanOrEqual(2);
    expect(llmCalls.at(-1)?.end).toMatchObject({ success: true, attributes: { provider: testCase.name, inputTokens: 30, outputTokens: 6 } });
    expect(llmCalls.at(-1)?.end.attributes?.model).toBeTypeOf('string');
  });

  it('streams the same turn as agent events: tool call, tool result, tokens, response', async () => {
    const events: AgentEvent[] = [];
    for await (const event of agent.stream('What is 2+3?', { userId: 'u1', conversationId: `s-${testCase.name}` })) events.push(event);
    const types = events.map((event) => event.type);
    expect(types).toContain('tool-call');
    expect(events.find((event) => event.type === 'tool-result')).toMatchObject({ name: 'add', ok: true, value: 5 });
    const tokens = events.flatMap((event) => (event.type === 'token' ? [event.text] : []));
    expect(tokens.join('')).toBe('2 + 3 = 5');
    expect(types.indexOf('tool-result')).toBeLessThan(types.indexOf('token'));
    expect(events.find((event) => event.type === 'response')).toMatchObject({ text: '2 + 3 = 5' });
    expect(types.at(-1)).toBe('done');
  });
});

describe('Agent from YAML-shaped config', () => {
  let ollamaServer: LoopbackServer;
  let openaiServer: LoopbackServer & { baseURL: string };
  beforeAll(async () => {
    [ollamaServer, openaiServer] = await Promise.all([startOllamaServer(), startOpenAIServer()]);
  });
  afterAll(() => Promise.all([ollamaServer.close(), openaiServer.close()]));

  it('builds a fallback chain from `type:` entries and answers through the secondary when the primary is down', async () => {
    const { resourceTypes } = await import('../src/index.js');
    openaiServer.respondWith({ error: { status: 503 } });
    ollamaServer.respondWith(arithmeticModel(cases[2] as Case));
    const agent = await Agent.fromConfig(
      {
        resources: {
          llm: {
            type: 'fallback',
            providers: [
              { type: 'openai', model: 'gpt-4o-mini', apiKey: '${TEST_OPENAI_KEY}', baseURL: '${TEST_OPENAI_URL}', retries: 0 },
              { type: 'ollama', model: 'llama3.2:3b', host: '${TEST_OLLAMA_HOST}' },
            ],
          },
        },
      },
      { resourceTypes, environment: { TEST_OPENAI_KEY: 'k', TEST_OPENAI_URL: openaiServer.baseURL, TEST_OLLAMA_HOST: ollamaServer.origin } },
    );
    agent.tool(defineTool({ name: 'add', description: 'Add two numbers', input: z.object({ a: z.number(), b: z.number() }), execute: ({ a, b }) => a + b }));
    await agent.start();
    try {
      const result = await agent.chat('What is 2+3?', { userId: 'u2' });
      expect(result.text).toBe('2 + 3 = 5');
      expect(openaiServer.modelCalls.length).toBeGreaterThan(0);
    } finally {
      await agent.stop();
    }
  });

  it('rejects a misspelt provider setting with its path', async () => {
    const { resourceTypes } = await import('../src/index.js');
    const error = await Agent.fromConfig({ resources: { llm: { type: 'ollama', model: 'llama3.2:3b', temprature: 0.2 } } }, { resourceTypes }).catch((caught: unknown) => caught);
    expect((error as Error).message).toContain('resources.llm');
    expect((error as Error).message).toContain('temprature');
  });
});
