import { type Agent, ConfigError } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { mcpTools } from '../src/index.js';
import { alive, EXAMPLE_SERVER, eventually, stdioServer, testAgent } from './helpers.js';

const agents: Agent[] = [];
const track = <T extends { agent: Agent }>(made: T): T => {
  agents.push(made.agent);
  return made;
};
afterEach(async () => {
  await Promise.all(agents.splice(0).map((agent) => agent.stop()));
});

async function pidOf(agent: Agent): Promise<number> {
  const result = await agent.callTool('pid', {});
  if (!result.ok) throw new Error(result.error.message);
  return Number(result.value);
}

describe('MCP client over stdio (the example server as a child process)', () => {
  it('registers only the allowed tools, with the server\'s descriptions and JSON Schemas', async () => {
    const { agent } = track(testAgent([mcpTools({ servers: { example: stdioServer(['echo', 'add']) } })]));
    expect(agent.discoverTools().map((tool) => tool.name).sort()).toEqual(['add', 'echo']);
    await agent.start();
    const add = agent.discoverTools({ search: 'add' })[0]!;
    expect(add).toMatchObject({ name: 'add', description: 'Add two numbers', plugin: 'mcp' });
    expect(add.parameters).toEqual({ type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'], additionalProperties: false });
    expect(agent.discoverTools().some((tool) => tool.name === 'secret')).toBe(false);
    const secret = await agent.callTool('secret', {});
    expect(secret).toMatchObject({ ok: false, error: { code: 'TOOL_NOT_FOUND' } });
  });

  it('drives a real turn: the scripted model calls an MCP tool and answers with its result', async () => {
    const llm = scriptedLLM((request) => {
      const last = request.messages.at(-1)!;
      if (last.role === 'tool') return `The sum is ${last.content}.`;
      return { toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] };
    });
    const { agent } = track(testAgent([mcpTools({ servers: { example: stdioServer(['add']) } })], llm));
    const result = await agent.chat('What is 2+3?', { userId: 'u1' });
    expect(result.text).toBe('The sum is {"sum":5}.');
    expect(result.info.toolCalls).toEqual([expect.objectContaining({ name: 'add', success: true, stage: 'DO' })]);
    expect(llm.requests[0]!.tools!.map((tool) => tool.name)).toEqual(['add']);
  });

  it('checks arguments against the server\'s schema before calling it', async () => {
    const { agent } = track(testAgent([mcpTools({ servers: { example: stdioServer(['add']) } })]));
    const result = await agent.callTool('add', { a: 'two', b: 3 });
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENTS' } });
    expect(!result.ok && result.error.message).toContain('must be number');
  });

  it('turns a server killed in the middle of a call into a tool error, then reconnects with a new process', async () => {
    const { agent } = track(testAgent([mcpTools({ servers: { example: stdioServer(['crash', 'pid', 'echo']) } })]));
    const before = await pidOf(agent);
    const crashed = await agent.callTool('crash', {});
    expect(crashed).toMatchObject({ ok: false, error: { code: 'MCP_CALL_FAILED' } });
    expect(!crashed.ok && crashed.error.message).toMatch(/MCP server "example" failed on tool "crash": .*closed/i);
    const echoed = await agent.callTool('echo', { text: 'back again' });
    expect(echoed).toMatchObject({ ok: true, value: 'back again' });
    const after = await pidOf(agent);
    expect(after).not.toBe(before);
    expect(alive(before)).toBe(false);
  });

  it('reconnects in the background with backoff after the server dies between calls', async () => {
    const mcp = mcpTools({ servers: { example: stdioServer(['pid'], { reconnectDelayMs: 50 }) } });
    const { agent, logging } = track(testAgent([mcp]));
    const before = await pidOf(agent);
    process.kill(before, 'SIGKILL');
    await eventually(() => logging.entries.some((entry) => entry.message.includes('went away')), 5_000, 'the disconnect');
    await eventually(() => mcp.server('example').connected, 5_000, 'the reconnect');
    expect(await pidOf(agent)).not.toBe(before);
  });

  it('gives the model a TIMEOUT tool error for a slow tool and cancels the call at the server', async () => {
    const { agent } = track(testAgent([mcpTools({ servers: { example: stdioServer(['slow', 'echo'], { timeoutMs: 200 }) } })]));
    await agent.start();
    const started = performance.now();
    const result = await agent.callTool('slow', { ms: 5_000 });
    expect(result).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(await agent.callTool('echo', { text: 'still here' })).toMatchObject({ ok: true, value: 'still here' });
  });

  it('refuses an oversized result with a tool error that says how to get less', async () => {
    const { agent } = track(testAgent([mcpTools({ servers: { example: stdioServer(['big'], { maxResultBytes: 1_000 }) } })]));
    expect(await agent.callTool('big', { bytes: 999 })).toMatchObject({ ok: true });
    const result = await agent.callTool('big', { bytes: 50_000 });
    expect(result).toMatchObject({ ok: false, error: { code: 'MCP_RESULT_TOO_LARGE' } });
    expect(!result.ok && result.error.message).toContain('50000 bytes, over the limit of 1000');
  });

  it('holds an error result to the result limit too: a server cannot flood the model through isError', async () => {
    const { agent } = track(testAgent([mcpTools({ servers: { example: stdioServer(['fail'], { maxResultBytes: 1_000 }) } })]));
    expect(await agent.callTool('fail', {})).toMatchObject({ ok: false, error: { code: 'MCP_TOOL_ERROR', message: 'the widget is out of stock' } });
    const result = await agent.callTool('fail', { bytes: 50_000 });
    expect(result).toMatchObject({ ok: false, error: { code: 'MCP_TOOL_ERROR' } });
    expect(!result.ok && result.error.message.length).toBeLessThan(1_200);
    expect(!result.ok && result.error.message).toContain('cut at 1000 bytes of 50000');
  });

  it('compiles the schemas of allowed tools only: a tool the agent may not call cannot cost it anything', async () => {
    const { agent, logging } = track(testAgent([mcpTools({ servers: { example: stdioServer(['echo']) } })]));
    await agent.start();
    expect(await agent.callTool('echo', { text: 'fine' })).toMatchObject({ ok: true, value: 'fine' });
    expect(logging.entries.filter((entry) => entry.message.includes('"broken"'))).toEqual([]);
  });

  it('keeps a tool with a broken schema away from the model\'s schemas and fails its calls clearly', async () => {
    const { agent } = track(testAgent([mcpTools({ servers: { example: stdioServer(['broken', 'echo']) } })]));
    await agent.start();
    expect(agent.discoverTools({ search: 'broken' })[0]!.parameters).toEqual({ type: 'object' });
    const result = await agent.callTool('broken', { q: 1 });
    expect(result).toMatchObject({ ok: false, error: { code: 'MCP_BAD_SCHEMA' } });
    expect(!result.ok && result.error.message).toContain('not valid JSON Schema');
    expect(await agent.callTool('echo', { text: 'fine' })).toMatchObject({ ok: true, value: 'fine' });
  });

  it('passes an error result\'s text to the model as a tool error', async () => {
    const { agent } = track(testAgent([mcpTools({ servers: { example: stdioServer(['fail']) } })]));
    expect(await agent.callTool('fail', {})).toMatchObject({ ok: false, error: { code: 'MCP_TOOL_ERROR', message: 'the widget is out of stock' } });
  });

  it('maps names providers refuse and adds the prefix', async () => {
    const { agent } = track(testAgent([mcpTools({ servers: { example: stdioServer(['dotted.name'], { prefix: 'ex_' }) } })]));
    expect(agent.discoverTools().map((tool) => tool.name)).toEqual(['ex_dotted_name']);
    expect(await agent.callTool('ex_dotted_name', {})).toMatchObject({ ok: true, value: 'dotted' });
  });

  it('reaches the server\'s resources and prompts through server(name)', async () => {
    const mcp = mcpTools({ servers: { example: stdioServer(['echo']) } });
    const { agent } = track(testAgent([mcp]));
    await agent.start();
    const server = mcp.server('example');
    expect(server.instructions).toBe('An example server.');
    expect(await server.listResources()).toEqual([expect.objectContaining({ uri: 'memo://greeting' })]);
    expect((await server.readResource('memo://greeting')).contents[0]).toMatchObject({ text: 'contents of memo://greeting' });
    expect((await server.listPrompts()).map((prompt) => prompt.name)).toEqual(['review']);
    expect((await server.getPrompt('review', { code: 'x = 1' })).messages[0]!.content).toEqual({ type: 'text', text: 'Please review: x = 1' });
    expect(() => mcp.server('nope')).toThrow(/no MCP server named "nope"/);
  });

  it('stops reading resource and prompt lists that never end', async () => {
    const endless = { ...stdioServer(['echo']), args: [EXAMPLE_SERVER, '--endless-lists'] };
    const mcp = mcpTools({ servers: { endless } });
    const { agent } = track(testAgent([mcp]));
    await agent.start();
    const server = mcp.server('endless');
    await expect(server.listResources()).rejects.toThrow(/MCP server "endless" lists more than 100 pages of resources/);
    await expect(server.listPrompts()).rejects.toThrow(/MCP server "endless" lists more than 100 pages of prompts/);
  });

  it('keeps only the start of a tool description the server made huge (it goes into every model request)', async () => {
    const verbose = { ...stdioServer(['echo']), args: [EXAMPLE_SERVER, '--long-descriptions'] };
    const { agent } = track(testAgent([mcpTools({ servers: { verbose } })]));
    await agent.start();
    const [echo] = agent.discoverTools();
    expect(echo!.description.length).toBeLessThanOrEqual(4_001);
    expect(echo!.description.startsWith('Echo the text back')).toBe(true);
  });

  it('kills the stdio child when the agent stops', async () => {
    const { agent } = track(testAgent([mcpTools({ servers: { example: stdioServer(['pid']) } })]));
    const pid = await pidOf(agent);
    expect(alive(pid)).toBe(true);
    await agent.stop();
    await eventually(() => !alive(pid), 5_000, 'the child to exit');
  });

  it('fails the start naming an allowed tool the server does not have,', async () => {
    const { agent } = track(testAgent([mcpTools({ servers: { example: stdioServer(['ecoh']) } })]));
    await expect(agent.start()).rejects.toThrow(/MCP server "example" has no tool "ecoh" .*it offers: echo, add/);
  });

  it('backs off from a server that dies right after each connection, instead of respawning it at the base delay', async () => {
    const flapping = { ...stdioServer(['echo'], { reconnectDelayMs: 100 }), args: [EXAMPLE_SERVER, '--exit-after-connect'] };
    const { agent, logging } = track(testAgent([mcpTools({ servers: { flapping } })]));
    await agent.start();
    const delays = () => logging.entries.map((entry) => /went away; reconnecting in (\d+) ms/.exec(entry.message)?.[1]).filter((delay) => delay !== undefined).map(Number);
    await eventually(() => delays().length >= 3, 15_000, 'three disconnects');
    // Attempt 3 waits 2-4 times the base, attempt 1 at most the base (jitter halves at most).
    expect(delays()[2]!).toBeGreaterThan(delays()[0]!);
    expect(delays()[2]!).toBeGreaterThanOrEqual(200);
  });

  it('fails the start within connectTimeoutMs when the server\'s tool list never ends', async () => {
    const endless = { ...stdioServer(['t1'], { connectTimeoutMs: 2_000 }), args: [EXAMPLE_SERVER, '--endless-tools'] };
    const { agent } = track(testAgent([mcpTools({ servers: { endless } })]));
    const started = performance.now();
    await expect(agent.start()).rejects.toThrow(/MCP server "endless" cannot be reached: its tool list (took longer than 2000 ms|has more than \d+ pages)/);
    expect(performance.now() - started).toBeLessThan(6_000);
  });

  it('fails the start when a server cannot be started, unless it is optional', async () => {
    const missing = { command: '/nonexistent/mcp-server', allow: ['x'] };
    const failing = track(testAgent([mcpTools({ servers: { gone: missing } })]));
    await expect(failing.agent.start()).rejects.toThrow(/MCP server "gone" cannot be reached/);
    const optional = track(testAgent([mcpTools({ servers: { gone: { ...missing, optional: true } } })]));
    await optional.agent.start();
    expect(await optional.agent.callTool('x', {})).toMatchObject({ ok: false, error: { code: 'MCP_SERVER_UNAVAILABLE' } });
  });

  it('rejects bad config with the path and a fix', () => {
    const attempt = (servers: Record<string, unknown>) => {
      try {
        mcpTools({ servers: servers as never });
      } catch (error) {
        expect(ConfigError.isInstance(error)).toBe(true);
        return (error as ConfigError).issues;
      }
      throw new Error('no error');
    };
    expect(attempt({ example: { ...stdioServer(['echo']), alow: ['x'] } })).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'plugins.mcp.config.servers.example.alow', fix: 'did you mean "allow"?' })]),
    );
    expect(attempt({ example: { url: 'http://127.0.0.1:1/mcp', command: 'x', allow: ['a'] } })[0]!.message).toContain('either command or url');
    expect(attempt({ example: { url: 'ftp://127.0.0.1/mcp', allow: ['a'] } })[0]!.path).toBe('plugins.mcp.config.servers.example.url');
    expect(attempt({ example: { url: 'http://127.0.0.1:1/mcp', args: ['x'], allow: ['a'] } })[0]!.message).toContain('"args" is for stdio servers');
    expect(attempt({ a: stdioServer(['echo']), b: stdioServer(['echo']) })[0]!.fix).toContain('prefix');
  });
});
