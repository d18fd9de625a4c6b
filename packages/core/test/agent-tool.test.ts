import { describe, expect, it, vi } from 'vitest';
import {
  Agent,
  type AgentEvent,
  agentTool,
  CancelledError,
  defineTool,
  inMemoryLogger,
  inMemoryMemory,
  type OperationStart,
  ToolError,
  ValidationError,
} from '../src/index.js';
import { type ScriptedReplies, scriptedLLM } from '../src/testing/index.js';
import { z } from 'zod';

const quiet = () => inMemoryLogger({ echoLevel: false });

function innerAgent(replies: ScriptedReplies, options: { tools?: ReturnType<typeof defineTool>[]; resources?: Record<string, object> } = {}) {
  const llm = scriptedLLM(replies, { model: 'inner' });
  const memory = inMemoryMemory();
  const agent = new Agent({ name: 'research', resources: { llm, memory, logging: quiet(), ...options.resources }, tools: options.tools ?? [], zeroConfig: false });
  return { agent, llm, memory };
}

/** An outer agent whose model calls `research` once with `question`, then answers with what the tool returned. */
function outerAgent(tool: ReturnType<typeof agentTool>, question = 'What is pgvector?', resources: Record<string, object> = {}) {
  const llm = scriptedLLM((request) => {
    const last = request.messages.at(-1)!;
    if (last.role === 'tool') return `Supervisor says: ${last.content}`;
    return { toolCalls: [{ name: tool.name, arguments: { message: question } }] };
  }, { model: 'outer' });
  const memory = inMemoryMemory();
  const agent = new Agent({ name: 'supervisor', resources: { llm, memory, logging: quiet(), ...resources }, tools: [tool], zeroConfig: false });
  return { agent, llm, memory };
}

