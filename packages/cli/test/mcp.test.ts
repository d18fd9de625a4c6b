import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import { ADD_TOOL, BIN, project } from './helpers.js';

const SCRIPTED_AGENT = fileURLToPath(new URL('./fixtures/scripted-agent.ts', import.meta.url));
const textOf = (result: Awaited<ReturnType<Client['callTool']>>) => (result.content as { text: string }[]).map((block) => block.text).join('');

describe('entity mcp', () => {
  it('serves an agent over stdio to the MCP SDK\'s client: its tools and a chat tool that runs a turn', async () => {
    const client = new Client({ name: 'desktop-host', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', SCRIPTED_AGENT], env: { ...(process.env as Record<string, string>), OLLAMA_HOST: 'http://127.0.0.1:1' }, stderr: 'pipe' }));
    try {
      expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(['add', 'chat']);
      expect(textOf(await client.callTool({ name: 'add', arguments: { a: 20, b: 22 } }))).toBe('42');
      expect(textOf(await client.callTool({ name: 'chat', arguments: { message: 'what is 2 + 3?' } }))).toBe('The answer is 5.');
    } finally {
      await client.close();
    }
  });

  it('keeps stdout for protocol messages only, even with a logging resource that prints to the console', { timeout: 90_000 }, async () => {
    if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL is not set: start PostgreSQL with pgvector and set DATABASE_URL=postgres://postgres@127.0.0.1:5432/entity_test');
    const directory = project({
      'agent.yaml': [
        'resources:',
        '  llm: { type: openai, model: gpt-test, baseURL: "http://127.0.0.1:1/v1", apiKey: sk-test }',
        '  logging: { type: logging, level: debug }',
        // Real Postgres on loopback: the embedded default (PGlite) takes too long to start on a busy machine.
        // Its own schema (one name, reused): tables in public would be shared with whatever else uses the database.
        '  memory: { type: postgres, url: "${DATABASE_URL}", schema: entity_test_cli_mcp }',
        'plugins:',
        '  - ./tools/add.mjs',
        '',
      ].join('\n'),
      'tools/add.mjs': `${ADD_TOOL}console.log('a plugin printing to stdout');\n`,
    });
    const child = spawn(process.execPath, [BIN, 'mcp', directory], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, OLLAMA_HOST: 'http://127.0.0.1:1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 2 } } });
    const deadline = Date.now() + 60_000;
    while (!stdout.includes('"id":2') && Date.now() < deadline && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 50));
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    const lines = stdout.trim().split('\n');
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    expect(lines.map((line) => JSON.parse(line).id)).toEqual([1, 2]);
    expect(JSON.parse(lines[1]!).result.content[0].text).toBe('3');
    expect(stderr).toContain('a plugin printing to stdout');
    expect(stderr).toContain("logging resource's console output is off");
    expect(code).toBe(0);
  });
});
