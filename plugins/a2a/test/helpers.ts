import type { AddressInfo } from 'node:net';
import { Message, type Part, Role } from '@a2a-js/sdk';
import { type Client, ClientFactory } from '@a2a-js/sdk/client';
import { Agent, type AgentOptions, inMemoryLogger, inMemoryMemory } from '@entity/core';
import { type ScriptedLLM, type ScriptedReplies, scriptedLLM } from '@entity/core/testing';
import { createAdaptorServer } from '@hono/node-server';
import { type A2AServer, type A2AServerOptions, createA2AServer } from '../src/index.js';

export interface Served {
  url: string;
  close(): Promise<void>;
}

/** Serves a Web-standard `fetch` function on an ephemeral loopback port. */
export async function serveFetch(fetch: (request: Request) => Response | Promise<Response>): Promise<Served> {
  const server = createAdaptorServer({ fetch, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

export interface EntityA2A extends Served {
  agent: Agent;
  llm: ScriptedLLM;
  a2a: A2AServer;
}

/** Header the direct (not yet mounted) tests name the caller with; the mount tests use real credentials. */
export const TEST_USER_HEADER = 'x-test-user';

/** An Entity agent with a scripted model, published over A2A on a loopback port; the caller is `x-test-user` (default alice). */
export async function startEntityA2A(replies: ScriptedReplies, agentOptions: Partial<AgentOptions> = {}, serverOptions: A2AServerOptions = {}): Promise<EntityA2A> {
  const llm = scriptedLLM(replies);
  const agent = new Agent({
    name: 'entity-test-agent',
    zeroConfig: false,
    ...agentOptions,
    resources: { llm, memory: inMemoryMemory(), logging: inMemoryLogger({ echoLevel: false }), ...agentOptions.resources },
  });
  await agent.start();
  const a2a = createA2AServer(agent, serverOptions);
  const served = await serveFetch((request) => {
    const { pathname } = new URL(request.url);
    if (pathname === '/.well-known/agent-card.json') return a2a.handleAgentCard(request);
    if (pathname === '/a2a') return a2a.handle(request, { userId: request.headers.get(TEST_USER_HEADER) ?? 'alice' });
    return new Response('not found', { status: 404 });
  });
  return {
    ...served,
    agent,
    llm,
    a2a,
    close: async () => {
      a2a.close();
      await served.close();
      await agent.stop();
    },
  };
}

/** The SDK's own client for the agent at `url`, calling as `user`. */
export async function sdkClient(url: string, user = 'alice') {
  const factory = new ClientFactory();
  const client = await factory.createFromUrl(url);
  return { client, options: { serviceParameters: { [TEST_USER_HEADER]: user } } };
}

export function userText(text: string, ids: { contextId?: string; taskId?: string } = {}): Message {
  return Message.fromJSON({ messageId: crypto.randomUUID(), role: 'ROLE_USER', parts: [{ text }], ...ids });
}

export function sendRequest(message: Message): Parameters<Client['sendMessage']>[0] {
  return { tenant: '', message, configuration: undefined, metadata: undefined };
}

export function textOf(parts: readonly Part[]): string {
  return parts.map((part) => (part.content?.$case === 'text' ? part.content.value : '')).join('');
}

export { Role };
