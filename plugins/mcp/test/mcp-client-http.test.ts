import type { ChildProcess } from 'node:child_process';
import type { Agent } from '@entity/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpTools } from '../src/index.js';
import { startHttpExample, testAgent } from './helpers.js';

let server: { url: string; child: ChildProcess };
const agents: Agent[] = [];
beforeAll(async () => {
  server = await startHttpExample();
});
afterAll(async () => {
  await Promise.all(agents.map((agent) => agent.stop()));
  server.child.kill();
});

describe('MCP client over Streamable HTTP (the example server as a loopback child process)', () => {
  it('sends the configured headers and mounts the allowed tools', async () => {
    const { agent } = testAgent([mcpTools({ servers: { remote: { url: server.url, headers: { Authorization: 'Bearer test-token' }, allow: ['echo', 'add'] } } })]);
    agents.push(agent);
    expect(await agent.callTool('echo', { text: 'over http' })).toMatchObject({ ok: true, value: 'over http' });
    expect(await agent.callTool('add', { a: 1, b: 2 })).toMatchObject({ ok: true, value: { sum: 3 } });
    expect(agent.discoverTools().map((tool) => tool.name).sort()).toEqual(['add', 'echo']);
  });

  it('fails the start clearly when the server refuses the credentials', async () => {
    const { agent } = testAgent([mcpTools({ servers: { remote: { url: server.url, headers: { Authorization: 'Bearer wrong' }, allow: ['echo'] } } })]);
    agents.push(agent);
    await expect(agent.start()).rejects.toThrow(/MCP server "remote" cannot be reached \(HTTP 401\): .*unauthorized/);
  });
});
