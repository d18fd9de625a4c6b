import { ResourceError } from '@entity/core';
import { type OllamaTestServer, startOllamaServer, startOpenAIServer } from '@entity/test-servers';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultLLM, detectDefaultLLM } from '../src/index.js';

describe('defaultLLM', () => {
  let ollamaServer: OllamaTestServer;
  let deadHost: string;
  beforeAll(async () => {
    ollamaServer = await startOllamaServer();
    const dead = await startOllamaServer();
    deadHost = dead.host;
    await dead.close();
  });
  afterAll(() => ollamaServer.close());
  beforeEach(() => ollamaServer.reset());

  it('picks Ollama first, with the preferred installed model', async () => {
    ollamaServer.models = ['mistral:7b', 'gemma2:2b', 'llama3.2:1b', 'nomic-embed-text'];
    const found = await detectDefaultLLM({ env: { OLLAMA_HOST: ollamaServer.host, OPENAI_API_KEY: 'sk-x', ANTHROPIC_API_KEY: 'sk-ant-x' } });
    expect(found).toMatchObject({ provider: 'ollama', model: 'llama3.2:1b', host: ollamaServer.host });
  });

  it('falls back to the first installed chat model, never an embedding model', async () => {
    ollamaServer.models = ['nomic-embed-text', 'all-minilm', 'qwen3:4b', 'mistral:7b'];
    const found = await detectDefaultLLM({ env: { OLLAMA_HOST: ollamaServer.host } });
    expect(found.model).toBe('qwen3:4b');
  });

  it('returns a working Ollama LLM', async () => {
    ollamaServer.models = ['llama3.2:3b'];
    ollamaServer.enqueue({ text: 'local hello' });
    const llm = await defaultLLM({ env: { OLLAMA_HOST: ollamaServer.host } });
    expect(llm.provider).toBe('ollama');
    expect((await llm.chat({ messages: [{ role: 'user', content: 'hi' }] })).content).toBe('local hello');
  });

  it('uses OpenAI when Ollama is not reachable and OPENAI_API_KEY is set', async () => {
    const openaiServer = await startOpenAIServer({ apiKey: 'sk-from-env' });
    try {
      const env = { OLLAMA_HOST: deadHost, OPENAI_API_KEY: 'sk-from-env', OPENAI_BASE_URL: openaiServer.baseURL, ANTHROPIC_API_KEY: 'sk-ant-x' };
      const found = await detectDefaultLLM({ env });
      expect(found.provider).toBe('openai');
      expect(found.checks[0]).toContain('not reachable');
      openaiServer.enqueue({ text: 'cloud hello' });
      const llm = await defaultLLM({ env });
      expect((await llm.chat({ messages: [{ role: 'user', content: 'hi' }] })).content).toBe('cloud hello');
    } finally {
      await openaiServer.close();
    }
  });

  it('uses OpenAI when Ollama runs without any chat model', async () => {
    ollamaServer.models = ['nomic-embed-text'];
    const found = await detectDefaultLLM({ env: { OLLAMA_HOST: ollamaServer.host, OPENAI_API_KEY: 'sk-x' } });
    expect(found.provider).toBe('openai');
    expect(found.checks[0]).toContain('ollama pull llama3.2:3b');
  });

  it('uses Anthropic when only ANTHROPIC_API_KEY is set', async () => {
    const found = await detectDefaultLLM({ env: { OLLAMA_HOST: deadHost, ANTHROPIC_API_KEY: 'sk-ant-x' } });
    expect(found).toMatchObject({ provider: 'anthropic', model: 'claude-haiku-4-5' });
  });

  it('fails with LLM_UNAVAILABLE naming the three ways to get a model', async () => {
    const error = await detectDefaultLLM({ env: { OLLAMA_HOST: deadHost } }).catch((caught: unknown) => caught);
    expect(ResourceError.isInstance(error)).toBe(true);
    expect((error as ResourceError).code).toBe('LLM_UNAVAILABLE');
    const message = (error as Error).message;
    expect(message).toContain(`Ollama at ${deadHost} (OLLAMA_HOST): not reachable`);
    expect(message).toContain('`ollama pull llama3.2:3b`');
    expect(message).toContain('ollama serve');
    expect(message).toContain('export OPENAI_API_KEY=');
    expect(message).toContain('export ANTHROPIC_API_KEY=');
    expect((error as ResourceError).safeMessage).not.toContain('OLLAMA');
  });

  it('tells the user to pull a model when Ollama runs empty and no key is set', async () => {
    ollamaServer.models = [];
    const error = await defaultLLM({ env: { OLLAMA_HOST: ollamaServer.host } }).catch((caught: unknown) => caught);
    expect((error as ResourceError).code).toBe('LLM_UNAVAILABLE');
    expect((error as Error).message).toContain('running, but no chat model is installed — run `ollama pull llama3.2:3b`');
  });

  it('gives up on a host that does not answer within the probe timeout', async () => {
    ollamaServer.models = ['llama3.2:3b'];
    const { createServer } = await import('node:http');
    const silent = createServer(() => {
      // never answers
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = performance.now();
      const error = await detectDefaultLLM({ env: { OLLAMA_HOST: `127.0.0.1:${port}` }, probeTimeoutMs: 200 }).catch((caught: unknown) => caught);
      expect(performance.now() - started).toBeLessThan(2_000);
      expect((error as Error).message).toContain('no answer within 200 ms');
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});
