import { startAnthropicServer, startOpenAIServer } from '@entity/test-servers';
import { describe, expect, it } from 'vitest';
import { anthropic, openai } from '../src/index.js';

// A server that answers is not enough: the model the project configures must be one it offers.
describe('health checks check the configured model', () => {
  it('openai (and OpenAI-compatible servers): a model the server does not list is unhealthy, with the listed ones', async () => {
    const server = await startOpenAIServer({ apiKey: 'sk-test', models: ['local-model', 'other-model'] });
    try {
      const listed = await openai({ model: 'local-model', apiKey: 'sk-test', baseURL: server.baseURL }).healthCheck!();
      expect(listed.healthy).toBe(true);
      const unlisted = await openai({ model: 'gpt-4o-mini', apiKey: 'sk-test', baseURL: server.baseURL }).healthCheck!();
      expect(unlisted).toMatchObject({ healthy: false, message: expect.stringContaining('does not offer model "gpt-4o-mini"; it lists: local-model, other-model') });
      const wrongKey = await openai({ model: 'local-model', apiKey: 'sk-wrong', baseURL: server.baseURL }).healthCheck!();
      expect(wrongKey.healthy).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('anthropic: a model the server does not list is unhealthy', async () => {
    const server = await startAnthropicServer({ apiKey: 'sk-ant-test', models: ['claude-haiku-4-5'] });
    try {
      expect((await anthropic({ model: 'claude-haiku-4-5', apiKey: 'sk-ant-test', baseURL: server.baseURL }).healthCheck!()).healthy).toBe(true);
      const unlisted = await anthropic({ model: 'claude-opus-9', apiKey: 'sk-ant-test', baseURL: server.baseURL }).healthCheck!();
      expect(unlisted).toMatchObject({ healthy: false, message: expect.stringContaining('does not offer model "claude-opus-9"') });
    } finally {
      await server.close();
    }
  });
});
