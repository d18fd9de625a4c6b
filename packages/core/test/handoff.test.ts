import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Agent,
  type AgentEvent,
  ConfigError,
  type Context,
  definePlugin,
  defineResource,
  defineTool,
  handoff,
  handoffPlugin,
  inMemoryLogger,
  inMemoryMemory,
} from '../src/index.js';
import { type ScriptedReplies, scriptedLLM } from '../src/testing/index.js';
import { z } from 'zod';

const quiet = () => inMemoryLogger({ echoLevel: false });

function billingAgent(replies: ScriptedReplies = ['Your invoice is paid.']) {
  const llm = scriptedLLM(replies, { model: 'billing' });
  const memory = inMemoryMemory();
  const agent = new Agent({ name: 'billing', instructions: 'You handle billing.', resources: { llm, memory, logging: quiet() }, zeroConfig: false });
  return { agent, llm, memory };
}

function frontAgent(plugins: Parameters<typeof Agent.prototype.use>[0][], replies: ScriptedReplies = ['front answer'], tools: ReturnType<typeof defineTool>[] = []) {
  const llm = scriptedLLM(replies, { model: 'front' });
  const memory = inMemoryMemory();
  const agent = new Agent({ name: 'front', resources: { llm, memory, logging: quiet() }, tools, zeroConfig: false });
  for (const plugin of plugins) agent.use(plugin as never);
  return { agent, llm, memory };
}

const toBillingWhen = (pattern: RegExp) => (context: Context) => (pattern.test(context.message) ? 'billing' : undefined);

