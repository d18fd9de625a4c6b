import { defineTool, type Memory } from '@entity/core';
import { AbstractChat, type ChatInit, type ChatState, type ChatStatus, DefaultChatTransport, readUIMessageStream, type UIMessage } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bearer, deferred, KEYS, startTestServer, type TestServer } from './helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.handle.close();
  server = undefined;
});

const add = defineTool({
  name: 'add',
  description: 'Adds two numbers',
  input: z.object({ a: z.number(), b: z.number() }),
  execute: ({ a, b }) => a + b,
});

/** The state `useChat` keeps in React, as plain fields: what `Chat` from `@ai-sdk/react` adds to `AbstractChat`. */
class PlainChatState implements ChatState<UIMessage> {
  status: ChatStatus = 'ready';
  error: Error | undefined = undefined;
  constructor(public messages: UIMessage[] = []) {}
  pushMessage = (message: UIMessage) => {
    this.messages = [...this.messages, message];
  };
  popMessage = () => {
    this.messages = this.messages.slice(0, -1);
  };
  replaceMessage = (index: number, message: UIMessage) => {
    this.messages = this.messages.map((existing, at) => (at === index ? message : existing));
  };
  snapshot = <T>(value: T): T => structuredClone(value);
}

/** `useChat` without React: the `ai` package's own chat logic over a plain state. */
class PlainChat extends AbstractChat<UIMessage> {
  constructor(init: ChatInit<UIMessage>) {
    super({ ...init, state: new PlainChatState(init.messages) });
  }
  get current(): ChatState<UIMessage> {
    return this.state;
  }
}

function transport(key: string = KEYS.admin, body?: object) {
  return new DefaultChatTransport<UIMessage>({ api: server!.url('/v1/ui/chat'), headers: bearer(key), ...(body ? { body } : {}) });
}

const userMessage = (id: string, text: string): UIMessage => ({ id, role: 'user', parts: [{ type: 'text', text }] });

/** Reads a UI message stream to the end with the `ai` package's reader; returns the final message. */
async function finalMessage(stream: ReadableStream<import('ai').UIMessageChunk>): Promise<UIMessage> {
  let last: UIMessage | undefined;
  for await (const message of readUIMessageStream({ stream, terminateOnError: true })) last = message;
  return last!;
}

