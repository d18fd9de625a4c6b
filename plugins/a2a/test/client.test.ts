import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, ConfigError, inMemoryLogger, inMemoryMemory, type Tool, type ToolContext, ToolError } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { a2aAgentTool, a2aPlugin } from '../src/index.js';
import { type SdkAgent, startSdkAgent } from './sdk-agent.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function sdkAgent(...args: Parameters<typeof startSdkAgent>): Promise<SdkAgent> {
  const agent = await startSdkAgent(...args);
  closers.push(agent.close);
  return agent;
}

function toolContext(signal: AbortSignal = new AbortController().signal): ToolContext {
  return {
    userId: 'alice',
    conversationId: 'c1',
    runId: 'r1',
    signal,
    resource: () => {
      throw new Error('no resources');
    },
    log: inMemoryLogger({ echoLevel: false }),
  } as ToolContext;
}

async function callTool<TInput>(tool: Tool<TInput, unknown>, args: unknown): Promise<unknown> {
  return tool.execute(tool.input.parse(args), toolContext());
}

async function rejection(promise: Promise<unknown>): Promise<ToolError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(ToolError.isInstance(error), `expected a ToolError, got ${String(error)}`).toBe(true);
  return error as ToolError;
}

/** A loopback server answering every request with one status and Location. */
async function redirector(location: (path: string) => string, status = 307): Promise<string> {
  const server: Server = createServer((request, response) => {
    response.writeHead(status, { location: location(request.url ?? '/') });
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('a2aAgentTool: a remote A2A agent (written with the SDK, on a loopback socket) as a tool', () => {
  it('sends the message with the configured headers and returns the answer and contextId', async () => {
    const remote = await sdkAgent(({ text }) => ({ answer: `research on "${text}": done` }));
    const tool = a2aAgentTool({ url: remote.url, name: 'research', headers: { authorization: 'Bearer remote-token' } });
    const reply = (await callTool(tool, { message: 'quantum dots' })) as { text: string; state: string; contextId: string };
    expect(reply).toMatchObject({ text: 'research on "quantum dots": done', state: 'completed' });
    expect(reply.contextId).toMatch(/.+/);
    expect(remote.received).toHaveLength(1);
    expect(remote.received[0]!.headers.authorization).toBe('Bearer remote-token');
  });

  it('reaches an agent still on A2A v0.3 (v0.3 card and JSON-RPC only)', async () => {
    const remote = await sdkAgent(({ text }) => ({ answer: `v0.3 says ${text}` }), {}, { v03Only: true });
    const v1Only = await fetch(`${remote.url}/a2a`, { method: 'POST', headers: { 'content-type': 'application/json', 'a2a-version': '1.0' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'SendMessage', params: {} }) });
    expect(JSON.stringify(await v1Only.json())).toMatch(/-32009|version/i);
    const reply = (await callTool(a2aAgentTool({ url: remote.url, name: 'old' }), { message: 'hello' })) as { text: string; state: string };
    expect(reply).toMatchObject({ text: 'v0.3 says hello', state: 'completed' });
  });

  it('in a full Entity turn the model calls the remote agent and answers from its reply', async () => {
    const remote = await sdkAgent(({ text }) => ({ answer: `The capital of ${text} is Paris.` }));
    const replies = scriptedLLM((request, index) => (index === 0 ? { toolCalls: [{ name: 'research', arguments: { message: 'France' } }] } : `Answer: ${JSON.stringify(request.messages.at(-1)!.content)}`));
    const agent = new Agent({ name: 'caller', zeroConfig: false, resources: { llm: replies, memory: inMemoryMemory(), logging: inMemoryLogger({ echoLevel: false }) }, tools: [a2aAgentTool({ url: remote.url, name: 'research', description: 'Ask the research agent' })] });
    closers.push(() => agent.stop());
    const result = await agent.chat('What is the capital of France?');
    expect(result.status).toBe('ok');
    expect(result.info.toolCalls).toMatchObject([{ name: 'research', success: true }]);
    expect(result.text).toContain('The capital of France is Paris.');
    expect(replies.requests[0]!.tools?.map((tool) => tool.name)).toEqual(['research']);
    expect(remote.received.map((entry) => entry.text)).toEqual(['France']);
  });

  it('is configured from agent.yaml through the plugin entry, with a strict config', async () => {
    const remote = await sdkAgent(() => ({ answer: 'from yaml' }));
    const replies = scriptedLLM((_request, index) => (index === 0 ? { toolCalls: [{ name: 'helper', arguments: { message: 'hi' } }] } : 'ok'));
    const agent = new Agent({ name: 'yaml', zeroConfig: false, resources: { llm: replies, memory: inMemoryMemory(), logging: inMemoryLogger({ echoLevel: false }) } });
    agent.use(a2aPlugin(), { config: { agents: [{ name: 'helper', url: remote.url, timeoutMs: 5000 }] } });
    closers.push(() => agent.stop());
    expect(agent.describe().tools).toEqual([{ name: 'helper', plugin: 'a2a', description: expect.stringContaining(remote.url) }]);
    const result = await agent.chat('go');
    expect(result.info.toolCalls).toMatchObject([{ name: 'helper', success: true }]);
    expect(JSON.stringify(replies.requests[1]!.messages)).toContain('from yaml');

    // The tools are fixed once made: a reload with the same agents is fine, other agents need a restart.
    agent.reloadParameters({ pluginConfigs: { a2a: { agents: [{ name: 'helper', url: remote.url, timeoutMs: 5000 }] } } });
    expect(() => agent.reloadParameters({ pluginConfigs: { a2a: { agents: [{ name: 'other', url: remote.url }] } } })).toThrow(/restart required/);

    const typo = new Agent({ zeroConfig: false });
    expect(() => typo.use(a2aPlugin(), { config: { agents: [{ url: remote.url, timeoutMS: 5 }] } })).toThrow(/agents\.0\.timeoutMS.*unknown key/s);
    expect(() => new Agent({ zeroConfig: false }).use(a2aPlugin(), { config: { agents: [{ url: 'file:///etc/passwd' }] } })).toThrow(/url must be an http:\/\/ or https:\/\/ URL/);
    expect(() => new Agent({ zeroConfig: false }).use(a2aPlugin(), { config: { agents: [] } })).toThrow(/agents/);
  });
});

describe('remote failures are tool errors, never a crashed turn', () => {
  it('refuses non-http(s) URLs when the tool is made', () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.com', 'javascript:alert(1)', 'not a url']) {
      expect(() => a2aAgentTool({ url }), url).toThrow(ConfigError);
    }
    expect(() => a2aAgentTool({ url: 'http://127.0.0.1:1', name: 'bad name!' })).toThrow(/name must be/);
  });

  it('an agent that is gone: unreachable', async () => {
    const remote = await sdkAgent(() => ({ answer: 'x' }));
    await remote.close();
    const error = await rejection(callTool(a2aAgentTool({ url: remote.url, name: 'gone' }), { message: 'hi' }));
    expect(error.message).toMatch(/remote agent "gone" \(http:\/\/127\.0\.0\.1:\d+\) is unreachable \(ECONNREFUSED\)/);
    expect(error.code).toBe('A2A_UNREACHABLE');
  });

  it('an agent that does not answer in time: timeout, and the turn goes on', async () => {
    const remote = await sdkAgent(() => ({ hang: true }));
    const replies = scriptedLLM((request, index) => (index === 0 ? { toolCalls: [{ name: 'slow', arguments: { message: 'hi' } }] } : `model saw: ${JSON.stringify(request.messages.at(-1)!.content)}`));
    const agent = new Agent({ zeroConfig: false, resources: { llm: replies, memory: inMemoryMemory(), logging: inMemoryLogger({ echoLevel: false }) }, tools: [a2aAgentTool({ url: remote.url, name: 'slow', timeoutMs: 300 })] });
    closers.push(() => agent.stop());
    const started = Date.now();
    const result = await agent.chat('go');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.status).toBe('ok');
    expect(result.info.toolCalls).toMatchObject([{ name: 'slow', success: false, code: 'A2A_TIMEOUT' }]);
    expect(result.text).toMatch(/did not answer within 300 ms/);
  });

  it('a task that ends failed: the remote agent\'s own words in the error', async () => {
    const remote = await sdkAgent(() => ({ fail: 'the archive is offline' }));
    const error = await rejection(callTool(a2aAgentTool({ url: remote.url, name: 'archive' }), { message: 'hi' }));
    expect(error.message).toMatch(/ended the task as failed: the archive is offline/);
    expect(error.code).toBe('A2A_TASK_NOT_COMPLETED');
  });

  it('an oversized reply: refused past maxReplyBytes', async () => {
    const remote = await sdkAgent(() => ({ answer: 'x'.repeat(200_000) }));
    const error = await rejection(callTool(a2aAgentTool({ url: remote.url, name: 'big', maxReplyBytes: 50_000 }), { message: 'hi' }));
    expect(error.message).toMatch(/the reply is larger than 50000 bytes/);
    expect(error.code).toBe('A2A_REPLY_TOO_LARGE');
    const fits = (await callTool(a2aAgentTool({ url: remote.url, name: 'big', maxReplyBytes: 1_000_000 }), { message: 'hi' })) as { text: string };
    expect(fits.text).toHaveLength(200_000);
  });

  it('a redirect to another host is refused unless that origin is allowed', async () => {
    const remote = await sdkAgent(() => ({ answer: 'after redirect' }));
    const front = await redirector((path) => `${remote.url}${path}`);
    const refused = await rejection(callTool(a2aAgentTool({ url: front, name: 'moved' }), { message: 'hi' }));
    expect(refused.message).toMatch(new RegExp(`a redirect leads to ${remote.url.replaceAll('.', '\\.')}, which is not the agent's host; add it to allowedOrigins`));
    expect(refused.code).toBe('A2A_REFUSED');
    expect(remote.received).toHaveLength(0);
    const allowed = (await callTool(a2aAgentTool({ url: front, name: 'moved', allowedOrigins: [remote.url] }), { message: 'hi' })) as { text: string };
    expect(allowed.text).toBe('after redirect');
  });

  it('an agent card pointing its endpoint at another host is refused (and the headers never go there)', async () => {
    const elsewhere = await sdkAgent(() => ({ answer: 'should not be reached' }));
    const remote = await sdkAgent(() => ({ answer: 'x' }), {
      supportedInterfaces: [{ url: `${elsewhere.url}/a2a`, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '1.0' }],
    });
    const error = await rejection(callTool(a2aAgentTool({ url: remote.url, name: 'sneaky', headers: { authorization: 'Bearer secret' } }), { message: 'hi' }));
    expect(error.message).toMatch(/the agent card points to http:\/\/127\.0\.0\.1:\d+, which is not the agent's host/);
    expect(elsewhere.received).toHaveLength(0);
  });

  it('a cancelled run is not reported as the remote agent\'s failure', async () => {
    const remote = await sdkAgent(() => ({ hang: true }));
    const controller = new AbortController();
    const tool = a2aAgentTool({ url: remote.url, name: 'hang', timeoutMs: 10_000 });
    const call = Promise.resolve(tool.execute({ message: 'hi' }, toolContext(controller.signal)));
    setTimeout(() => controller.abort(new Error('run cancelled')), 100);
    const error = await call.then(() => undefined, (caught: unknown) => caught);
    expect(ToolError.isInstance(error)).toBe(false);
    expect(error).toBeDefined();
  });
});
