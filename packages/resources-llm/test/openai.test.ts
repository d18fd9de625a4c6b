import { startOpenAIServer } from '@entity/test-servers';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openai } from '../src/index.js';
import { addTool, describeLLMProvider, sentBody } from './llm-conformance.js';

type OpenAIServer = Awaited<ReturnType<typeof startOpenAIServer>>;

describeLLMProvider({
  name: 'openai',
  model: 'gpt-4o-mini',
  priced: true,
  embeddings: true,
  exposesRetryAfter: true,
  serverErrorStatus: 500,
  checksToolPairing: true,
  start: () => startOpenAIServer({ apiKey: 'sk-test' }),
  create: (server, options) => openai({ model: 'gpt-4o-mini', apiKey: 'sk-test', baseURL: (server as OpenAIServer).baseURL, ...options }),
});

describe('openai wire format', () => {
  let server: OpenAIServer;
  beforeAll(async () => {
    server = await startOpenAIServer({ apiKey: 'sk-test' });
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  const create = (options: Partial<Parameters<typeof openai>[0]> = {}) => openai({ model: 'gpt-4o-mini', apiKey: 'sk-test', baseURL: server.baseURL, retry: false, ...options });

  it('maps messages, tools and tool choice to Chat Completions fields', async () => {
    await create().chat({
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'u' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_9', name: 'add', arguments: { a: 1, b: 2 } }] },
        { role: 'tool', toolCallId: 'call_9', name: 'add', content: '3' },
      ],
      tools: [addTool],
      toolChoice: { name: 'add' },
      temperature: 0.2,
      maxTokens: 50,
    });
    const body = sentBody(server, 0);
    expect(body.messages).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'u' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'add', arguments: '{"a":1,"b":2}' } }] },
      { role: 'tool', tool_call_id: 'call_9', content: '3' },
    ]);
    expect(body.tools[0]).toEqual({ type: 'function', function: { name: 'add', description: 'Add two numbers', parameters: addTool.parameters } });
    expect(body.tool_choice).toEqual({ type: 'function', function: { name: 'add' } });
    expect(body.temperature).toBe(0.2);
    // A custom baseURL means an OpenAI-compatible server: the widely supported max_tokens is used.
    expect(body.max_tokens).toBe(50);
    expect(server.modelCalls[0]?.headers.authorization).toBe('Bearer sk-test');
  });

  it('uses max_completion_tokens when asked (api.openai.com default)', async () => {
    await create({ maxTokensParameter: 'max_completion_tokens', maxTokens: 64 }).chat({ messages: [{ role: 'user', content: 'u' }] });
    const body = server.modelCalls[0]?.body as Record<string, unknown>;
    expect(body.max_completion_tokens).toBe(64);
    expect(body).not.toHaveProperty('max_tokens');
  });

  it('asks for the usage chunk when streaming', async () => {
    for await (const _event of create().stream({ messages: [{ role: 'user', content: 'u' }] })) {
      // drain
    }
    expect(server.modelCalls[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('uses strict json_schema only when the schema allows it', async () => {
    const { z } = await import('zod');
    server.enqueue({ text: '{"a":"x","b":1}' }, { text: '{"a":"x"}' });
    await create().generateObject({ messages: [{ role: 'user', content: 'u' }], schema: z.object({ a: z.string(), b: z.number() }) });
    await create().generateObject({ messages: [{ role: 'user', content: 'u' }], schema: z.object({ a: z.string(), b: z.number().optional() }) });
    const formats = [sentBody(server, 0).response_format, sentBody(server, 1).response_format];
    expect(formats[0]).toMatchObject({ type: 'json_schema', json_schema: { name: 'response', strict: true } });
    expect(formats[0].json_schema.schema).not.toHaveProperty('$schema');
    expect(formats[1].json_schema.strict).toBe(false);
  });

  it('computes cost from the price table, and leaves it undefined for unknown models', async () => {
    server.enqueue({ text: 'x', usage: { inputTokens: 1_000_000, outputTokens: 1_000_000 } }, { text: 'y', usage: { inputTokens: 10, outputTokens: 10 } });
    const priced = await create({ model: 'gpt-4o-mini-2024-07-18' }).chat({ messages: [{ role: 'user', content: 'u' }] });
    expect(priced.usage.costUsd).toBeCloseTo(0.15 + 0.6, 10);
    const unknown = await create({ model: 'my-local-finetune' }).chat({ messages: [{ role: 'user', content: 'u' }] });
    expect(unknown.usage.costUsd).toBeUndefined();
  });

  it('honours retry-after-ms', async () => {
    server.enqueue({ error: { status: 429, retryAfterMs: 300 } }, { text: 'ok' });
    const started = performance.now();
    await create({ retry: { baseDelayMs: 1 } }).chat({ messages: [{ role: 'user', content: 'u' }] });
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
  });

  it('fails with an authentication error, not retried, on a wrong key', async () => {
    const error = await create({ apiKey: 'sk-wrong', retry: { retries: 3, baseDelayMs: 1 } })
      .chat({ messages: [{ role: 'user', content: 'u' }] })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'LLM_AUTHENTICATION_FAILED', status: 401, retryable: false });
    expect(server.modelCalls).toHaveLength(1);
    expect(String((error as Error).message)).not.toContain('sk-wrong');
  });

  it('names the provider of an OpenAI-compatible server', async () => {
    const response = await create({ providerName: 'vllm' }).chat({ messages: [{ role: 'user', content: 'u' }] });
    expect(response.provider).toBe('vllm');
    expect(response.usage.costUsd).toBeUndefined();
  });

  it('requires an API key for api.openai.com', () => {
    const saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      expect(() => openai({ model: 'gpt-4o-mini' })).toThrow(/OPENAI_API_KEY/);
    } finally {
      if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
    }
  });
});
