import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

// Runs in a fresh Node process (the built package, as users load it) and records every module
// Node resolves, to prove that using one provider never loads another provider's SDK.
const script = (provider: 'ollama' | 'openai' | 'anthropic') => `
import { registerHooks } from 'node:module';
const resolved = new Set();
registerHooks({ resolve(specifier, context, next) { const result = next(specifier, context); resolved.add(result.url); return result; } });
const servers = await import('@entity/test-servers');
const llms = await import('./dist/index.js');
const sdk = (name) => [...resolved].some((url) => url.includes('/node_modules/' + name + '/'));
const before = { openai: sdk('openai'), anthropic: sdk('@anthropic-ai/sdk'), ollama: sdk('ollama') };
let llm, server;
if (${JSON.stringify(provider)} === 'ollama') { server = await servers.startOllamaServer(); llm = llms.ollama({ model: 'llama3.2:3b', host: server.host }); }
if (${JSON.stringify(provider)} === 'openai') { server = await servers.startOpenAIServer(); llm = llms.openai({ model: 'gpt-4o-mini', apiKey: 'k', baseURL: server.baseURL }); }
if (${JSON.stringify(provider)} === 'anthropic') { server = await servers.startAnthropicServer(); llm = llms.anthropic({ model: 'claude-haiku-4-5', apiKey: 'k', baseURL: server.baseURL }); }
const reply = await llm.chat({ messages: [{ role: 'user', content: 'hi' }] });
await server.close();
console.log(JSON.stringify({ before, after: { openai: sdk('openai'), anthropic: sdk('@anthropic-ai/sdk'), ollama: sdk('ollama') }, provider: reply.provider }));
`;

function run(provider: 'ollama' | 'openai' | 'anthropic') {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script(provider)], { cwd: packageDir, encoding: 'utf8', timeout: 30_000 });
  if (child.status !== 0) throw new Error(`child failed (did you build the package?): ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as {
    before: Record<string, boolean>;
    after: Record<string, boolean>;
    provider: string;
  };
}

describe('lazy SDK loading', () => {
  it('loads no SDK on import, and only the SDK of the provider in use', () => {
    for (const provider of ['ollama', 'openai', 'anthropic'] as const) {
      const result = run(provider);
      expect(result.provider).toBe(provider);
      expect(result.before).toEqual({ openai: false, anthropic: false, ollama: false });
      expect(result.after).toEqual({ openai: provider === 'openai', anthropic: provider === 'anthropic', ollama: provider === 'ollama' });
    }
  });
});
