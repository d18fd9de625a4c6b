import { type Task, TaskState } from '@a2a-js/sdk';
import { ClientFactory } from '@a2a-js/sdk/client';
import { Agent, inMemoryLogger, inMemoryMemory } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { type ApiKeyConfig, type HttpServerHandle, hashApiKey, serveHttp } from '@entity/plugin-http';
import { afterEach, describe, expect, it } from 'vitest';
import { createA2AServer } from '../src/index.js';
import { sendRequest, textOf, userText } from './helpers.js';

const KEYS = {
  alice: 'ent_test_alice_key_000000000000000000000000',
  bob: 'ent_test_bob_key_00000000000000000000000000',
  viewer: 'ent_test_viewer_key_00000000000000000000000',
};
const API_KEYS: ApiKeyConfig[] = [
  { name: 'alice-key', hash: hashApiKey(KEYS.alice), role: 'user', userIds: ['alice'] },
  { name: 'bob-key', hash: hashApiKey(KEYS.bob), role: 'user', userIds: ['bob'] },
  { name: 'viewer-key', hash: hashApiKey(KEYS.viewer), role: 'viewer', userIds: '*' },
];

let handle: HttpServerHandle | undefined;
let agent: Agent | undefined;
afterEach(async () => {
  await handle?.close();
  await agent?.stop();
  handle = undefined;
  agent = undefined;
});

/** An agent served by @entity/plugin-http with the A2A endpoints mounted; records who each turn ran for. */
async function serve() {
  const runs: { userId: string; conversationId: string }[] = [];
  agent = new Agent({
    name: 'mounted-agent',
    zeroConfig: false,
    resources: { llm: scriptedLLM((request) => `you said ${request.messages.filter((message) => message.role === 'user').length} things`), memory: inMemoryMemory(), logging: inMemoryLogger({ echoLevel: false }) },
  });
  agent.use(
    (context) => {
      runs.push({ userId: context.userId, conversationId: context.conversationId });
    },
    { stages: ['PARSE'] },
  );
  const a2a = createA2AServer(agent, { description: 'Mounted for the test' });
  handle = await serveHttp(agent, { auth: { apiKeys: API_KEYS }, port: 0, host: '127.0.0.1', mounts: a2a.mounts() });
  const client = await new ClientFactory().createFromUrl(handle.url);
  const as = (key: string) => ({ serviceParameters: { authorization: `Bearer ${key}` } });
  return { runs, client, as, url: handle.url, a2a };
}

describe('mounted in @entity/plugin-http: the serving layer authenticates, the principal picks the user', () => {
  it('serves the agent card without a credential', async () => {
    const { client, url } = await serve();
    const card = await client.getAgentCard();
    expect(card.name).toBe('mounted-agent');
    expect(card.supportedInterfaces[0]!.url).toBe(`${url}/a2a`);
  });

  it('answers 404 below the endpoint path, and 503 once closed', async () => {
    const { url, a2a, client, as } = await serve();
    const below = await fetch(`${url}/a2a/tasks`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.alice}` }, body: '{}' });
    expect(below.status).toBe(404);
    a2a.close();
    await expect(client.sendMessage(sendRequest(userText('late')), as(KEYS.alice))).rejects.toThrow(/503|closed/);
  });

  it('refuses unauthenticated JSON-RPC calls with 401, and a viewer key with 403', async () => {
    const { client, as, url, runs } = await serve();
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'SendMessage', params: { message: { messageId: 'm1', role: 'ROLE_USER', parts: [{ text: 'hi' }] } } });
    const anonymous = await fetch(`${url}/a2a`, { method: 'POST', headers: { 'content-type': 'application/json', 'a2a-version': '1.0' }, body });
    expect(anonymous.status).toBe(401);
    const forged = await fetch(`${url}/a2a`, { method: 'POST', headers: { 'content-type': 'application/json', 'a2a-version': '1.0', authorization: 'Bearer not-a-key' }, body });
    expect(forged.status).toBe(401);
    await expect(client.sendMessage(sendRequest(userText('hi')))).rejects.toThrow(/401/);
    await expect(client.sendMessage(sendRequest(userText('hi')), as(KEYS.viewer))).rejects.toThrow(/403/);
    expect(runs).toHaveLength(0);
  });

  it("runs the turn for the key's user, with contextId as the conversation; another user sees neither task nor conversation", async () => {
    const { client, as, runs } = await serve();
    const first = (await client.sendMessage(sendRequest(userText('one')), as(KEYS.alice))) as Task;
    expect(first.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(runs[0]).toEqual({ userId: 'alice', conversationId: first.contextId });
    const second = (await client.sendMessage(sendRequest(userText('two', { contextId: first.contextId })), as(KEYS.alice))) as Task;
    expect(textOf(second.artifacts[0]!.parts)).toBe('you said 2 things');

    await expect(client.getTask({ tenant: '', id: first.id }, as(KEYS.bob))).rejects.toThrow(/not found/i);
    await expect(client.cancelTask({ tenant: '', id: first.id, metadata: undefined }, as(KEYS.bob))).rejects.toThrow(/not found/i);
    const bobs = (await client.sendMessage(sendRequest(userText('three', { contextId: first.contextId })), as(KEYS.bob))) as Task;
    expect(runs.at(-1)).toEqual({ userId: 'bob', conversationId: first.contextId });
    expect(textOf(bobs.artifacts[0]!.parts)).toBe('you said 1 things');
    expect((await client.getTask({ tenant: '', id: first.id }, as(KEYS.alice))).id).toBe(first.id);
  });
});
