import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createMcpHttpHandler } from '../src/index.js';
import { buildAgent } from './fixtures/entity-agent.js';

const AGENT_SCRIPT = fileURLToPath(new URL('./fixtures/entity-agent.ts', import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

const textOf = (result: Awaited<ReturnType<Client['callTool']>>) => (result.content as { type: string; text: string }[]).map((block) => block.text).join('');

async function checkAgentOverMcp(client: Client, userId: string) {
  const { tools } = await client.listTools();
  expect(tools.map((tool) => tool.name).sort()).toEqual(['add', 'chat', 'whoami']);
  expect(tools.find((tool) => tool.name === 'add')!.inputSchema).toMatchObject({ type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] });
  const sum = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
  expect(sum.isError).toBeFalsy();
  expect(textOf(sum)).toBe('5');
  const invalid = await client.callTool({ name: 'add', arguments: { a: 'two' } });
  expect(invalid.isError).toBe(true);
  expect(textOf(invalid)).toContain('Invalid arguments for tool "add"');
  const turn = await client.callTool({ name: 'chat', arguments: { message: 'who am I?' } });
  expect(turn.isError).toBeFalsy();
  expect(textOf(turn)).toBe(`You are ${userId}.`);
  const unknown = await client.callTool({ name: 'nope', arguments: {} });
  expect(unknown.isError).toBe(true);
}

describe('an Entity agent as an MCP server', () => {
  it('serves its tools and a chat tool over stdio to the SDK client (child process)', async () => {
    const client = new Client({ name: 'test', version: '1.0.0' });
    const transport = new StdioClientTransport({ command: process.execPath, args: [AGENT_SCRIPT, '--stdio'], stderr: 'inherit' });
    await client.connect(transport);
    cleanups.push(() => client.close());
    await checkAgentOverMcp(client, 'desktop-user');
  });

  it('serves the same over Streamable HTTP through the Web-standard handler, as the user the serving layer names', async () => {
    const agent = buildAgent();
    cleanups.push(() => agent.stop());
    const handler = createMcpHttpHandler(agent);
    const client = new Client({ name: 'test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL('http://127.0.0.1/mcp'), {
      fetch: (url, init) => handler(new Request(url, init), { userId: 'alice' }),
    });
    await client.connect(transport);
    cleanups.push(() => client.close());
    await checkAgentOverMcp(client, 'alice');
    const get = await handler(new Request('http://127.0.0.1/mcp', { method: 'GET', headers: { accept: 'text/event-stream' } }));
    expect(get.status).toBe(405);
    const garbage = await handler(new Request('http://127.0.0.1/mcp', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{"not json-rpc' }));
    expect(garbage.status).toBe(400);
  });

  it('can leave out the agent\'s tools or rename chat, and refuses names the agent lacks', async () => {
    const agent = buildAgent();
    cleanups.push(() => agent.stop());
    const handler = createMcpHttpHandler(agent, { tools: ['add'], chatTool: 'ask_helper' });
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL('http://127.0.0.1/mcp'), { fetch: (url, init) => handler(new Request(url, init)) }));
    cleanups.push(() => client.close());
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['add', 'ask_helper']);
    expect((await client.callTool({ name: 'whoami', arguments: {} })).isError).toBe(true);
    expect(() => createMcpHttpHandler(agent, { tools: ['missing'] })).toThrow(/the agent has no tool "missing"/);
    expect(() => createMcpHttpHandler(agent, { tools: ['add'], chatTool: 'add' })).toThrow(/a tool named "add" too/);
  });
});