describe('agentTool: an agent as a tool of another', () => {
  it("answers the calling model with the inner agent's text, as the caller's user, in a conversation of its own", async () => {
    const inner = innerAgent(['pgvector is a Postgres extension.']);
    const outer = outerAgent(agentTool(inner.agent, { name: 'research', description: 'Researches a question' }));
    const result = await outer.agent.chat('Tell me about pgvector', { userId: 'alice', conversationId: 'c1' });
    expect(result.status).toBe('ok');
    expect(result.text).toBe('Supervisor says: pgvector is a Postgres extension.');
    expect(inner.llm.requests[0]!.messages.at(-1)).toEqual({ role: 'user', content: 'What is pgvector?' });
    const stored = await inner.memory.loadMessages({ userId: 'alice', conversationId: 'c1:research' });
    expect(stored.map(({ message }) => message.content)).toEqual(['What is pgvector?', 'pgvector is a Postgres extension.']);
    // The inner agent's memory is its own: the caller's conversation is not in it.
    expect(await inner.memory.loadMessages({ userId: 'alice', conversationId: 'c1' })).toEqual([]);
  });

  it('continues the same inner conversation on a second call in one conversation, and keeps users apart', async () => {
    const inner = innerAgent((_request, index) => `answer ${index + 1}`);
    const outer = outerAgent(agentTool(inner.agent, { name: 'research', description: 'Researches a question' }));
    await outer.agent.chat('first', { userId: 'alice', conversationId: 'c1' });
    await outer.agent.chat('second', { userId: 'alice', conversationId: 'c1' });
    await outer.agent.chat('third', { userId: 'bob', conversationId: 'c1' });
    // Alice's second call saw her first inner exchange; Bob's call saw nothing of hers.
    expect(inner.llm.requests[1]!.messages.map((message) => message.content)).toEqual(['What is pgvector?', 'answer 1', 'What is pgvector?']);
    expect(inner.llm.requests[2]!.messages.map((message) => message.content)).toEqual(['What is pgvector?']);
    expect(await inner.memory.loadMessages({ userId: 'bob', conversationId: 'c1:research' })).toHaveLength(2);
    expect(await inner.memory.loadMessages({ userId: 'alice', conversationId: 'c1:research' })).toHaveLength(4);
  });

  it('starts a new inner conversation per call with conversation: "fresh", and derives short ids from long ones', async () => {
    const inner = innerAgent(['a', 'b']);
    const outer = outerAgent(agentTool(inner.agent, { name: 'research', description: 'Researches', conversation: 'fresh' }));
    const longId = 'c'.repeat(200);
    await outer.agent.chat('one', { userId: 'alice', conversationId: longId });
    await outer.agent.chat('two', { userId: 'alice', conversationId: longId });
    expect(inner.llm.requests[1]!.messages).toHaveLength(1);
    const ids = inner.llm.requests.length;
    expect(ids).toBe(2);
    expect(() => agentTool(inner.agent, { name: 'x', description: 'x', conversation: 'sometimes' as never })).toThrow(ValidationError);
  });

  it('turns a failed inner turn into a tool error the calling model reads, never a crash of the turn', async () => {
    const broken = defineTool({
      name: 'lookup',
      description: 'fails',
      input: z.object({}),
      execute: () => {
        throw new Error('db password=hunter2 refused');
      },
    });
    const failing = new Agent({
      name: 'research',
      resources: { llm: scriptedLLM(['unused']), memory: inMemoryMemory(), logging: quiet() },
      plugins: [{ name: 'explode', kind: 'prompt', execute: () => { throw new Error('secret stack detail'); } }],
      tools: [broken],
      zeroConfig: false,
    });
    const outer = outerAgent(agentTool(failing, { name: 'research', description: 'Researches' }));
    const result = await outer.agent.chat('go', { userId: 'alice', conversationId: 'c1' });
    expect(result.status).toBe('ok');
    const call = result.info.toolCalls[0]!;
    expect(call).toMatchObject({ name: 'research', success: false, code: 'TOOL_ERROR' });
    const toolMessage = outer.llm.requests[1]!.messages.at(-1)!;
    expect(toolMessage.content).toMatch(/^Error: The agent "research" could not answer \(UNEXPECTED_ERROR\): /);
    expect(toolMessage.content).not.toContain('secret stack detail');
  });

  it('stops an agent that calls itself as a tool at a nesting limit, with a tool error naming the loop', async () => {
    // The model always asks the tool again until a tool result says no: without a limit this recurses until the run times out.
    const llm = scriptedLLM((request) => {
      const last = request.messages.at(-1)!;
      if (last.role === 'tool') return `stopped: ${last.content}`;
      return { toolCalls: [{ name: 'self', arguments: { message: 'again' } }] };
    });
    const agent = new Agent({ name: 'loop', resources: { llm, memory: inMemoryMemory(), logging: quiet() }, zeroConfig: false });
    agent.tool(agentTool(agent, { name: 'self', description: 'Asks itself', timeoutMs: 5_000 }));
    const started = Date.now();
    const result = await agent.chat('go', { timeoutMs: 4_000 });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result.status).toBe('ok');
    expect(result.text).toMatch(/nested more than 8 deep/);
    // The limit is hit once: 8 nested runs below the first, then each level answers.
    expect(llm.requests.filter((request) => request.messages.at(-1)?.role === 'user')).toHaveLength(9);
    // Streamed, the depth travels the same way (the inner runs stream too).
    let done: AgentEvent | undefined;
    for await (const event of agent.stream('go again', { conversationId: 'streamed', timeoutMs: 4_000 })) if (event.type === 'done') done = event;
    expect(done?.type === 'done' && done.result.text).toMatch(/nested more than 8 deep/);
  });

  it('turns an inner agent that cannot run (stopped, refusing) into a tool error', async () => {
    const inner = innerAgent(['never']);
    const tool = agentTool(inner.agent, { name: 'research', description: 'Researches' });
    const context = {
      userId: 'u', conversationId: 'c', runId: 'r', callId: 'call_1', operationId: 1, signal: AbortSignal.abort(new CancelledError('gone')),
      resource: () => { throw new Error('no'); }, log: quiet(), streaming: false, forwardEvent: async () => {},
    };
    const failure = await Promise.resolve(tool.execute({ message: 'hi' }, context)).catch((error: unknown) => error);
    expect(ToolError.isInstance(failure)).toBe(true);
    expect((failure as ToolError).message).toBe('The agent "research" did not answer: The request was cancelled.');
  });

  it('forwards the inner run\'s events, nested under the calling tool call, when the caller streams', async () => {
    const inner = innerAgent(['inner words here']);
    const outer = outerAgent(agentTool(inner.agent, { name: 'research', description: 'Researches' }));
    const events: AgentEvent[] = [];
    for await (const event of outer.agent.stream('go', { userId: 'alice', conversationId: 'c1' })) events.push(event);
    const call = events.find((event) => event.type === 'tool-call')!;
    const nested = events.filter((event) => event.type === 'nested');
    expect(nested.length).toBeGreaterThan(3);
    for (const event of nested) expect(event).toMatchObject({ callId: call.type === 'tool-call' ? call.callId : '', agent: 'research' });
    const innerTypes = nested.map((event) => (event.type === 'nested' ? event.event.type : ''));
    expect(innerTypes[0]).toBe('run-start');
    expect(innerTypes.at(-1)).toBe('response');
    expect(innerTypes).not.toContain('done');
    const tokens = nested.flatMap((event) => (event.type === 'nested' && event.event.type === 'token' ? [event.event.text] : []));
    expect(tokens.join('')).toBe('inner words here');
    // Nested events sit between the call and its result.
    const order = events.map((event) => event.type);
    expect(order.indexOf('tool-call')).toBeLessThan(order.indexOf('nested'));
    expect(order.lastIndexOf('nested')).toBeLessThan(order.indexOf('tool-result'));
  });

  it('cancels the inner run when the caller cancels', async () => {
    let innerSignal: AbortSignal | undefined;
    const waits = defineTool({
      name: 'wait',
      description: 'waits',
      input: z.object({}),
      execute: (_args, context) =>
        new Promise((_resolve, reject) => {
          innerSignal = context.signal;
          context.signal.addEventListener('abort', () => reject(context.signal.reason));
        }),
    });
    const inner = innerAgent([{ toolCalls: [{ name: 'wait', arguments: {} }] }], { tools: [waits] });
    const outer = outerAgent(agentTool(inner.agent, { name: 'research', description: 'Researches' }));
    const controller = new AbortController();
    const running = outer.agent.chat('go', { signal: controller.signal });
    await vi.waitFor(() => expect(innerSignal).toBeDefined());
    controller.abort(new CancelledError('user left'));
    await expect(running).rejects.toSatisfy((error: unknown) => CancelledError.isInstance(error));
    expect(innerSignal!.aborted).toBe(true);
  });

  it('is one trace: the inner run shares the correlation id and nests under the tool call', async () => {
    const operations: OperationStart[] = [];
    const tracer = { instrumentation: { start: (operation: OperationStart) => void operations.push(operation) } };
    const inner = innerAgent(['x'], { resources: { tracer } });
    const outer = outerAgent(agentTool(inner.agent, { name: 'research', description: 'Researches' }), 'q', { tracer });
    await outer.agent.chat('go', { correlationId: 'req-42' });
    const toolCall = operations.find((operation) => operation.kind === 'tool' && operation.name === 'research')!;
    const runs = operations.filter((operation) => operation.kind === 'run');
    expect(runs).toHaveLength(2);
    expect(runs.every((run) => run.correlationId === 'req-42')).toBe(true);
    const innerRun = runs.find((run) => run.runId !== toolCall.runId)!;
    expect(innerRun.parentId).toBe(toolCall.id);
    // Ids are unique across both agents, so the parent link is unambiguous.
    const ids = operations.map((operation) => operation.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

