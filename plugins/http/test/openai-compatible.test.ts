import { defineTool } from '@entity/core';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deferred, KEYS, parseSse, startTestServer, type TestServer } from './helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.handle.close();
  server = undefined;
});

function client(key: string = KEYS.admin, headers: Record<string, string> = {}) {
  return new OpenAI({ apiKey: key, baseURL: `${server!.handle.url}/v1`, maxRetries: 0, defaultHeaders: headers });
}

/** Answers with how many user messages the model saw, so history is observable. */
const countingReplies = (request: { messages: { role: string }[] }) =>
  `I have seen ${request.messages.filter((message) => message.role === 'user').length} user message(s)`;

describe('OpenAI-compatible API through the official openai SDK', () => {
  it('lists the agent as the one model and answers a completion', async () => {
    server = await startTestServer(countingReplies);
    const openai = client();
    const models = await openai.models.list();
    expect(models.data.map((model) => model.id)).toEqual(['test-agent']);
    expect((await openai.models.retrieve('test-agent')).owned_by).toBe('entity');

    const completion = await openai.chat.completions.create({ model: 'test-agent', messages: [{ role: 'user', content: 'hello' }] });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]!.message).toMatchObject({ role: 'assistant', content: 'I have seen 1 user message(s)' });
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
  });

  it('continues the conversation named by headers, and keeps users apart', async () => {
    server = await startTestServer(countingReplies);
    const alice = client(KEYS.admin, { 'x-entity-user-id': 'alice', 'x-entity-conversation-id': 'trip' });
    await alice.chat.completions.create({ model: 'test-agent', messages: [{ role: 'user', content: 'one' }] });
    // The client resends its history; the agent uses its own and answers the last user message.
    const second = await alice.chat.completions.create({
      model: 'test-agent',
      messages: [
        { role: 'system', content: 'ignored: the agent has its own instructions' },
        { role: 'user', content: 'one' },
        { role: 'assistant', content: 'I have seen 1 user message(s)' },
        { role: 'user', content: [{ type: 'text', text: 'two' }] },
      ],
    });
    expect(second.choices[0]!.message.content).toBe('I have seen 2 user message(s)');
    const bob = await client().chat.completions.create({ model: 'test-agent', user: 'bob', messages: [{ role: 'user', content: 'hi' }] });
    expect(bob.choices[0]!.message.content).toBe('I have seen 1 user message(s)');
    const stored = await server.agent.resource<{ loadMessages(query: object): Promise<{ message: { content: string } }[]> }>('memory').loadMessages({
      userId: 'alice',
      conversationId: 'trip',
    });
    expect(stored.map((item) => item.message.content)).toEqual(['one', 'I have seen 1 user message(s)', 'two', 'I have seen 2 user message(s)']);
  });

  it('streams chunks the SDK assembles into the answer, with a usage chunk when asked', async () => {
    server = await startTestServer(['The answer is five.']);
    const stream = await client().chat.completions.create({
      model: 'test-agent',
      messages: [{ role: 'user', content: 'What is 2+3?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('The answer is five.');
    expect(chunks.length).toBeGreaterThan(3);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    const finishing = chunks.filter((chunk) => chunk.choices[0]?.finish_reason);
    expect(finishing.map((chunk) => chunk.choices[0]!.finish_reason)).toEqual(['stop']);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
  });

  it('ends the raw stream with data: [DONE] and omits usage unless asked', async () => {
    server = await startTestServer(['Hi there.']);
    const response = await server.post('/v1/chat/completions', { model: 'test-agent', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const { messages } = parseSse(await response.text());
    expect(messages.at(-1)!.data).toBe('[DONE]');
    const chunks = messages.slice(0, -1).map((message) => JSON.parse(message.data) as Record<string, unknown>);
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && !('usage' in chunk))).toBe(true);
  });

  it('streams the text of every model call and the final answer when a tool runs in between', async () => {
    const add = defineTool({ name: 'add', description: 'Add', input: z.object({ a: z.number(), b: z.number() }), execute: ({ a, b }) => a + b });
    server = await startTestServer(
      (request) => {
        if (request.messages.at(-1)!.role === 'tool') return `The sum is ${request.messages.at(-1)!.content}.`;
        return { content: 'Let me add that.', toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] };
      },
      {},
      { tools: [add] },
    );
    const stream = await client().chat.completions.create({ model: 'test-agent', messages: [{ role: 'user', content: '2+3?' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Let me add that.\n\nThe sum is 5.');
  });

  it('cancels the run when the SDK aborts the stream', async () => {
    const modelAborted = deferred<unknown>();
    server = await startTestServer((request) => {
      request.signal!.addEventListener('abort', () => modelAborted.resolve(request.signal!.reason));
      return new Promise<string>(() => {});
    });
    const stream = await client().chat.completions.create({ model: 'test-agent', messages: [{ role: 'user', content: 'hang' }], stream: true });
    for await (const chunk of stream) {
      expect(chunk.choices[0]!.delta.role).toBe('assistant');
      break; // leaving the loop aborts the SDK's request
    }
    const reason = (await modelAborted.promise) as { code: string };
    expect(reason.code).toBe('CANCELLED');
  });

  it('raises the SDK errors for a wrong key, an unknown model and a non-user last message', async () => {
    server = await startTestServer(['unused']);
    await expect(client('ent_wrong').chat.completions.create({ model: 'test-agent', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
    await expect(client().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const badRequest = client().chat.completions.create({
      model: 'test-agent',
      messages: [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: 'y' },
      ],
    });
    await expect(badRequest).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(badRequest).rejects.toThrow(/messages\.1\.role: the last message must be the user's/);
    await expect(
      client().chat.completions.create({ model: 'test-agent', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'f' } }] }),
    ).rejects.toThrow(/client-side tools are not supported/);
  });
});