describe('handoff: passing the rest of a turn to another agent', () => {
  it('lets the receiving agent see the conversation and answer the turn, saved once in the sender\'s conversation', async () => {
    const billing = billingAgent();
    const front = frontAgent([handoffPlugin({ to: { billing: billing.agent }, when: toBillingWhen(/invoice/) })]);
    await front.agent.chat('hello', { userId: 'alice', conversationId: 'c1' });
    const result = await front.agent.chat('Is my invoice paid?', { userId: 'alice', conversationId: 'c1' });
    expect(result.status).toBe('ok');
    expect(result.text).toBe('Your invoice is paid.');
    // The front model answered only the first turn.
    expect(front.llm.requests).toHaveLength(1);
    expect(billing.llm.requests[0]!.messages).toEqual([
      { role: 'system', content: 'You handle billing.' },
      { role: 'user', content: 'hello' },
      { role: 'assistant', content: 'front answer' },
      { role: 'user', content: 'Is my invoice paid?' },
    ]);
    const saved = await front.memory.loadMessages({ userId: 'alice', conversationId: 'c1' });
    expect(saved.map(({ message }) => message.content)).toEqual(['hello', 'front answer', 'Is my invoice paid?', 'Your invoice is paid.']);
    // The receiving agent stores no copy of the conversation.
    expect(await billing.memory.loadMessages({ userId: 'alice', conversationId: 'c1' })).toEqual([]);
    expect(result.info.annotations?.handoff).toMatchObject({ to: 'billing', reason: "picked by handoff's when()", status: 'ok' });
    expect(result.info.usage.inputTokens).toBe(10);
  });

  it('announces the hand-off and nests the receiving agent\'s events when the caller streams', async () => {
    const billing = billingAgent(['paid in full']);
    const front = frontAgent([handoffPlugin({ to: { billing: billing.agent }, when: () => 'billing' })]);
    const events: AgentEvent[] = [];
    for await (const event of front.agent.stream('invoice?')) events.push(event);
    const announced = events.find((event) => event.type === 'custom' && event.name === 'handoff');
    expect(announced).toMatchObject({ data: { to: 'billing' } });
    const callId = (announced as { data: { callId: string } }).data.callId;
    const nested = events.filter((event) => event.type === 'nested');
    expect(nested.every((event) => event.type === 'nested' && event.callId === callId && event.agent === 'billing')).toBe(true);
    expect(nested.map((event) => (event.type === 'nested' ? event.event.type : '')).filter((type) => type === 'token')).toHaveLength(3);
    expect(events.at(-1)).toMatchObject({ type: 'done', result: { text: 'paid in full' } });
  });

  it('answers from DO: calls the model asked for get a "not run" result before the answer, and do not run', async () => {
    let refunds = 0;
    const refund = defineTool({ name: 'refund', description: 'refunds', input: z.object({}), execute: () => ++refunds });
    const billing = billingAgent(['Refund handled by billing.']);
    const escalate = definePlugin({
      name: 'escalate',
      kind: 'tool',
      async execute(context) {
        if (context.load<unknown[]>('entity:pending-tool-calls')?.length) await handoff(context, billing.agent, { reason: 'refunds are billing\'s' });
      },
    });
    const front = frontAgent([escalate], [{ toolCalls: [{ id: 'tc1', name: 'refund', arguments: {} }] }], [refund]);
    const result = await front.agent.chat('refund me', { userId: 'alice', conversationId: 'c1' });
    expect(result.text).toBe('Refund handled by billing.');
    expect(refunds).toBe(0);
    const saved = (await front.memory.loadMessages({ userId: 'alice', conversationId: 'c1' })).map(({ message }) => message);
    expect(saved.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    expect(saved[2]).toMatchObject({ toolCallId: 'tc1', content: 'Not run: the turn was handed off to the agent "billing".' });
  });

  it('fails the turn when the receiving agent fails, with its reply as the safe message', async () => {
    const failing = new Agent({
      name: 'billing',
      resources: { llm: scriptedLLM(['unused']), memory: inMemoryMemory(), logging: quiet() },
      plugins: [{ name: 'explode', kind: 'prompt', execute: () => { throw new Error('ledger password=x down'); } }],
      zeroConfig: false,
    });
    const front = frontAgent([handoffPlugin({ to: { billing: failing }, when: () => 'billing' })]);
    const result = await front.agent.chat('invoice?');
    expect(result.status).toBe('failed');
    expect(result.info.failure).toMatchObject({ code: 'HANDOFF_FAILED', plugin: 'handoff' });
    expect(result.text).not.toContain('password');
    expect(result.info.annotations?.handoff).toMatchObject({ status: 'failed' });
  });

  it('stops two agents that hand off to each other at a nesting limit, with an error naming the loop', async () => {
    const ping = frontAgent([]);
    const pong = billingAgent();
    ping.agent.use(handoffPlugin({ to: { pong: pong.agent }, when: () => 'pong' }));
    pong.agent.use(handoffPlugin({ to: { ping: ping.agent }, when: () => 'ping' }));
    const started = Date.now();
    const result = await ping.agent.chat('hello', { timeoutMs: 4_000 });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result.status).toBe('failed');
    expect(result.info.failure).toMatchObject({ code: 'HANDOFF_FAILED' });
    expect(result.text).toMatch(/nested more than 8 deep/);
  });

  it('lets a router model pick the agent when no when() is given, or none', async () => {
    const billing = billingAgent(['billing answer']);
    const front = frontAgent([handoffPlugin({ to: { billing: { agent: billing.agent, description: 'invoices and refunds' } } })], (request) => {
      const system = request.messages[0]!;
      if (system.role === 'system' && system.content.startsWith('You route')) {
        return /invoice/.test(String(request.messages.at(-1)!.content)) ? 'Billing.' : 'none';
      }
      return 'front answer';
    });
    expect((await front.agent.chat('my invoice')).text).toBe('billing answer');
    expect((await front.agent.chat('the weather')).text).toBe('front answer');
    expect(String(front.llm.requests[0]!.messages[0]!.content)).toContain('- billing: invoices and refunds');
  });

  it('refuses a hand-off outside PARSE, THINK and DO, and a when() naming no target', async () => {
    const billing = billingAgent();
    const late = definePlugin({ name: 'late', kind: 'output', execute: (context) => handoff(context, billing.agent).then(() => undefined) });
    const front = frontAgent([late]);
    const result = await front.agent.chat('x');
    expect(result.status).toBe('failed');
    expect(result.info.failure?.code).toBe('STAGE_VIOLATION');
    const wrong = frontAgent([handoffPlugin({ to: { billing: billing.agent }, when: () => 'sales' })]);
    const wrongResult = await wrong.agent.chat('x');
    expect(wrongResult.status).toBe('failed');
    expect(wrongResult.info.failure?.code).toBe('VALIDATION_FAILED');
    expect(() => handoffPlugin({ to: { 'bad name': billing.agent } })).toThrow(ConfigError);
  });

  it('refuses a hand-off from DO once the model has answered, before running the other agent', async () => {
    const billing = billingAgent();
    const escalate = definePlugin({ name: 'escalate', kind: 'tool', execute: (context) => handoff(context, billing.agent).then(() => undefined) });
    const front = frontAgent([escalate], ['the model answered']);
    const result = await front.agent.chat('x');
    expect(result.info.failure).toMatchObject({ code: 'STAGE_VIOLATION', plugin: 'escalate' });
    expect(billing.llm.requests).toHaveLength(0);
  });
});

