import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AgentEvent, inMemoryMemory, type Memory } from '@entity/core';
import { openai } from '@entity/resources-llm';
import { type LoopbackServer, type ScriptedReply, startOpenAIServer } from '@entity/test-servers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, INSTRUCTIONS, type Role, type Team } from '../src/team.ts';

interface WireMessage {
  role: string;
  content: string | null;
  tool_calls?: { function: { name: string } }[];
}
interface WireRequest {
  model: string;
  messages: WireMessage[];
}

const SECRET = 'sk-live-0123456789abcdefghij';

/** Which member a request is for: by its system prompt (the model name is the same in main.ts). */
function roleOf(body: WireRequest): Role {
  const system = body.messages[0]?.role === 'system' ? body.messages[0].content : '';
  const role = (Object.keys(INSTRUCTIONS) as Role[]).find((candidate) => system === INSTRUCTIONS[candidate]);
  if (!role) throw new Error(`request with an unknown system prompt: ${system}`);
  return role;
}

/**
 * The scripted team: research answers with notes on the question, writer turns what it is given
 * into prose, supervisor calls research, then writer, then answers with the writer's text (or
 * says what failed).
 */
function teamModel(options: { researchFails?: boolean } = {}) {
  return (request: { body: unknown }): ScriptedReply => {
    const body = request.body as WireRequest;
    const last = body.messages.at(-1)!;
    switch (roleOf(body)) {
      case 'research':
        if (options.researchFails) return { error: { status: 400, message: `invalid model key ${SECRET}` } };
        return { text: `Notes on ${last.content}` };
      case 'writer':
        return { text: `Written up: ${last.content}` };
      case 'supervisor': {
        if (last.role === 'user') return { toolCalls: [{ name: 'research', arguments: { message: last.content } }] };
        if (last.content?.startsWith('Error:')) return { text: `Sorry, the team could not answer. ${last.content}` };
        const calledWriter = body.messages.some((message) => message.tool_calls?.some((call) => call.function.name === 'writer'));
        if (!calledWriter) return { toolCalls: [{ name: 'writer', arguments: { message: last.content } }] };
        return { text: `Final: ${last.content}` };
      }
    }
  };
}

