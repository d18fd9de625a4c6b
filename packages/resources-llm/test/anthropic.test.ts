import { startAnthropicServer } from '@entity/test-servers';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { anthropic } from '../src/index.js';
import { addTool, describeLLMProvider, sentBody } from './llm-conformance.js';

type AnthropicServer = Awaited<ReturnType<typeof startAnthropicServer>>;

describeLLMProvider({
  name: 'anthropic',
  model: 'claude-haiku-4-5',
  priced: true,
  embeddings: false,
  exposesRetryAfter: true,
  serverErrorStatus: 529,
  checksToolPairing: true,
  start: () => startAnthropicServer({ apiKey: 'sk-ant-test' }),
  create: (server, options) => anthropic({ model: 'claude-haiku-4-5', apiKey: 'sk-ant-test', baseURL: (server as AnthropicServer).baseURL, ...options }),
});

describe('anthropic wire format', () => {
  let server: AnthropicServer;
  beforeAll(async () => {
    server = await startAnthropicServer({ apiKey: 'sk-ant-test' });
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  const create = (options: Partial<Parameters<typeof anthropic>[0]> = {}) =>
    anthropic({ model: 'claude-haiku-4-5', apiKey: 'sk-ant-test', baseURL: server.baseURL, retry: false, ...options });

  it('moves system messages to `system` and answers every tool_use in the next user turn', async () => {
    await create().chat({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Add 1+2 and 3+4' },
        {
          role: 'assistant',
          content: 'Adding.',
          toolCalls: [
            { id: 'toolu_a', name: 'add', arguments: { a: 1, b: 2 } },
            { id: 'toolu_b', name: 'add', arguments: { a: 3, b: 4 } },
          ],
        },
        { role: 'tool', toolCallId: 'toolu_a', name: 'add', content: '3' },
        { role: 'tool', toolCallId: 'toolu_b', name: 'add', content: 'boom', isError: true },
        { role: 'user', content: 'And?' },
      ],
      tools: [addTool],
      toolChoice: 'required',
    });
    const body = sentBody(server, 0);
    expect(body.system).toBe('Be brief.');
    expect(body.max_tokens).toBe(4096);
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Add 1+2 and 3+4' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Adding.' },
          { type: 'tool_use', id: 'toolu_a', name: 'add', input: { a: 1, b: 2 } },
          { type: 'tool_use', id: 'toolu_b', name: 'add', input: { a: 3, b: 4 } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_a', content: '3' },
          { type: 'tool_result', tool_use_id: 'toolu_b', content: 'boom', is_error: true },
          { type: 'text', text: 'And?' },
        ],
      },
    ]);
    expect(body.tools[0]).toEqual({ name: 'add', description: 'Add two numbers', input_schema: addTool.parameters });
    expect(body.tool_choice).toEqual({ type: 'any' });
    // SDK 1.x authenticates with a bearer token; older versions used x-api-key. The server accepts either.
    const headers = server.modelCalls[0]?.headers ?? {};
    expect(headers['x-api-key'] ?? headers.authorization).toMatch(/^(Bearer )?sk-ant-test$/);
    expect(server.modelCalls[0]?.headers['anthropic-version']).toBeTypeOf('string');
  });

  it('uses the tool trick for structured output', async () => {
    server.enqueue({ toolCalls: [{ name: 'person', arguments: { name: 'Ada', born: 1815 } }] });
    const result = await create().generateObject({
      messages: [{ role: 'user', content: 'Who wrote the first program?' }],
      schema: z.object({ name: z.string(), born: z.number() }),
      schemaName: 'person',
    });
    expect(result.object).toEqual({ name: 'Ada', born: 1815 });
    const body = sentBody(server, 0);
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'person' });
    expect(body.tools[0].input_schema.properties).toHaveProperty('born');
  });

  it('prices cache reads and writes at their multipliers', async () => {
    const { priceOf } = await import('../src/index.js');
    expect(priceOf('anthropic', 'claude-sonnet-4-5-20250929')).toEqual({ inputPerMillion: 3, outputPerMillion: 15 });
    expect(priceOf('anthropic', 'claude-unknown-9')).toBeUndefined();
  });

  it('passes maxTokens and temperature defaults from the options', async () => {
    await create({ maxTokens: 300, temperature: 0.5 }).chat({ messages: [{ role: 'user', content: 'x' }] });
    expect(server.modelCalls[0]?.body).toMatchObject({ max_tokens: 300, temperature: 0.5 });
  });

  it('requires an API key', () => {
    const saved = process.env.ANTHROPIC_API_KEY;
    delete process.env.ANTHROPIC_API_KEY;
    try {
      expect(() => anthropic({ model: 'claude-haiku-4-5' })).toThrow(/ANTHROPIC_API_KEY/);
    } finally {
      if (saved !== undefined) process.env.ANTHROPIC_API_KEY = saved;
    }
  });
});
