import { type LoopbackServer, type OllamaTestServer, startAnthropicServer, startOllamaServer, startOpenAIServer } from '@entity/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ADD_TOOL, entity, hasStackTrace, project, sharedMemoryYaml } from './helpers.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for exactly these characters
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the CLI's own colour codes
const OWN_COLOUR = /\u001b\[[0-9;]*m/g;

const lastMessage = (body: unknown) => (body as { messages: { role: string; content: unknown }[] }).messages.at(-1);

describe('entity run', () => {
  let ollama: OllamaTestServer;
  let openai: LoopbackServer;
  let memory: string;

  beforeAll(async () => {
    [ollama, openai] = await Promise.all([startOllamaServer({ models: ['llama3.2:3b'] }), startOpenAIServer({})]);
    memory = sharedMemoryYaml(join(project({}, 'memory-'), 'db'));
  });
  afterAll(async () => {
    await Promise.all([ollama.close(), openai.close()]);
  });

  it('zero config: finds Ollama at OLLAMA_HOST, runs the tool the model asks for, streams the answer to stdout', async () => {
    ollama.reset();
    ollama.enqueue({ toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] });
    ollama.respondWith((request) => ({ text: `2 + 3 = ${String(lastMessage(request.body)?.content)}` }));
    const directory = project({ 'tools/add.ts': ADD_TOOL });
    const result = await entity(['run', 'What is 2+3?'], { cwd: directory, env: { OLLAMA_HOST: ollama.origin } });
    expect(result.stderr).toContain('→ add({"a":2,"b":3})');
    expect(result.stderr).toContain('← add 5');
    expect(result.stdout).toBe('2 + 3 = 5\n');
    expect(result.code).toBe(0);
    const chats = ollama.modelCalls.filter((call) => call.path === '/api/chat');
    expect(chats).toHaveLength(2);
    expect((chats[0]!.body as { stream?: boolean }).stream).toBe(true);
  });

  it('agent.yaml with type: openai and a baseURL: --json prints the run info (stages, tool calls, tokens, timings)', async () => {
    openai.reset();
    openai.enqueue({ toolCalls: [{ name: 'add', arguments: { a: 40, b: 2 } }], usage: { inputTokens: 30, outputTokens: 7 } });
    openai.respondWith({ text: 'It is 42.', usage: { inputTokens: 50, outputTokens: 4 } });
    const directory = project({
      'agent.yaml': `name: math\ninstructions: Use tools.\nresources:\n  llm:\n    type: openai\n    model: gpt-4o-mini\n    baseURL: ${openai.origin}/v1\n    apiKey: sk-test\n${memory}plugins:\n  - ./tools/add.ts\n`,
      'tools/add.ts': ADD_TOOL,
    });
    const result = await entity(['run', 'agent.yaml', 'What is 40+2?', '--json', '--user', 'ada'], { cwd: directory });
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output).toMatchObject({ ok: true, text: 'It is 42.', info: { userId: 'ada', iterations: 2, usage: { inputTokens: 80, outputTokens: 11, totalTokens: 91 } } });
    expect(output.info.toolCalls).toMatchObject([{ name: 'add', arguments: { a: 40, b: 2 }, success: true }]);
    expect(output.stages.map((entry: { stage: string }) => entry.stage).slice(0, 4)).toEqual(['PARSE', 'THINK', 'DO', 'DELIVER']);
    expect(output.timings.totalMs).toBeGreaterThan(0);
    expect(output.timings.firstTokenMs).toBeGreaterThan(0);
    const sent = openai.modelCalls[0]!.body as { model: string; tools: { function: { name: string } }[]; messages: { role: string; content: string }[] };
    expect(sent.model).toBe('gpt-4o-mini');
    expect(sent.tools.map((tool) => tool.function.name)).toEqual(['add']);
    expect(sent.messages[0]).toEqual({ role: 'system', content: 'Use tools.' });
  });

  it('works with the Anthropic wire format too', async () => {
    const anthropic = await startAnthropicServer({});
    try {
      anthropic.respondWith({ text: 'Bonjour from Claude.' });
      const directory = project({
        'agent.yaml': `resources:\n  llm:\n    type: anthropic\n    model: claude-haiku-4-5\n    apiKey: sk-ant-test\n    baseURL: ${anthropic.origin}\n${memory}`,
      });
      const result = await entity(['run', 'Say hello in French'], { cwd: directory });
      expect(result.stdout).toBe('Bonjour from Claude.\n');
      expect(result.code).toBe(0);
    } finally {
      await anthropic.close();
    }
  });

  it('no model reachable: the actionable message, no stack trace, exit 1', async () => {
    const result = await entity(['run', 'hello'], { cwd: project() });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('No language model is available');
    expect(result.stderr).toContain('ollama pull llama3.2:3b');
    expect(result.stderr).toContain('OPENAI_API_KEY');
    expect(hasStackTrace(result.stderr)).toBe(false);
  });

  it('a provider failing during the turn: the run fails in THINK, exit 1, no stack trace', async () => {
    openai.reset();
    openai.respondWith({ error: { status: 400, message: 'This model does not exist' } });
    const directory = project({ 'agent.yaml': `resources:\n  llm:\n    type: openai\n    model: nope\n    baseURL: ${openai.origin}/v1\n    apiKey: sk-test\n    retries: 0\n${memory}` });
    const result = await entity(['run', 'hello'], { cwd: directory });
    expect(result.code).toBe(1);
    // The apology is not the answer: nothing on stdout, the failure once on stderr.
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/The run failed in THINK \(entity:chat\): The language model is unavailable right now\. .*\[LLM_BAD_REQUEST\]/);
    expect(result.stderr.match(/The run failed/g)).toHaveLength(1);
    expect(result.stderr).not.toContain('error in THINK');
    expect(hasStackTrace(result.stderr)).toBe(false);
    const json = await entity(['run', 'hello', '--json'], { cwd: directory });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, status: 'failed', info: { failure: { stage: 'THINK', code: 'LLM_BAD_REQUEST' } } });
  });

  it('starts a new conversation each time; --continue continues the last chat\'s session', async () => {
    openai.reset();
    openai.respondWith((request) => ({ text: `seen ${(request.body as { messages: { role: string }[] }).messages.filter((m) => m.role === 'user').length}` }));
    const directory = project({ 'agent.yaml': `resources:\n  llm:\n    type: openai\n    model: gpt-4o-mini\n    baseURL: ${openai.origin}/v1\n    apiKey: sk-test\n${memory}` });
    const chat = await entity(['chat', '--user', 'ada', '--new'], { cwd: directory, input: 'My name is Ada\n' });
    expect(chat.code, chat.stderr).toBe(0);
    const fresh = await entity(['run', 'What is my name?'], { cwd: directory });
    expect(fresh.stdout).toBe('seen 1\n');
    const continued = await entity(['run', '--continue', 'What is my name?'], { cwd: directory });
    expect(continued.stdout).toBe('seen 2\n');
    const json = await entity(['run', '--continue', 'Again?', '--json'], { cwd: directory });
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'ok', text: 'seen 3', info: { userId: 'ada' } });
  });

  it('an invalid config lists every problem with its path and fix, exit 2', async () => {
    const directory = project({ 'agent.yaml': 'name: broken\nmaxIterations: zero\nresources:\n  llm:\n    type: gpt\nplugin: []\n' });
    const result = await entity(['run', 'hello'], { cwd: directory });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid configuration');
    expect(result.stderr).toContain('maxIterations');
    expect(result.stderr).toContain('unknown key "plugin"');
    expect(result.stderr).toContain('fix:');
    expect(hasStackTrace(result.stderr)).toBe(false);
  });

  it('usage errors: empty message, a config that does not exist, a bad --timeout (exit 2)', async () => {
    expect((await entity(['run', '  '])).code).toBe(2);
    const missing = await entity(['run', 'nothing.yaml', 'hi']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('config not found: nothing.yaml');
    const timeout = await entity(['run', 'hi', '--timeout', 'soon']);
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toContain('--timeout needs a whole number');
  });

  it('model and tool output cannot drive the terminal: control sequences are stripped from tokens, tool calls and results', async () => {
    const hostile = 'Hi\u001b[2J\u001b]0;pwned\u0007 there\u001b[31m red\r over\u009b1;1H \u202egnp.exe\ttab\nline two\u001b]8;;http://evil\u001b\\ link';
    openai.reset();
    openai.enqueue({ toolCalls: [{ name: 'echo', arguments: { text: hostile } }] });
    openai.respondWith({ text: hostile });
    const directory = project({
      'agent.yaml': `resources:\n  llm:\n    type: openai\n    model: gpt-4o-mini\n    baseURL: ${openai.origin}/v1\n    apiKey: sk-test\n${memory}plugins:\n  - ./tools/echo.ts\n`,
      'tools/echo.ts': `import { defineTool } from '@entity/core';
import { z } from 'zod';
export const echo = defineTool({ name: 'echo', description: 'Echo', input: z.object({ text: z.string() }), execute: ({ text }) => text });
`,
    });
    const result = await entity(['run', 'say it'], { cwd: directory, env: { FORCE_COLOR: '1' } });
    expect(result.code, result.stderr).toBe(0);
    // Streamed token by token, sequences split across tokens included: none survives.
    expect(result.stdout).not.toMatch(TERMINAL_CONTROL);
    expect(result.stdout).toBe('Hi there red over gnp.exe\ttab\nline two link\n');
    // stderr keeps the CLI's own colours only.
    expect(result.stderr.replace(OWN_COLOUR, '')).not.toMatch(TERMINAL_CONTROL);
    // The result (a plain string) lost the title sequence whole; the arguments show it JSON-escaped, inert.
    const resultLine = result.stderr.replace(OWN_COLOUR, '').split('\n').find((line) => line.startsWith('← echo'));
    expect(resultLine).toBe('← echo Hi there red over gnp.exe\ttab');
  });
});
