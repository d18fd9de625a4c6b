import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent, type AgentEvent, definePlugin, defineTool, inMemoryLogger, inMemoryMemory, type LLM, type Plugin, RunFailedError } from '../src/index.js';
import { type ScriptedReplies, scriptedLLM } from '../src/testing/index.js';

const quiet = () => inMemoryLogger({ echoLevel: false });
const weather = z.object({ city: z.string(), celsius: z.number() });

function agentWith(replies: ScriptedReplies, options: { plugins?: Plugin[]; llm?: LLM; tools?: boolean } = {}) {
  const llm = scriptedLLM(replies);
  const memory = inMemoryMemory();
  const tools = options.tools
    ? [defineTool({ name: 'forecast', description: 'Forecast for a city', input: z.object({ city: z.string() }), execute: ({ city }) => `${city}: 21 degrees` })]
    : [];
  const agent = new Agent({ resources: { llm: options.llm ?? llm, memory, logging: quiet() }, plugins: options.plugins ?? [], tools, zeroConfig: false });
  return { agent, llm, memory };
}

describe('chat(message, { output })', () => {
  it('asks the model in the schema and returns the validated object; history keeps its JSON', async () => {
    const { agent, llm, memory } = agentWith(['{"city":"Paris","celsius":21}']);
    const result = await agent.chat('Weather in Paris?', { output: weather, outputName: 'weather', userId: 'u' });
    expect(result.status).toBe('ok');
    expect(result.output).toEqual({ city: 'Paris', celsius: 21 });
    expect(result.response).toEqual({ city: 'Paris', celsius: 21 });
    expect(llm.structuredRequests).toHaveLength(1);
    expect(llm.structuredRequests[0]!.schemaName).toBe('weather');
    expect(llm.structuredRequests[0]!.schema).toBe(weather);
    const stored = await memory.loadMessages({ userId: 'u', conversationId: 'default' });
    expect(stored.at(-1)!.message).toEqual({ role: 'assistant', content: '{"city":"Paris","celsius":21}' });
  });

  it('runs the tool loop first, then asks for the final answer in the schema', async () => {
    const { agent, llm } = agentWith(
      [
        { toolCalls: [{ name: 'forecast', arguments: { city: 'Oslo' } }] },
        'It is 21 degrees in Oslo.',
        '{"city":"Oslo","celsius":21}',
      ],
      { tools: true },
    );
    const result = await agent.chat('Weather in Oslo?', { output: weather });
    expect(result.status).toBe('ok');
    expect(result.output).toEqual({ city: 'Oslo', celsius: 21 });
    expect(result.info.toolCalls.map((call) => call.name)).toEqual(['forecast']);
    // Two chat calls with tools (the call, then the draft answer), then one structured call without tools.
    expect(llm.requests).toHaveLength(3);
    expect(llm.requests[1]!.tools?.map((tool) => tool.name)).toEqual(['forecast']);
    expect(llm.structuredRequests).toHaveLength(1);
    expect('tools' in llm.structuredRequests[0]!).toBe(false);
    expect(JSON.stringify(llm.structuredRequests[0]!.messages)).toContain('Oslo: 21 degrees');
    // Usage counts every call, the discarded draft included.
    expect(result.info.usage.inputTokens).toBe(30);
  });

  it('takes a draft that already matches the schema without a second call', async () => {
    const { agent, llm } = agentWith(['```json\n{"city":"Rome","celsius":30}\n```'], { tools: true });
    const result = await agent.chat('Weather in Rome?', { output: weather });
    expect(result.output).toEqual({ city: 'Rome', celsius: 30 });
    expect(llm.structuredRequests).toHaveLength(0);
    expect(llm.requests).toHaveLength(1);
  });

  it('fails the run with a code when the model still answers outside the schema after its retry', async () => {
    const { agent, llm } = agentWith(['not json', '{"city":"Paris"}']);
    const result = await agent.chat('Weather?', { output: weather });
    expect(result.status).toBe('failed');
    expect(result.output).toBeUndefined();
    expect(result.info.failure).toMatchObject({ stage: 'THINK', plugin: 'entity:chat', code: 'LLM_OUTPUT_INVALID' });
    expect(result.response).toBe('The model did not produce a valid answer. Please try again.');
    expect(llm.requests).toHaveLength(2);
    await expect(agent.chat('Weather?', { output: weather, throwOnFailure: true })).rejects.toSatisfy((error) => RunFailedError.isInstance(error));
  });

  it('applies the schema\'s transforms to output; response is its JSON form', async () => {
    const dated = z.object({ day: z.iso.date().transform((text) => new Date(`${text}T00:00:00Z`)) });
    const { agent } = agentWith(['{"day":"2026-12-01"}']);
    const result = await agent.chat('When?', { output: dated });
    expect(result.output?.day).toBeInstanceOf(Date);
    expect(result.output?.day.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(result.response).toEqual({ day: '2026-12-01T00:00:00.000Z' });
  });

  it('checks a plugin\'s answer against the schema: JSON that matches passes, other text fails with OUTPUT_INVALID', async () => {
    const cached = definePlugin({
      name: 'cache',
      kind: 'input',
      execute: (context) => context.answer(context.message === 'cached' ? '{"city":"Lima","celsius":18}' : 'pong'),
    });
    const { agent, llm } = agentWith(['unused'], { plugins: [cached] });
    const hit = await agent.chat('cached', { output: weather });
    expect(hit.status).toBe('ok');
    expect(hit.output).toEqual({ city: 'Lima', celsius: 18 });
    expect(hit.response).toEqual({ city: 'Lima', celsius: 18 });
    const miss = await agent.chat('/ping', { output: weather });
    expect(miss.status).toBe('failed');
    expect(miss.info.failure).toMatchObject({ stage: 'DELIVER', plugin: 'entity:engine', code: 'OUTPUT_INVALID' });
    expect(llm.requests).toHaveLength(0);
  });

  it('fails clearly when the LLM resource has no structured output', async () => {
    const { generateObject: _generateObject, ...plain } = scriptedLLM(['{}']);
    const { agent } = agentWith([], { llm: plain });
    const result = await agent.chat('hi', { output: weather });
    expect(result.status).toBe('failed');
    expect(result.info.failure).toMatchObject({ code: 'STRUCTURED_OUTPUT_UNSUPPORTED' });
  });

  it('rejects an output that is not a zod schema, and a bad outputName, before running', async () => {
    const { agent, llm } = agentWith(['x']);
    await expect(agent.chat('hi', { output: { type: 'object' } as never })).rejects.toThrow(/output must be a zod schema/);
    await expect(agent.chat('hi', { output: weather, outputName: 'has space' })).rejects.toThrow(/outputName "has space" is invalid/);
    await expect(agent.chat('hi', { outputName: 'x' })).rejects.toThrow(/outputName was given without output/);
    expect(llm.requests).toHaveLength(0);
  });

  it('streams a structured run: no token events, the response event carries the JSON, done carries output', async () => {
    const { agent } = agentWith(['{"city":"Bern","celsius":12}']);
    const events: AgentEvent[] = [];
    for await (const event of agent.stream('Weather in Bern?', { output: weather })) events.push(event);
    expect(events.some((event) => event.type === 'token')).toBe(false);
    expect(events.find((event) => event.type === 'response')).toMatchObject({ response: { city: 'Bern', celsius: 12 }, text: '{"city":"Bern","celsius":12}' });
    const done = events.at(-1);
    expect(done?.type === 'done' && done.result.output).toEqual({ city: 'Bern', celsius: 12 });
  });

  it('leaves runs without output as they were (text answers, tokens stream)', async () => {
    const { agent, llm } = agentWith(['plain answer']);
    const result = await agent.chat('hi');
    expect(result.response).toBe('plain answer');
    expect('output' in result).toBe(false);
    expect(llm.structuredRequests).toHaveLength(0);
  });
});