describe('POST /v1/ui/chat (AI SDK UI message stream)', () => {
  it('streams a plain answer that the ai package reads into one assistant message', async () => {
    server = await startTestServer(['Hello, Alice.']);
    const stream = await transport(KEYS.alice).sendMessages({ chatId: 'chat-1', messages: [userMessage('m1', 'hi')], trigger: 'submit-message', messageId: undefined, abortSignal: undefined });
    const message = await finalMessage(stream);
    expect(message.role).toBe('assistant');
    expect(message.parts.filter((part) => part.type === 'text')).toEqual([expect.objectContaining({ type: 'text', text: 'Hello, Alice.', state: 'done' })]);
    expect(message.metadata).toMatchObject({ runInfo: { userId: 'alice', conversationId: 'chat-1', iterations: 1 } });
    // The chat id is the conversation; the user comes from the key.
    const stored = await server.agent.resource<Memory>('memory').loadMessages({ userId: 'alice', conversationId: 'chat-1' });
    expect(stored.map((entry) => [entry.message.role, entry.message.content])).toEqual([
      ['user', 'hi'],
      ['assistant', 'Hello, Alice.'],
    ]);

    const raw = await fetch(server.url('/v1/ui/chat'), {
      method: 'POST',
      headers: { ...bearer(KEYS.admin), 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'chat-2', messages: [userMessage('m1', 'again')], trigger: 'submit-message' }),
    });
    expect(raw.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1');
    expect(raw.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await raw.text();
    const data = text.split('\n\n').filter((block) => block.startsWith('data: ')).map((block) => block.slice(6));
    expect(data.at(-1)).toBe('[DONE]');
    const types = data.slice(0, -1).map((json) => (JSON.parse(json) as { type: string }).type);
    expect(types[0]).toBe('start');
    expect(types.slice(-2)).toEqual(['finish-step', 'finish']);
    expect(types).toEqual(expect.arrayContaining(['start-step', 'text-start', 'text-delta', 'text-end']));
  });

  it('shows a tool call between two model calls as steps with tool parts, and continues the conversation', async () => {
    server = await startTestServer(
      [{ content: 'Let me add.', toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] }, 'It is 5.', 'You asked about 2+3.'],
      {},
      { tools: [add] },
    );
    let finish: { finishReason?: string; isError: boolean } | undefined;
    const chat = new PlainChat({ id: 'math', transport: transport(), onFinish: (event) => (finish = event) });
    await chat.sendMessage({ text: 'What is 2+3?' });
    expect(chat.current.status).toBe('ready');
    expect(chat.current.error).toBeUndefined();
    expect(finish).toMatchObject({ finishReason: 'stop', isError: false });
    const [question, answer] = chat.current.messages;
    expect(question).toMatchObject({ role: 'user', parts: [{ type: 'text', text: 'What is 2+3?' }] });
    expect(answer!.parts.map((part) => part.type)).toEqual(['step-start', 'text', 'tool-add', 'step-start', 'text']);
    expect(answer!.parts[2]).toMatchObject({ type: 'tool-add', state: 'output-available', input: { a: 2, b: 3 }, output: 5 });
    expect(answer!.parts[4]).toMatchObject({ type: 'text', text: 'It is 5.' });
    expect(answer!.metadata).toMatchObject({ runInfo: { conversationId: 'math', toolCalls: [{ name: 'add', success: true }] } });

    // useChat resends the whole history; the agent has it in memory and takes only the new message.
    await chat.sendMessage({ text: 'What did I ask?' });
    expect(chat.current.messages).toHaveLength(4);
    expect(chat.current.messages[3]!.parts.at(-1)).toMatchObject({ type: 'text', text: 'You asked about 2+3.' });
    const thirdCall = server.llm.requests[2]!.messages.filter((message) => message.role === 'user').map((message) => message.content);
    expect(thirdCall).toEqual(['What is 2+3?', 'What did I ask?']);
  });

  it('answers a failed model call with the safe message and finish reason error, never the error text', async () => {
    server = await startTestServer(() => {
      throw new Error('upstream said: secret-token-123');
    });
    let finish: { finishReason?: string } | undefined;
    const chat = new PlainChat({ id: 'oops', transport: transport(), onFinish: (event) => (finish = event) });
    await chat.sendMessage({ text: 'hi' });
    const answer = chat.current.messages[1]!;
    expect(answer.parts.filter((part) => part.type === 'text')).toEqual([expect.objectContaining({ text: expect.stringMatching(/^Sorry/) })]);
    expect(JSON.stringify(answer)).not.toContain('secret-token-123');
    expect(finish?.finishReason).toBe('error');
    expect(answer.metadata).toMatchObject({ runInfo: { failure: { stage: 'THINK', errorType: 'Error' } } });
  });

  it('ends the stream with an error part when the run fails outside its stages (cancelled on shutdown)', async () => {
    const modelCalled = deferred();
    server = await startTestServer((request) => {
      modelCalled.resolve();
      return new Promise<string>((_resolve, reject) => request.signal!.addEventListener('abort', () => reject(request.signal!.reason)));
    }, { shutdownTimeoutMs: 50 });
    const errors: Error[] = [];
    const chat = new PlainChat({ id: 'slow', transport: transport(), onError: (error) => errors.push(error) });
    const sending = chat.sendMessage({ text: 'never answered' });
    await modelCalled.promise;
    const closing = server.handle.close();
    await sending;
    await closing;
    server = undefined;
    expect(chat.current.status).toBe('error');
    expect(chat.current.error?.message).toBe('The request was cancelled.');
    expect(errors.map((error) => error.message)).toEqual(['The request was cancelled.']);
  });

  it('refuses what it cannot do with an error the transport raises, before the agent runs', async () => {
    server = await startTestServer(['unused']);
    /** What the transport threw: the `ai` package's APICallError with our JSON error as its body. */
    const refusal = async (sending: Promise<unknown>) => {
      const error = (await sending.then(
        () => undefined,
        (thrown: unknown) => thrown,
      )) as { statusCode: number; responseBody: string } | undefined;
      expect(error).toBeDefined();
      return { status: error!.statusCode, ...(JSON.parse(error!.responseBody) as { error: { code: string; message: string } }).error };
    };
    const send = (key: string, messages: UIMessage[], options: { body?: object; trigger?: 'submit-message' | 'regenerate-message' } = {}) =>
      transport(key, options.body).sendMessages({ chatId: 'c', messages, trigger: options.trigger ?? 'submit-message', messageId: undefined, abortSignal: undefined });
    const hi = [userMessage('m1', 'hi')];
    expect(await refusal(send(KEYS.admin, hi, { trigger: 'regenerate-message' }))).toMatchObject({ status: 400, code: 'unsupported_trigger', message: expect.stringMatching(/cannot regenerate an answer/) });
    const file: UIMessage = { id: 'm1', role: 'user', parts: [{ type: 'file', mediaType: 'image/png', url: 'data:image/png;base64,AAAA' }] };
    expect(await refusal(send(KEYS.admin, [file]))).toMatchObject({ status: 400, message: 'Invalid request body: messages.0.parts: only text parts can be sent to this agent, not "file"' });
    expect(await refusal(send(KEYS.admin, hi, { body: { temperature: 0.2 } }))).toMatchObject({ status: 400, message: 'Invalid request body: Unrecognized key: "temperature"' });
    expect(await refusal(send(KEYS.admin, [...hi, { id: 'a1', role: 'assistant', parts: [{ type: 'text', text: 'Hello' }] }]))).toMatchObject({
      status: 400,
      message: expect.stringMatching(/messages\.1\.role: the last message must be the user's new message/),
    });
    expect(await refusal(send(KEYS.viewer, hi))).toMatchObject({ status: 403, code: 'forbidden_role' });
    expect(await refusal(send(KEYS.alice, hi, { body: { userId: 'bob' } }))).toMatchObject({ status: 403, code: 'forbidden_user' });
    expect(server.llm.requests).toHaveLength(0);
  });
});
