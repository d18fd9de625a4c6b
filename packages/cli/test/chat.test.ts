import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LoopbackServer, startOpenAIServer } from '@entity/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADD_TOOL, entity, hasStackTrace, project } from './helpers.js';

type Body = { messages: { role: string; content: string }[] };
const userMessages = (body: unknown) => (body as Body).messages.filter((message) => message.role === 'user').map((message) => message.content);

describe('entity chat (piped stdin)', () => {
  let openai: LoopbackServer;
  let directory: string;

  beforeAll(async () => {
    openai = await startOpenAIServer({});
    openai.respondWith((request) => {
      const users = userMessages(request.body);
      return { text: `echo: ${users.at(-1)} (${users.length} so far)` };
    });
    directory = project({
      'agent.yaml': `name: echo\nresources:\n  llm:\n    type: openai\n    model: gpt-4o-mini\n    baseURL: \${LLM_URL}\n    apiKey: sk-test\n  memory:\n    type: pglite\n    path: ./.entity/memory\n    embedder: hashing\nplugins:\n  - ./tools/add.ts\n`,
      'tools/add.ts': ADD_TOOL,
    });
  });
  afterAll(() => openai.close());

  const chat = (input: string, args: string[] = []) => entity(['chat', ...args], { cwd: directory, input, env: { LLM_URL: `${openai.origin}/v1` } });

  it('streams answers, joins multi-line input, runs slash commands, and keeps users apart', async () => {
    openai.reset();
    openai.respondWith((request) => {
      const users = userMessages(request.body);
      return { text: `echo: ${users.at(-1)} (${users.length} so far)` };
    });
    const input = ['My name is Ada', '/history', 'line one \\', 'line two', '"""', 'block a', 'block b', '"""', '/user bob', 'hello', '/nope', '/exit', 'never sent'].join('\n');
    const result = await chat(`${input}\n`);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('echo: My name is Ada (1 so far)');
    expect(result.stdout).toContain('you: My name is Ada\nassistant: echo: My name is Ada (1 so far)');
    expect(result.stdout).toContain('echo: line one \nline two (2 so far)');
    expect(result.stdout).toContain('echo: block a\nblock b (3 so far)');
    expect(result.stdout).toContain('Now chatting as bob');
    expect(result.stdout).toContain('echo: hello (1 so far)');
    expect(result.stdout).toContain('unknown command /nope');
    expect(result.stdout).not.toContain('never sent');
    expect(openai.modelCalls).toHaveLength(4);
    expect(result.stderr).toContain('echo · openai gpt-4o-mini · user default');
  });

  it('a restarted chat continues the conversation kept in memory; /reset starts a new one', async () => {
    openai.reset();
    openai.respondWith((request) => ({ text: `seen ${userMessages(request.body).length}` }));
    const result = await chat('What is my name?\n/reset\nfresh start\n', ['--user', 'default']);
    expect(result.code).toBe(0);
    const [continued, reset] = openai.modelCalls;
    expect(userMessages(continued!.body)).toEqual(['My name is Ada', 'line one \nline two', 'block a\nblock b', 'What is my name?']);
    expect(userMessages(reset!.body)).toEqual(['fresh start']);
    expect(result.stdout).toContain('Started a new conversation');
    const session = JSON.parse(readFileSync(join(directory, '.entity', 'cli-session.json'), 'utf8'));
    expect(session).toMatchObject({ userId: 'default' });
    expect(session.conversationId).toMatch(/^chat-/);
  });

  it('shows tool calls as they happen', async () => {
    openai.reset();
    openai.enqueue({ toolCalls: [{ name: 'add', arguments: { a: 1, b: 2 } }] }, { text: 'one plus two is three' });
    const result = await chat('1+2?\n', ['--new']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('→ add({"a":1,"b":2})');
    expect(result.stderr).toContain('← add 3');
    expect(result.stdout).toContain('one plus two is three');
  });

  it('piped turns that fail: the chat goes on, then exits 1 and says how many failed', async () => {
    openai.reset();
    openai.enqueue({ text: 'first is fine' }, { error: { status: 400, message: 'This model does not exist' } }, { text: 'third is fine' });
    const result = await chat('one\ntwo\nthree\n', ['--new']);
    expect(result.stdout).toContain('first is fine');
    expect(result.stdout).toContain('third is fine');
    expect(result.stderr).toContain('1 of 3 turns failed');
    expect(result.code).toBe(1);
  });

  it('without a model it stops at start with the actionable message, exit 1', async () => {
    const result = await entity(['chat'], { cwd: project(), input: 'hello\n' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No language model is available');
    expect(hasStackTrace(result.stderr)).toBe(false);
  });
});
