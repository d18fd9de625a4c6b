import { CircuitOpenError, type LLM, ProviderError } from '@entity/core';
import { type OllamaTestServer, startAnthropicServer, startOllamaServer, startOpenAIServer } from '@entity/test-servers';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { anthropic, fallback, ollama, openai } from '../src/index.js';
import { collect } from './llm-conformance.js';

describe('fallback', () => {
  let openaiServer: Awaited<ReturnType<typeof startOpenAIServer>>;
  let anthropicServer: Awaited<ReturnType<typeof startAnthropicServer>>;
  let ollamaServer: OllamaTestServer;
  beforeAll(async () => {
    [openaiServer, anthropicServer, ollamaServer] = await Promise.all([startOpenAIServer(), startAnthropicServer(), startOllamaServer()]);
  });
  afterAll(() => Promise.all([openaiServer.close(), anthropicServer.close(), ollamaServer.close()]));
  beforeEach(() => {
    for (const server of [openaiServer, anthropicServer, ollamaServer]) server.reset();
  });

  const chain = (retries = 1) =>
    fallback([
      openai({ model: 'gpt-4o-mini', apiKey: 'k', baseURL: openaiServer.baseURL, retry: { retries, baseDelayMs: 1 } }),
      anthropic({ model: 'claude-haiku-4-5', apiKey: 'k', baseURL: anthropicServer.baseURL, retry: { retries, baseDelayMs: 1 } }),
      ollama({ model: 'llama3.2:3b', host: ollamaServer.host, retry: { retries, baseDelayMs: 1 } }),
    ]);

  it('is served by the primary when it works', async () => {
    const response = await chain().chat({ messages: [{ role: 'user', content: 'hi' }] });
    expect(response.provider).toBe('openai');
    expect(anthropicServer.modelCalls).toHaveLength(0);
  });

  it('hands over to the next provider after retryable failures, and says who answered', async () => {
    openaiServer.respondWith({ error: { status: 503 } });
    anthropicServer.enqueue({ text: 'Anthropic here.' });
    const response = await chain().chat({ messages: [{ role: 'user', content: 'hi' }] });
    expect(response.provider).toBe('anthropic');
    expect(response.content).toBe('Anthropic here.');
    expect(openaiServer.modelCalls).toHaveLength(2);
  });

  it('skips a provider whose circuit is open without calling it', async () => {
    const llm = chain(0);
    openaiServer.respondWith({ error: { status: 500 } });
    for (let index = 0; index < 5; index++) await llm.chat({ messages: [{ role: 'user', content: 'hi' }] });
    const primary = llm.providers[0] as LLM & { circuitBreaker?: { state: string } };
    expect(primary.circuitBreaker?.state).toBe('open');
    const callsBefore = openaiServer.modelCalls.length;
    const response = await llm.chat({ messages: [{ role: 'user', content: 'hi' }] });
    expect(response.provider).toBe('anthropic');
    expect(openaiServer.modelCalls).toHaveLength(callsBefore);
  });

  it('does not hand over invalid requests', async () => {
    openaiServer.respondWith({ error: { status: 400, message: 'bad' } });
    const error = await chain().chat({ messages: [{ role: 'user', content: 'hi' }] }).catch((caught: unknown) => caught);
    expect((error as ProviderError).status).toBe(400);
    expect(anthropicServer.modelCalls).toHaveLength(0);
  });

  it('reports every failure when all providers fail', async () => {
    openaiServer.respondWith({ error: { status: 500 } });
    anthropicServer.respondWith({ error: { status: 529 } });
    ollamaServer.respondWith({ error: { status: 500 } });
    const error = await chain(0).chat({ messages: [{ role: 'user', content: 'hi' }] }).catch((caught: unknown) => caught);
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).code).toBe('LLM_ALL_PROVIDERS_FAILED');
    expect((error as ProviderError).details?.failures).toHaveLength(3);
    expect((error as Error).message).toMatch(/openai.*anthropic.*ollama/s);
  });

  it('hands a stream over when the primary fails before the first token', async () => {
    openaiServer.respondWith({ error: { status: 500 } });
    ollamaServer.enqueue({ text: 'local tokens' });
    const llm = fallback([
      openai({ model: 'gpt-4o-mini', apiKey: 'k', baseURL: openaiServer.baseURL, retry: false }),
      ollama({ model: 'llama3.2:3b', host: ollamaServer.host }),
    ]);
    const events = await collect(llm.stream({ messages: [{ role: 'user', content: 'hi' }] }));
    const finish = events.at(-1);
    expect(finish?.type === 'finish' && finish.response.provider).toBe('ollama');
    expect(finish?.type === 'finish' && finish.response.content).toBe('local tokens');
  });

  it('does not splice answers when a stream fails after tokens were sent', async () => {
    openaiServer.enqueue({ text: 'one two three four', streamErrorAfterChunks: 3 });
    const error = await collect(chain().stream({ messages: [{ role: 'user', content: 'hi' }] })).catch((caught: unknown) => caught);
    expect(ProviderError.isInstance(error)).toBe(true);
    expect(anthropicServer.modelCalls).toHaveLength(0);
  });

  it('falls back from a missing local model to a hosted one', async () => {
    anthropicServer.enqueue({ text: 'hosted' });
    const llm = fallback([
      ollama({ model: 'not-pulled:7b', host: ollamaServer.host }),
      anthropic({ model: 'claude-haiku-4-5', apiKey: 'k', baseURL: anthropicServer.baseURL }),
    ]);
    expect((await llm.chat({ messages: [{ role: 'user', content: 'hi' }] })).provider).toBe('anthropic');
  });

  it('falls back for structured output and embeds with the first embedding provider only', async () => {
    openaiServer.respondWith({ error: { status: 500 } });
    anthropicServer.enqueue({ toolCalls: [{ name: 'response', arguments: { n: 1 } }] });
    const llm = chain(0);
    const result = await llm.generateObject({ messages: [{ role: 'user', content: 'n' }], schema: z.object({ n: z.number() }) });
    expect(result).toMatchObject({ object: { n: 1 }, provider: 'anthropic' });
    const embedError = await llm.embed?.(['x']).catch((caught: unknown) => caught);
    // Vectors from another model would not be comparable with stored ones: no hand-over for embeddings.
    expect((embedError as ProviderError).provider).toBe('openai');
    expect(ollamaServer.modelCalls).toHaveLength(0);
  });

  it('does not hand over when the open circuit belongs to the only provider', async () => {
    const only = openai({ model: 'gpt-4o-mini', apiKey: 'k', baseURL: openaiServer.baseURL, retry: false, circuitBreaker: { failureThreshold: 1 } });
    openaiServer.respondWith({ error: { status: 500 } });
    await only.chat({ messages: [{ role: 'user', content: 'hi' }] }).catch(() => undefined);
    const error = await fallback([only]).chat({ messages: [{ role: 'user', content: 'hi' }] }).catch((caught: unknown) => caught);
    expect((error as ProviderError).code).toBe('LLM_ALL_PROVIDERS_FAILED');
    expect(CircuitOpenError.isInstance((error as Error).cause)).toBe(true);
  });
});
