import { startOllamaServer } from '@entity/test-servers';
import { describe, expect, it } from 'vitest';
import { type FallbackLLM, type ProviderLLM, resourceTypes } from '../src/index.js';

const typeNamed = (name: string) => {
  const type = resourceTypes.find((candidate) => candidate.type === name);
  if (!type) throw new Error(`missing resource type ${name}`);
  return type;
};

describe('resourceTypes', () => {
  it('offers openai, anthropic, ollama and fallback from this package', () => {
    expect(resourceTypes.map((type) => type.type).sort()).toEqual(['anthropic', 'fallback', 'ollama', 'openai']);
    expect(new Set(resourceTypes.map((type) => type.packageName))).toEqual(new Set(['@entity/resources-llm']));
  });

  it('rejects unknown keys and wrong types with their paths', () => {
    const openaiResult = typeNamed('openai').configSchema.safeParse({ model: 'gpt-4o-mini', temprature: 0.3 });
    expect(openaiResult.success).toBe(false);
    expect(JSON.stringify(openaiResult.error?.issues)).toContain('temprature');
    const ollamaResult = typeNamed('ollama').configSchema.safeParse({ model: 'llama3.2:3b', timeoutMs: -1 });
    expect(ollamaResult.error?.issues[0]?.path).toEqual(['timeoutMs']);
    expect(typeNamed('anthropic').configSchema.safeParse({ apiKey: 'x' }).success).toBe(false);
    expect(typeNamed('openai').configSchema.safeParse({ model: 'm', baseURL: 'not a url' }).success).toBe(false);
    const nested = typeNamed('fallback').configSchema.safeParse({ providers: [{ type: 'ollama', model: 'm', bogus: 1 }] });
    expect(nested.error?.issues[0]?.path).toEqual(['providers', 0]);
    expect(typeNamed('fallback').configSchema.safeParse({ providers: [] }).success).toBe(false);
  });

  it('creates working resources from YAML-shaped config', async () => {
    const server = await startOllamaServer();
    try {
      server.enqueue({ text: 'from yaml' });
      const config = typeNamed('ollama').configSchema.parse({ model: 'llama3.2:3b', host: server.host, retries: 0, circuitBreaker: { failureThreshold: 2 } });
      const llm = (await typeNamed('ollama').create(config)) as ProviderLLM;
      expect((await llm.chat({ messages: [{ role: 'user', content: 'hi' }] })).content).toBe('from yaml');

      server.respondWith({ error: { status: 500 } });
      await llm.chat({ messages: [{ role: 'user', content: 'hi' }] }).catch(() => undefined);
      await llm.chat({ messages: [{ role: 'user', content: 'hi' }] }).catch(() => undefined);
      // retries: 0 means one attempt per call; threshold 2 opens after two calls.
      expect(server.modelCalls).toHaveLength(3);
      expect(llm.circuitBreaker?.state).toBe('open');

      const chainConfig = typeNamed('fallback').configSchema.parse({
        providers: [
          { type: 'openai', model: 'gpt-4o-mini', apiKey: 'k', baseURL: 'http://127.0.0.1:9/v1', retries: 0 },
          { type: 'ollama', model: 'llama3.2:3b', host: server.host },
        ],
      });
      const chain = (await typeNamed('fallback').create(chainConfig)) as FallbackLLM;
      expect(chain.providers.map((member) => member.provider)).toEqual(['openai', 'ollama']);
    } finally {
      await server.close();
    }
  });
});
