import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type OllamaTestServer, startOllamaServer, startOpenAIServer } from '@entity/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const APP = fileURLToPath(new URL('..', import.meta.url));

/** Runs the sample as `pnpm demo` does (node src/main.ts) with a clean model environment. */
function runQuickstart(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // A fresh working directory per run (the embedded memory lives in ./.entity of the cwd), inside
  // the app so core's zero-config lookup finds the app's node_modules from the cwd, as with `pnpm demo`.
  mkdirSync(join(APP, '.entity'), { recursive: true });
  const cwd = mkdtempSync(join(APP, '.entity', 'test-run-'));
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !['OLLAMA_HOST', 'OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL'].includes(key)),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd, env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      rmSync(cwd, { recursive: true, force: true });
      resolve({ code, stdout, stderr });
    });
  });
}

describe('quickstart sample', () => {
  let ollama: OllamaTestServer;

  beforeAll(async () => {
    ollama = await startOllamaServer({ models: ['llama3.2:3b'] });
  });
  afterAll(async () => {
    await ollama.close();
  });

  it('answers through a loopback Ollama, calling the add tool the model asked for', async () => {
    ollama.reset();
    ollama.enqueue({ toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] });
    ollama.respondWith((request) => {
      const messages = (request.body as { messages: { role: string; content: string }[] }).messages;
      return { text: `2 + 3 = ${messages.at(-1)?.content}.` };
    });
    const result = await runQuickstart(['What is 2+3?'], { OLLAMA_HOST: ollama.origin });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('→ add({"a":2,"b":3})');
    expect(result.stdout).toContain('2 + 3 = 5.');
    const chatCalls = ollama.modelCalls.filter((call) => call.path === '/api/chat');
    expect(chatCalls).toHaveLength(2);
    const tools = (chatCalls[0]!.body as { tools: { function: { name: string } }[] }).tools.map((tool) => tool.function.name);
    expect(tools.sort()).toEqual(['add', 'current_time']);
  });

  it('works against an OpenAI wire-format server when only OPENAI_API_KEY is set', async () => {
    const openai = await startOpenAIServer({});
    try {
      openai.respondWith({ text: 'Hello from the OpenAI side.' });
      const result = await runQuickstart(['Say hello'], {
        OLLAMA_HOST: 'http://127.0.0.1:1',
        OPENAI_API_KEY: 'sk-test',
        OPENAI_BASE_URL: `${openai.origin}/v1`,
      });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Hello from the OpenAI side.');
      expect(openai.modelCalls.length).toBeGreaterThan(0);
    } finally {
      await openai.close();
    }
  });

  it('stops with the actionable message and no stack trace when no model is reachable', async () => {
    const result = await runQuickstart([], { OLLAMA_HOST: 'http://127.0.0.1:1' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No language model is available');
    expect(result.stderr).toContain('ollama pull');
    expect(result.stderr).toContain('OPENAI_API_KEY');
    expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('in a terminal it opens the chat through agent.serveCli() (core loads @entity/cli lazily)', async () => {
    if (spawnSync('script', ['--version']).error) {
      if (process.env.CI) throw new Error('the `script` command (util-linux) is needed for the terminal test: apt-get install util-linux');
      return;
    }
    ollama.reset();
    ollama.respondWith({ text: 'Hi! Ask me to add numbers.' });
    mkdirSync(join(APP, '.entity'), { recursive: true });
    const cwd = mkdtempSync(join(APP, '.entity', 'test-tty-'));
    const child = spawn('script', ['-qfec', `${process.execPath} ${MAIN}`, '/dev/null'], { cwd, env: { ...process.env, OLLAMA_HOST: ollama.origin, TERM: 'xterm' } });
    let screen = '';
    child.stdout.on('data', (chunk) => (screen += chunk));
    const waitFor = async (text: string) => {
      const deadline = Date.now() + 60_000;
      while (!screen.includes(text)) {
        if (Date.now() > deadline) throw new Error(`"${text}" never appeared; screen:\n${screen}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    try {
      await waitFor('you › ');
      child.stdin.write('hello\r');
      await waitFor('Hi! Ask me to add numbers.');
      child.stdin.write('/exit\r');
      expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0);
      expect(screen).toContain('quickstart · ollama llama3.2:3b');
    } finally {
      child.kill();
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 90_000);
});