describe('supervisor team over a loopback OpenAI server (official SDK)', () => {
  let server: LoopbackServer & { baseURL: string };
  let team: Team;
  let memories: Record<Role, Memory>;

  beforeAll(async () => {
    server = await startOpenAIServer({});
  });
  afterAll(async () => {
    await server.close();
  });
  afterEach(async () => {
    await team?.stop();
  });

  function startTeam(): Team {
    memories = { supervisor: inMemoryMemory(), research: inMemoryMemory(), writer: inMemoryMemory() };
    team = createTeam({
      llm: (role) => openai({ model: `${role}-model`, baseURL: server.baseURL, apiKey: 'sk-test', retry: false }),
      memory: (role) => memories[role],
    });
    return team;
  }

  const requestsOf = (role: Role) => server.modelCalls.map((call) => call.body as WireRequest).filter((body) => body && roleOf(body) === role);

  it('answers through research and writer, streaming their events nested under the tool calls', async () => {
    server.reset();
    server.respondWith(teamModel());
    startTeam();
    const events: AgentEvent[] = [];
    for await (const event of team.supervisor.stream('pgvector', { userId: 'alice', conversationId: 'c1' })) events.push(event);
    const done = events.at(-1)!;
    expect(done).toMatchObject({ type: 'done', result: { status: 'ok', text: 'Final: Written up: Notes on pgvector' } });

    const calls = events.flatMap((event) => (event.type === 'tool-call' ? [event] : []));
    expect(calls.map((call) => call.name)).toEqual(['research', 'writer']);
    for (const call of calls) {
      const nested = events.flatMap((event) => (event.type === 'nested' && event.callId === call.callId ? [event] : []));
      expect(nested.every((event) => event.agent === call.name)).toBe(true);
      const types = nested.map((event) => event.event.type);
      expect(types[0]).toBe('run-start');
      expect(types).toContain('token');
      expect(types.at(-1)).toBe('response');
    }
    // Each member got its own model and instructions.
    expect(requestsOf('research').map((body) => body.model)).toEqual(['research-model']);
    expect(requestsOf('writer')[0]!.messages.at(-1)!.content).toBe('Notes on pgvector');
    // One trace: the inner runs ran as alice, in conversations of their own.
    const runStarts = events.flatMap((event) => (event.type === 'nested' && event.event.type === 'run-start' ? [event.event] : []));
    expect(runStarts).toEqual([
      expect.objectContaining({ userId: 'alice', conversationId: 'c1:research' }),
      expect.objectContaining({ userId: 'alice', conversationId: 'c1:writer' }),
    ]);
  });

  it('gives the supervisor a clear tool error when the research agent fails, and still answers', async () => {
    server.reset();
    server.respondWith(teamModel({ researchFails: true }));
    startTeam();
    const result = await team.supervisor.chat('pgvector', { userId: 'alice', conversationId: 'c1' });
    expect(result.status).toBe('ok');
    expect(result.text).toMatch(/^Sorry, the team could not answer\. Error: The agent "research" could not answer \(/);
    expect(result.info.toolCalls).toEqual([expect.objectContaining({ name: 'research', success: false, code: 'TOOL_ERROR' })]);
    // The provider's error text (with its key) reached neither the supervisor's model nor the answer.
    const supervisorRequests = JSON.stringify(requestsOf('supervisor'));
    expect(supervisorRequests).not.toContain(SECRET);
    expect(result.text).not.toContain(SECRET);
    expect(requestsOf('writer')).toEqual([]);
  });

  it("keeps each user's inner conversations apart, and continues a user's own", async () => {
    server.reset();
    server.respondWith(teamModel());
    startTeam();
    await team.supervisor.chat('alice topic one', { userId: 'alice', conversationId: 'c1' });
    await team.supervisor.chat('bob topic', { userId: 'bob', conversationId: 'c1' });
    await team.supervisor.chat('alice topic two', { userId: 'alice', conversationId: 'c1' });
    const research = requestsOf('research').map((body) => body.messages.map((message) => message.content).join(' | '));
    expect(research[1]).not.toContain('alice');
    // Alice's second research call continues her first one.
    expect(research[2]).toContain('alice topic one');
    expect(research[2]).not.toContain('bob');
    const inner = (userId: string) => memories.research.loadMessages({ userId, conversationId: 'c1:research' });
    expect((await inner('alice')).map(({ message }) => message.content)).toEqual([
      'alice topic one',
      'Notes on alice topic one',
      'alice topic two',
      'Notes on alice topic two',
    ]);
    expect((await inner('bob')).map(({ message }) => message.content)).toEqual(['bob topic', 'Notes on bob topic']);
    // The supervisor's own conversation holds the user's turns, not the members'.
    const supervisorTurns = await memories.supervisor.loadMessages({ userId: 'alice', conversationId: 'c1' });
    expect(supervisorTurns.filter(({ message }) => message.role === 'user').map(({ message }) => message.content)).toEqual(['alice topic one', 'alice topic two']);
  });
});

describe('the supervisor sample as a program (node src/main.ts)', () => {
  it('answers one question against a loopback OpenAI server, showing the members at work', async () => {
    const server = await startOpenAIServer({});
    server.respondWith(teamModel());
    const app = fileURLToPath(new URL('..', import.meta.url));
    mkdirSync(join(app, '.entity'), { recursive: true });
    const cwd = mkdtempSync(join(app, '.entity', 'test-run-'));
    try {
      const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(OLLAMA_HOST|OPENAI_|ANTHROPIC_)/.test(key)));
      const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [join(app, 'src/main.ts'), 'pgvector'], {
          cwd,
          env: { ...clean, OLLAMA_HOST: 'http://127.0.0.1:1', OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: server.baseURL },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk) => (stdout += chunk));
        child.stderr.on('data', (chunk) => (stderr += chunk));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('→ research({"message":"pgvector"})');
      expect(result.stdout).toContain('  [research] Notes on pgvector');
      expect(result.stdout).toContain('→ writer({"message":"Notes on pgvector"})');
      expect(result.stdout).toContain('supervisor › Final: Written up: Notes on pgvector');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
      await server.close();
    }
  }, 240_000);
});

