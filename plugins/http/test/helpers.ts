import { Agent, type AgentOptions, inMemoryLogger, inMemoryMemory } from '@entity/core';
import { type ScriptedLLM, type ScriptedReplies, scriptedLLM } from '@entity/core/testing';
import { type ApiKeyConfig, hashApiKey, type HttpServerHandle, type ServeHttpOptions, serveHttp } from '../src/index.js';

/** Keys the tests present, and the config that stores their hashes. */
export const KEYS = {
  admin: 'ent_test_admin_key_000000000000000000000000',
  alice: 'ent_test_alice_key_000000000000000000000000',
  viewer: 'ent_test_viewer_key_00000000000000000000000',
} as const;

export const API_KEYS: ApiKeyConfig[] = [
  { name: 'admin', hash: hashApiKey(KEYS.admin), role: 'admin' },
  { name: 'alice', hash: hashApiKey(KEYS.alice), role: 'user', userIds: ['alice'] },
  { name: 'viewer', hash: hashApiKey(KEYS.viewer), role: 'viewer', userIds: '*' },
];

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

export interface TestServer {
  agent: Agent;
  llm: ScriptedLLM;
  handle: HttpServerHandle;
  logger: ReturnType<typeof inMemoryLogger>;
  url(path: string): string;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
}

/** An agent with a scripted model and in-memory memory, served on an ephemeral loopback port. */
export async function startTestServer(
  replies: ScriptedReplies,
  serveOptions: Partial<ServeHttpOptions> = {},
  agentOptions: Partial<AgentOptions> = {},
): Promise<TestServer> {
  const logger = inMemoryLogger({ echoLevel: false, level: 'debug' });
  const llm = scriptedLLM(replies);
  const agent = new Agent({
    name: 'test-agent',
    zeroConfig: false,
    // Several tests leave a model call hanging on purpose; stop() would wait the default 10 s for it.
    stopTimeoutMs: 1_000,
    ...agentOptions,
    resources: { llm, memory: inMemoryMemory(), logging: logger, ...agentOptions.resources },
  });
  const handle = await serveHttp(agent, { auth: { apiKeys: API_KEYS }, port: 0, ...serveOptions });
  const url = (path: string) => `${handle.url}${path}`;
  return {
    agent,
    llm,
    handle,
    logger,
    url,
    post: (path, body, headers = {}) =>
      fetch(url(path), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(KEYS.admin), ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
  };
}

export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/** Parses SSE text into messages and comment lines, per the WHATWG event-stream format. */
export function parseSse(text: string): { messages: SseMessage[]; comments: string[] } {
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    if (block.trim() === '') continue;
    const message: SseMessage = { data: '' };
    const data: string[] = [];
    let hasField = false;
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(':')) {
        comments.push(line.slice(1).trim());
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      hasField = true;
      if (field === 'data') data.push(value);
      else if (field === 'id') message.id = value;
      else if (field === 'event') message.event = value;
    }
    if (!hasField) continue;
    message.data = data.join('\n');
    messages.push(message);
  }
  return { messages, comments };
}

/** A promise with its resolve function, for tests that pause a scripted model until they say so. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}
