import { type ApiKeyConfig, hashApiKey, type HttpMount, type HttpServerHandle, serveHttp } from '@entity/plugin-http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpMount } from '../src/index.js';
import { buildAgent } from './fixtures/entity-agent.js';

const KEYS = { admin: 'ent_test_admin_key_000000000000000000000000', alice: 'ent_test_alice_key_000000000000000000000000' };
const API_KEYS: ApiKeyConfig[] = [
  { name: 'admin', hash: hashApiKey(KEYS.admin), role: 'admin' },
  { name: 'alice', hash: hashApiKey(KEYS.alice), role: 'user', userIds: ['alice'] },
];

const ORIGIN = 'https://app.example';
const agent = buildAgent();
let server: HttpServerHandle;
beforeAll(async () => {
  // The mount type-checks as the serving layer's HttpMount without plugin-mcp depending on plugin-http.
  const mount: HttpMount = mcpMount(agent);
  server = await serveHttp(agent, { auth: { apiKeys: API_KEYS }, port: 0, host: '127.0.0.1', mounts: [mount], cors: { origins: [ORIGIN] } });
});
afterAll(async () => {
  await server.close();
  await agent.stop();
});

async function connect(key: string | undefined, query = ''): Promise<Client> {
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp${query}`), key ? { requestInit: { headers: { authorization: `Bearer ${key}` } } } : {}));
  return client;
}

const textOf = (result: Awaited<ReturnType<Client['callTool']>>) => (result.content as { text: string }[]).map((block) => block.text).join('');

describe('the MCP endpoint mounted in @entity/plugin-http', () => {
  it("lets a browser MCP client on an allowed origin send and read MCP's session headers (CORS)", async () => {
    const preflight = await fetch(`${server.url}/mcp`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, mcp-session-id, mcp-protocol-version' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const allowed = (preflight.headers.get('access-control-allow-headers') ?? '').split(',').map((name) => name.trim());
    expect(allowed).toEqual(expect.arrayContaining(['authorization', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id']));
    const initialize = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { origin: ORIGIN, authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'browser', version: '1' } } }),
    });
    expect(initialize.status).toBe(200);
    expect((initialize.headers.get('access-control-expose-headers') ?? '').split(',').map((name) => name.trim())).toContain('mcp-session-id');
    await initialize.body?.cancel();
  });

  it('refuses a request without credentials with 401, before MCP sees it', async () => {
    const response = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
    });
    expect(response.status).toBe(401);
    await expect(connect(undefined)).rejects.toThrow();
  });

  it('runs the turn of an authenticated client as the credential\'s user', async () => {
    const client = await connect(KEYS.alice);
    try {
      expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(['add', 'chat', 'whoami']);
      expect(textOf(await client.callTool({ name: 'chat', arguments: { message: 'who am I?' } }))).toBe('You are alice.');
      expect(textOf(await client.callTool({ name: 'whoami', arguments: {} }))).toBe('alice');
    } finally {
      await client.close();
    }
  });

  it('acts for the user in ?userId= only when the credential may', async () => {
    const admin = await connect(KEYS.admin, '?userId=bob');
    try {
      expect(textOf(await admin.callTool({ name: 'chat', arguments: { message: 'who am I?' } }))).toBe('You are bob.');
    } finally {
      await admin.close();
    }
    await expect(connect(KEYS.alice, '?userId=bob')).rejects.toThrow(/may not act for user \\"bob\\"/);
  });
});
