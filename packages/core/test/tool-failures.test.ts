import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent, type AgentEvent, type ChatRequest, defineTool, inMemoryLogger, inMemoryMemory, ProviderError, ResourceError, ToolError, ValidationError } from '../src/index.js';
import { scriptedLLM } from '../src/testing/index.js';

const ANTHROPIC_KEY = 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
const DETAIL = `connect ECONNREFUSED postgres://app:hunter2-Pw9@10.0.0.7:5432/orders (key ${ANTHROPIC_KEY})`;

class DriverError extends Error {
  override name = 'DriverError';
}

const lookup = defineTool({
  name: 'lookup_order',
  description: 'Looks an order up',
  input: z.object({ id: z.string() }),
  execute: ({ id }) => {
    if (id === 'entity') throw new ToolError('lookup_order', `order ${id} does not exist; the key was ${ANTHROPIC_KEY}`, { code: 'ORDER_NOT_FOUND' });
    if (id === 'invalid') throw new ValidationError('id must be a number like 1042');
    if (id === 'provider') throw new ProviderError('openai', 'HTTP 500: upstream db 10.0.0.7 said: relation "orders_internal" does not exist');
    if (id === 'resource') throw new ResourceError('orders-db', 'query failed: SELECT * FROM orders_internal WHERE tenant = 7');
    throw new DriverError(DETAIL);
  },
});

/** A model that calls the tool once, then answers with what the tool result said. */
function modelCalling(id: string) {
  return scriptedLLM((request: ChatRequest) => {
    const last = request.messages.at(-1)!;
    return last.role === 'tool' ? `tool said: ${last.content}` : { toolCalls: [{ name: 'lookup_order', arguments: { id } }] };
  });
}

async function turn(id: string) {
  const llm = modelCalling(id);
  const memory = inMemoryMemory();
  const logging = inMemoryLogger({ echoLevel: false });
  const agent = new Agent({ resources: { llm, memory, logging }, tools: [lookup], zeroConfig: false });
  const events: AgentEvent[] = [];
  for await (const event of agent.stream('where is my order?', { userId: 'u1', conversationId: 'c1' })) events.push(event);
  const done = events.at(-1) as Extract<AgentEvent, { type: 'done' }>;
  const stored = await memory.loadMessages({ userId: 'u1', conversationId: 'c1' });
  await agent.stop();
  return { llm, logging, events, info: done.result.info, stored: stored.map((item) => item.message) };
}

describe('a failing tool', () => {
  it('tells the model only the tool name and the error kind when the error is not an Entity error (and memory keeps that)', async () => {
    const { llm, stored, events } = await turn('42');
    const toolMessage = llm.requests[1]!.messages.at(-1)!;
    expect(toolMessage).toMatchObject({ role: 'tool', content: 'Error: Tool "lookup_order" failed (DriverError). The details are in the log.' });
    expect(stored.find((message) => message.role === 'tool')?.content).toBe('Error: Tool "lookup_order" failed (DriverError). The details are in the log.');
    expect(events.find((event) => event.type === 'tool-result')).toMatchObject({ ok: false, error: 'Tool "lookup_order" failed (DriverError). The details are in the log.' });
    // What the model, the conversation and the stream's consumer see; only info.toolCalls (for the developer) keeps the redacted text.
    const modelFacing = { requests: llm.requests, stored, events: events.filter((event) => event.type !== 'done') };
    expect(JSON.stringify(modelFacing)).not.toMatch(/hunter2|sk-ant|10\.0\.0\.7|ECONNREFUSED/);
  });

  it('gives the message of a ToolError or ValidationError (written for the model) to the model, redacted', async () => {
    const { llm } = await turn('entity');
    expect(llm.requests[1]!.messages.at(-1)!.content).toBe('Error: order entity does not exist; the key was [REDACTED]');
    const invalid = await turn('invalid');
    expect(invalid.llm.requests[1]!.messages.at(-1)!.content).toBe('Error: id must be a number like 1042');
  });

  it('gives the model only the code of other Entity errors, whose text wraps a provider\'s or driver\'s', async () => {
    for (const [id, code] of [['provider', 'PROVIDER_ERROR'], ['resource', 'RESOURCE_ERROR']] as const) {
      const { llm, stored, events, info } = await turn(id);
      const expected = `Tool "lookup_order" failed (${code}). The details are in the log.`;
      expect(llm.requests[1]!.messages.at(-1)!.content).toBe(`Error: ${expected}`);
      expect(stored.find((message) => message.role === 'tool')?.content).toBe(`Error: ${expected}`);
      const modelFacing = { requests: llm.requests, stored, events: events.filter((event) => event.type !== 'done') };
      expect(JSON.stringify(modelFacing)).not.toMatch(/orders_internal|10\.0\.0\.7/);
      // The developer's record keeps the text.
      expect(info.toolCalls[0]).toMatchObject({ code, errorType: code, error: expect.stringContaining('orders_internal') });
    }
  });

  it('leaves one record in info.toolCalls: tool, stage, iteration, code, kind and the redacted error text', async () => {
    const { info } = await turn('42');
    expect(info.toolCalls).toEqual([
      {
        callId: expect.any(String),
        name: 'lookup_order',
        arguments: { id: '42' },
        success: false,
        durationMs: expect.any(Number),
        stage: 'DO',
        iteration: 1,
        code: 'TOOL_FAILED',
        errorType: 'DriverError',
        error: 'connect ECONNREFUSED postgres://app:[REDACTED]@10.0.0.7:5432/orders (key [REDACTED])',
      },
    ]);
  });

  it('writes the same record to the log once, redacted', async () => {
    const { logging, info } = await turn('42');
    const records = logging.entries.filter((entry) => entry.tool === 'lookup_order' && entry.level === 'warn');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      message: 'Tool "lookup_order" failed in DO (iteration 1) with TOOL_FAILED (DriverError): connect ECONNREFUSED postgres://app:[REDACTED]@10.0.0.7:5432/orders (key [REDACTED])',
      component: 'tool',
      tool: 'lookup_order',
      callId: info.toolCalls[0]!.callId,
      runId: info.runId,
      stage: 'DO',
      iteration: 1,
      code: 'TOOL_FAILED',
      errorType: 'DriverError',
    });
    expect(JSON.stringify(logging.entries)).not.toMatch(/hunter2|sk-ant/);
  });

  it('records codes for the engine\'s own tool failures too (unknown tool, invalid arguments)', async () => {
    const llm = scriptedLLM((request: ChatRequest) =>
      request.messages.at(-1)!.role === 'tool'
        ? 'done'
        : { toolCalls: [{ name: 'no_such_tool', arguments: {} }, { name: 'lookup_order', arguments: { id: 7 } }] },
    );
    const agent = new Agent({ resources: { llm, logging: inMemoryLogger({ echoLevel: false }) }, tools: [lookup], zeroConfig: false });
    const { info } = await agent.chat('go');
    await agent.stop();
    expect(info.toolCalls.map(({ name, stage, iteration, code, errorType }) => ({ name, stage, iteration, code, errorType }))).toEqual([
      { name: 'no_such_tool', stage: 'DO', iteration: 1, code: 'TOOL_NOT_FOUND', errorType: 'TOOL_NOT_FOUND' },
      { name: 'lookup_order', stage: 'DO', iteration: 1, code: 'INVALID_ARGUMENTS', errorType: 'INVALID_ARGUMENTS' },
    ]);
  });
});
