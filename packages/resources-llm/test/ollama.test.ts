import { ResourceError } from '@entity/core';
import { type OllamaTestServer, startOllamaServer } from '@entity/test-servers';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ollama } from '../src/index.js';
import { addTool, collect, describeLLMProvider, sentBody } from './llm-conformance.js';

describeLLMProvider({
  name: 'ollama',
  model: 'llama3.2:3b',
  priced: false,
  embeddings: true,
  exposesRetryAfter: false,
  serverErrorStatus: 500,
  checksToolPairing: false,
  start: () => startOllamaServer(),
  create: (server, options) => ollama({ model: 'llama3.2:3b', host: (server as OllamaTestServer).host, ...options }),
});

describe('ollama wire format', () => {
  let server: OllamaTestServer;
  beforeAll(async () => {
    server = await startOllamaServer();
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.reset();
    server.models = ['llama3.2:3b', 'nomic-embed-text'];
  });

  const create = (options: Partial<Parameters<typeof ollama>[0]> = {}) => ollama({ model: 'llama3.2:3b', host: server.host, retry: false, ...options });

  it('sends tool calls as objects, tool results with tool_name, and options', async () => {
    await create({ keepAlive: '10m' }).chat({
      messages: [
        { role: 'user', content: 'add' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'add', arguments: { a: 1, b: 2 } }] },
        { role: 'tool', toolCallId: 'c1', name: 'add', content: '3' },
      ],
      tools: [addTool],
      temperature: 0,
      maxTokens: 20,
    });
    const body = sentBody(server, 0);
    expect(body.stream).toBe(false);
    expect(body.messages[1]).toEqual({ role: 'assistant', content: '', tool_calls: [{ function: { name: 'add', arguments: { a: 1, b: 2 } } }] });
    expect(body.messages[2]).toEqual({ role: 'tool', content: '3', tool_name: 'add' });
    expect(body.options).toEqual({ temperature: 0, num_predict: 20 });
    expect(body.keep_alive).toBe('10m');
    expect(body.tools[0].function.name).toBe('add');
  });

  it('sends no tools for toolChoice none and only the named tool for a named choice', async () => {
    const other = { ...addTool, name: 'multiply' };
    await create().chat({ messages: [{ role: 'user', content: 'x' }], tools: [addTool, other], toolChoice: 'none' });
    await create().chat({ messages: [{ role: 'user', content: 'x' }], tools: [addTool, other], toolChoice: { name: 'multiply' } });
    expect(server.modelCalls[0]?.body).not.toHaveProperty('tools');
    expect(sentBody(server, 1).tools.map((tool: { function: { name: string } }) => tool.function.name)).toEqual(['multiply']);
  });

  it('sends the JSON schema as `format` for structured output', async () => {
    const { z } = await import('zod');
    server.enqueue({ text: '{"ok":true}' });
    await create().generateObject({ messages: [{ role: 'user', content: 'x' }], schema: z.object({ ok: z.boolean() }) });
    expect(sentBody(server, 0).format).toMatchObject({ type: 'object', properties: { ok: { type: 'boolean' } } });
  });

  it('explains a missing model with the exact pull command, without retrying or opening the circuit', async () => {
    const llm = ollama({ model: 'qwen3:0.6b', host: server.host, retry: { retries: 3, baseDelayMs: 1 } });
    const error = await llm.chat({ messages: [{ role: 'user', content: 'hi' }] }).catch((caught: unknown) => caught);
    expect(ResourceError.isInstance(error)).toBe(true);
    expect((error as ResourceError).code).toBe('LLM_UNAVAILABLE');
    expect((error as Error).message).toContain('`ollama pull qwen3:0.6b`');
    expect((error as Error).message).toContain(server.host);
    expect(server.modelCalls).toHaveLength(1);
    expect(llm.circuitBreaker?.state).toBe('closed');
    const streamError = await collect(llm.stream({ messages: [{ role: 'user', content: 'hi' }] })).catch((caught: unknown) => caught);
    expect((streamError as ResourceError).code).toBe('LLM_UNAVAILABLE');
  });

  it('reports an unhealthy check with the pull command when the model is not installed', async () => {
    server.models = ['phi3:mini'];
    const report = await create().healthCheck?.();
    expect(report?.healthy).toBe(false);
    expect(report?.message).toContain('ollama pull llama3.2:3b');
    expect(report?.message).toContain('phi3:mini');
  });

  it('says how to start Ollama when nothing listens', async () => {
    const closed = await startOllamaServer();
    const host = closed.host;
    await closed.close();
    const error = await ollama({ model: 'llama3.2:3b', host, retry: false }).chat({ messages: [{ role: 'user', content: 'hi' }] }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'LLM_PROVIDER_UNAVAILABLE', retryable: true });
    expect((error as Error).message).toContain('ollama serve');
  });

  it('knows the dimensions of common embedding models', () => {
    expect(create().embeddingDimensions).toBe(768);
    expect(create({ embeddingModel: 'custom-embedder', embeddingDimensions: 42 }).embeddingDimensions).toBe(42);
  });
});
