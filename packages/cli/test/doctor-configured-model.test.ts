import { startAnthropicServer, startOllamaServer, startOpenAIServer } from '@entity/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entity, project } from './helpers.js';

interface Check {
  id: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  message: string;
  fix?: string;
}

async function doctor(config: string, env: Record<string, string> = {}, files: Record<string, string> = {}) {
  const cwd = project({ 'agent.yaml': config, ...files });
  const result = await entity(['doctor', '--json'], { cwd, env: { ENTITY_DOCTOR_TIMEOUT_MS: '3000', ...env } });
  const report = JSON.parse(result.stdout) as { ok: boolean; checks: Check[] };
  return { code: result.code, model: report.checks.find((check) => check.id === 'model')!, failed: report.checks.filter((check) => check.status === 'fail') };
}

const openaiConfig = (baseURL: string, model = 'local-model', key = '${MODEL_KEY}') =>
  `resources:\n  llm:\n    type: openai\n    baseURL: ${baseURL}\n    apiKey: ${key}\n    model: ${model}\n`;

// Ollama is unreachable and no OPENAI_API_KEY is set (helpers.ts): what is checked is the configured model.
describe('entity doctor checks the model the project configures', () => {
  let server: Awaited<ReturnType<typeof startOpenAIServer>>;
  beforeAll(async () => {
    server = await startOpenAIServer({ apiKey: 'sk-loopback', models: ['local-model'] });
  });
  afterAll(() => server.close());

  it('an OpenAI-compatible project that works passes, with its key from .env: exit 0', async () => {
    const { code, model, failed } = await doctor(openaiConfig(server.baseURL), {}, { '.env': 'MODEL_KEY=sk-loopback\n' });
    expect(failed).toEqual([]);
    expect(model).toMatchObject({ status: 'ok', message: `openai answers at ${server.baseURL}; model local-model` });
    expect(code).toBe(0);
  });

  it('a wrong key fails with the 401 and says what to check: exit 1', async () => {
    const { code, model } = await doctor(openaiConfig(server.baseURL), { MODEL_KEY: 'sk-wrong' });
    expect(code).toBe(1);
    expect(model.status).toBe('fail');
    expect(model.message).toMatch(/resources\.llm \(openai\): .*(401|API key)/i);
    expect(model.fix).toContain('apiKey');
  });

  it('a model the server does not offer fails and lists the ones it does: exit 1', async () => {
    const { code, model } = await doctor(openaiConfig(server.baseURL, 'gpt-4o'), { MODEL_KEY: 'sk-loopback' });
    expect(code).toBe(1);
    expect(model).toMatchObject({ status: 'fail', message: expect.stringContaining('does not offer model "gpt-4o"; it lists: local-model') });
  });

  it('nothing listening at the baseURL fails: exit 1', async () => {
    const { code, model } = await doctor(openaiConfig('http://127.0.0.1:1/v1'), { MODEL_KEY: 'sk-loopback' });
    expect(code).toBe(1);
    expect(model.status).toBe('fail');
    expect(model.message).toMatch(/resources\.llm \(openai\)/);
  });

  it('an unset key variable fails naming the variable', async () => {
    const { code, model } = await doctor(openaiConfig(server.baseURL));
    expect(code).toBe(1);
    expect(model).toMatchObject({ status: 'fail', message: expect.stringContaining('MODEL_KEY') });
  });

  it('Anthropic and Ollama projects are checked against their servers too', async () => {
    const anthropic = await startAnthropicServer({ apiKey: 'sk-ant-loopback', models: ['claude-haiku-4-5'] });
    const ollama = await startOllamaServer({ models: ['llama3.2:3b'] });
    try {
      const good = await doctor(`resources:\n  llm:\n    type: anthropic\n    baseURL: ${anthropic.origin}\n    apiKey: sk-ant-loopback\n    model: claude-haiku-4-5\n`);
      expect(good.model.status).toBe('ok');
      expect(good.code).toBe(0);
      const missing = await doctor(`resources:\n  llm:\n    type: ollama\n    host: ${ollama.origin}\n    model: qwen3:8b\n`);
      expect(missing.model.status).toBe('fail');
      expect(missing.model.message).toContain('qwen3:8b');
    } finally {
      await anthropic.close();
      await ollama.close();
    }
  });
});