describe('handoffPlugin in config files', () => {
  const billingPlugin = `export default {
  name: 'billing-desk', kind: 'output',
  execute(ctx) { ctx.respond('billing saw ' + ctx.conversation().map((m) => m.content).join(' | ')); },
};\n`;

  function project(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'entity-handoff-'));
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), content);
    }
    return dir;
  }

  it('builds the named agent from a file relative to the config, and stops it with the agent', async () => {
    const dir = project({ 'billing.yaml': 'name: billing\ndefaultWorkflow: false\nresources:\n  memory: { type: test-memory }\nplugins:\n  - ./billing.mjs\n', 'billing.mjs': billingPlugin });
    let stopped = false;
    const memory = Object.assign(inMemoryMemory(), {
      stop: async () => {
        stopped = true;
      },
    });
    const memoryType = defineResource({ type: 'test-memory', packageName: '@entity/core', configSchema: z.object({}).strict(), create: () => memory });
    const plugin = handoffPlugin({ when: () => 'billing', load: (file) => Agent.fromConfig(file, { resourceTypes: [memoryType] }) });
    const config = plugin.resolveConfigPaths!({ to: { billing: './billing.yaml' } }, dir);
    expect(config).toEqual({ to: { billing: join(dir, 'billing.yaml') } });
    const front = frontAgent([]);
    front.agent.use(plugin, { config });
    const result = await front.agent.chat('refund?');
    expect(result.text).toBe('billing saw refund?');
    expect(stopped).toBe(false);
    await front.agent.stop();
    expect(stopped).toBe(true);
  });

  it('has a plugin resolve the paths of its config from the config file\'s folder before validation (resolveConfigPaths)', async () => {
    const plugin = `import { join } from 'node:path';
export default {
  name: 'paths', kind: 'output',
  configSchema: { safeParse: (v) => (v.file.startsWith('/') ? { success: true, data: v } : { success: false, error: { issues: [{ path: ['file'], message: 'not absolute', code: 'custom' }] } }) },
  resolveConfigPaths: (config, baseDir) => ({ ...config, file: join(baseDir, config.file) }),
  execute(ctx, config) { ctx.respond(config.file); },
};\n`;
    const dir = project({ 'paths.mjs': plugin });
    const agent = await Agent.fromConfig(
      { defaultWorkflow: false, resources: { memory: { type: 'test-memory' } }, plugins: [{ use: './paths.mjs', config: { file: 'data/x.yaml' } }] },
      { baseDir: dir, resourceTypes: [defineResource({ type: 'test-memory', packageName: '@entity/core', configSchema: z.object({}).strict(), create: () => inMemoryMemory() })] },
    );
    expect((await agent.chat('x')).text).toBe(join(dir, 'data/x.yaml'));
    await agent.stop();
  });

  it('refuses agent files outside the config\'s folder, absolute paths, other file types and missing files', () => {
    const outside = project({ 'other.yaml': 'name: x\n' });
    const dir = project({ 'agent.yaml': '', 'notes.txt': '' });
    symlinkSync(join(outside, 'other.yaml'), join(dir, 'linked.yaml'));
    const resolve = (path: unknown) => () => handoffPlugin().resolveConfigPaths!({ to: { billing: path } }, dir);
    expect(resolve('../escape.yaml')).toThrow(/outside the config's folder/);
    expect(resolve('./linked.yaml')).toThrow(/through a symbolic link/);
    expect(resolve(join(outside, 'other.yaml'))).toThrow(/not a relative path/);
    expect(resolve('./notes.txt')).toThrow(/not a \.yaml, \.yml or \.json file/);
    expect(resolve('./missing.yaml')).toThrow(/does not exist/);
    try {
      resolve({ agent: '../x.yaml' })();
    } catch (error) {
      expect((error as ConfigError).issues[0]!.path).toBe('config.to.billing.agent');
    }
  });
});

describe('chat() with the caller\'s history', () => {
  it('uses it instead of memory and leaves memory alone; refuses what is not a message', async () => {
    const llm = scriptedLLM(['ok']);
    const memory = inMemoryMemory();
    await memory.appendMessages({ userId: 'u', conversationId: 'c' }, [{ role: 'user', content: 'stored earlier' }]);
    const agent = new Agent({ resources: { llm, memory, logging: quiet() }, zeroConfig: false });
    await agent.chat('now', { userId: 'u', conversationId: 'c', history: [{ role: 'user', content: 'given' }, { role: 'assistant', content: 'reply' }] });
    expect(llm.requests[0]!.messages.map((message) => message.content)).toEqual(['given', 'reply', 'now']);
    expect(await memory.loadMessages({ userId: 'u', conversationId: 'c' })).toHaveLength(1);
    await expect(agent.chat('x', { history: [{ role: 'robot', content: 'x' }] as never })).rejects.toThrow(/history\[0\] is not a message/);
    await expect(agent.chat('x', { history: 'nope' as never })).rejects.toThrow(/history must be an array/);
    await expect(agent.chat('x', { history: [{ role: 'tool', content: 'r' }] as never })).rejects.toThrow(/without its toolCallId/);
  });
});
