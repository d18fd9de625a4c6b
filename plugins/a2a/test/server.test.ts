import { type StreamResponse, type Task, TaskState } from '@a2a-js/sdk';
import { defineTool, type LLM } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type EntityA2A, sdkClient, sendRequest, startEntityA2A, TEST_USER_HEADER, textOf, userText } from './helpers.js';

let server: EntityA2A | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const add = defineTool({
  name: 'add',
  description: 'Add two numbers',
  input: z.object({ a: z.number(), b: z.number() }),
  execute: ({ a, b }) => a + b,
});

function isTask(result: unknown): result is Task {
  return typeof result === 'object' && result !== null && 'status' in result;
}

describe('Entity agent served over A2A, called with the @a2a-js/sdk client over a loopback socket', () => {
  it('publishes an agent card built from the agent name, description and tools', async () => {
    server = await startEntityA2A(['hi'], { tools: [add] }, { description: 'Adds numbers.', version: '1.2.3' });
    const { client } = await sdkClient(server.url);
    const card = await client.getAgentCard();
    expect(card.name).toBe('entity-test-agent');
    expect(card.description).toBe('Adds numbers.');
    expect(card.version).toBe('1.2.3');
    expect(card.capabilities?.streaming).toBe(true);
    expect(card.skills.map((skill) => [skill.id, skill.description])).toEqual([['add', 'Add two numbers']]);
    expect(card.supportedInterfaces[0]).toMatchObject({ url: `${server.url}/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' });
    expect(Object.keys(card.securitySchemes)).toEqual(['bearer']);
  });

  it('message/send runs one turn and returns the completed task with the answer as an artifact', async () => {
    server = await startEntityA2A(['The answer is 42.']);
    const { client, options } = await sdkClient(server.url);
    const result = await client.sendMessage(sendRequest(userText('What is the answer?')), options);
    expect(isTask(result)).toBe(true);
    const task = result as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(task.artifacts).toHaveLength(1);
    expect(textOf(task.artifacts[0]!.parts)).toBe('The answer is 42.');
    expect(textOf(task.status!.message!.parts)).toBe('The answer is 42.');
    expect(server.llm.requests[0]!.messages.at(-1)).toMatchObject({ role: 'user', content: 'What is the answer?' });
  });

  it('message/stream maps the run events: working, tool calls, answer chunks, completed', async () => {
    // A model that streams its words 30 ms apart, so they go out as several chunks (10 ms apart).
    const scripted = scriptedLLM([{ toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] }, 'Two plus three is five.']);
    const slowWords: LLM = {
      ...scripted,
      async *stream(request) {
        for await (const event of scripted.stream?.(request) ?? []) {
          if (event.type === 'text-delta') await new Promise((resolve) => setTimeout(resolve, 30));
          yield event;
        }
      },
    };
    server = await startEntityA2A([], { tools: [add], resources: { llm: slowWords } }, { chunkIntervalMs: 10 });
    const { client, options } = await sdkClient(server.url);
    const events: StreamResponse[] = [];
    for await (const event of client.sendMessageStream(sendRequest(userText('2+3?')), options)) events.push(event);
    const kinds = events.map((event) => event.payload?.$case);
    expect(kinds[0]).toBe('task');
    const statuses = events.flatMap((event) => (event.payload?.$case === 'statusUpdate' ? [event.payload.value] : []));
    expect(statuses[0]!.status?.state).toBe(TaskState.TASK_STATE_WORKING);
    expect(statuses.map((status) => status.metadata?.entity?.event).filter(Boolean)).toEqual(['tool-call', 'tool-result']);
    expect(statuses.find((status) => status.metadata?.entity?.event === 'tool-result')!.metadata!.entity).toMatchObject({ tool: 'add', ok: true });
    expect(statuses.at(-1)!.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    const chunks = events.flatMap((event) => (event.payload?.$case === 'artifactUpdate' && !event.payload.value.lastChunk ? [textOf(event.payload.value.artifact!.parts)] : []));
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe('Two plus three is five.');
    const last = events.filter((event) => event.payload?.$case === 'artifactUpdate').at(-1)!;
    expect(last.payload?.$case === 'artifactUpdate' && last.payload.value).toMatchObject({ append: false, lastChunk: true });
  });

  it('an idle event stream sends keep-alive comments, which the SDK client skips', async () => {
    const pause = defineTool({ name: 'pause', description: 'Waits a little', input: z.object({}), execute: () => new Promise((resolve) => setTimeout(() => resolve('rested'), 200)) });
    server = await startEntityA2A([{ toolCalls: [{ name: 'pause', arguments: {} }] }, 'Rested.'], { tools: [pause] }, { heartbeatMs: 20 });
    const raw = await fetch(`${server.url}/a2a`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'a2a-version': '1.0', [TEST_USER_HEADER]: 'alice' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'SendStreamingMessage', params: { message: { messageId: 'm1', role: 'ROLE_USER', parts: [{ text: 'rest' }] } } }),
    });
    expect(raw.headers.get('content-type')).toBe('text/event-stream');
    const text = await raw.text();
    expect(text).toContain(': keep-alive\n\n');
    expect(text).toContain('TASK_STATE_COMPLETED');
    const { client, options } = await sdkClient(server.url);
    const states: (number | undefined)[] = [];
    for await (const event of client.sendMessageStream(sendRequest(userText('rest again')), options)) {
      if (event.payload?.$case === 'statusUpdate') states.push(event.payload.value.status?.state);
    }
    expect(states.at(-1)).toBe(TaskState.TASK_STATE_COMPLETED);
  });

  it('a long streamed answer goes out in a few chunks, not one event per token (each event rewrites the stored task)', async () => {
    const answer = 'word '.repeat(600);
    server = await startEntityA2A([answer]);
    const { client, options } = await sdkClient(server.url);
    const updates: string[] = [];
    for await (const event of client.sendMessageStream(sendRequest(userText('talk')), options)) {
      if (event.payload?.$case === 'artifactUpdate' && !event.payload.value.lastChunk) updates.push(textOf(event.payload.value.artifact!.parts));
    }
    expect(updates.length).toBeGreaterThan(0);
    expect(updates.length).toBeLessThan(10);
    expect(updates.join('')).toBe(answer);
  });

  it('tasks/get returns the finished task with its history; another user cannot see it', async () => {
    server = await startEntityA2A(['Done.']);
    const alice = await sdkClient(server.url, 'alice');
    const bob = await sdkClient(server.url, 'bob');
    const task = (await alice.client.sendMessage(sendRequest(userText('Do it')), alice.options)) as Task;
    const fetched = await alice.client.getTask({ tenant: '', id: task.id }, alice.options);
    expect(fetched.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(textOf(fetched.history[0]!.parts)).toBe('Do it');
    await expect(bob.client.getTask({ tenant: '', id: task.id }, bob.options)).rejects.toThrow(/not found/i);
    await expect(bob.client.cancelTask({ tenant: '', id: task.id, metadata: undefined }, bob.options)).rejects.toThrow(/not found/i);
  });

  it('a contextId is an Entity conversation of the caller: turns continue it, another user with the same id starts their own', async () => {
    server = await startEntityA2A((request) => `seen ${request.messages.filter((message) => message.role === 'user').length} user messages`);
    const alice = await sdkClient(server.url, 'alice');
    const bob = await sdkClient(server.url, 'bob');
    const first = (await alice.client.sendMessage(sendRequest(userText('one')), alice.options)) as Task;
    const second = (await alice.client.sendMessage(sendRequest(userText('two', { contextId: first.contextId })), alice.options)) as Task;
    expect(second.contextId).toBe(first.contextId);
    expect(textOf(second.artifacts[0]!.parts)).toBe('seen 2 user messages');
    const intruder = (await bob.client.sendMessage(sendRequest(userText('three', { contextId: first.contextId })), bob.options)) as Task;
    expect(textOf(intruder.artifacts[0]!.parts)).toBe('seen 1 user messages');
    const bobRequest = server.llm.requests.at(-1)!;
    expect(JSON.stringify(bobRequest.messages)).not.toContain('one');
  });

  it('tasks/cancel stops the running turn: the tool sees the abort and the task ends canceled', async () => {
    let started!: () => void;
    const toolStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    let aborted = false;
    const wait = defineTool({
      name: 'wait_forever',
      description: 'Waits until cancelled',
      input: z.object({}),
      timeoutMs: 60_000,
      execute: (_args, context) =>
        new Promise((_resolve, reject) => {
          started();
          context.signal.addEventListener('abort', () => {
            aborted = true;
            reject(context.signal.reason);
          });
        }),
    });
    server = await startEntityA2A([{ toolCalls: [{ name: 'wait_forever', arguments: {} }] }, 'never'], { tools: [wait] });
    const { client, options } = await sdkClient(server.url);
    const stream = client.sendMessageStream(sendRequest(userText('wait')), options);
    const first = await stream.next();
    const taskId = first.value && first.value.payload?.$case === 'task' ? first.value.payload.value.id : '';
    expect(taskId).not.toBe('');
    await toolStarted;
    expect(server.a2a.runningTasks).toBe(1);
    const canceled = await client.cancelTask({ tenant: '', id: taskId, metadata: undefined }, options);
    expect(canceled.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    const rest: StreamResponse[] = [];
    for await (const event of stream) rest.push(event);
    const final = rest.at(-1)!;
    expect(final.payload?.$case === 'statusUpdate' && final.payload.value.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    await expect.poll(() => aborted).toBe(true);
    expect(server.a2a.runningTasks).toBe(0);
    const fetched = await client.getTask({ tenant: '', id: taskId }, options);
    expect(fetched.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
  });

  it('a failed turn ends the task as failed with the safe message, never the raw error', async () => {
    server = await startEntityA2A(() => {
      throw new Error('upstream said: password=hunter2');
    });
    const { client, options } = await sdkClient(server.url);
    const task = (await client.sendMessage(sendRequest(userText('hello')), options)) as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_FAILED);
    const said = textOf(task.status!.message!.parts);
    expect(said.length).toBeGreaterThan(0);
    expect(said).not.toContain('hunter2');
    expect(JSON.stringify(task)).not.toContain('hunter2');
  });

  it('a message that is not text is rejected with a message saying what to send', async () => {
    server = await startEntityA2A(['unused']);
    const { client, options } = await sdkClient(server.url);
    const message = userText('x');
    message.parts = [{ content: { $case: 'url', value: 'https://example.com/file.pdf' }, mediaType: 'application/pdf', filename: 'file.pdf', metadata: undefined }];
    const task = (await client.sendMessage(sendRequest(message), options)) as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_REJECTED);
    expect(textOf(task.status!.message!.parts)).toMatch(/text and data parts only.*url/);
    expect(server.llm.requests).toHaveLength(0);
  });
});

describe('the JSON-RPC endpoint refuses bad requests with clear errors', () => {
  const post = (url: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${url}/a2a`, { method: 'POST', headers: { 'content-type': 'application/json', 'a2a-version': '1.0', [TEST_USER_HEADER]: 'alice', ...headers }, body });

  it('invalid JSON, an unknown method, a wrong content type, GET, an oversized body, a missing version', async () => {
    server = await startEntityA2A(['unused'], {}, { maxBodyBytes: 1000 });
    const parse = await post(server.url, '{not json');
    expect(await parse.json()).toMatchObject({ error: { code: -32700 } });
    const unknown = await post(server.url, JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'DropTables', params: {} }));
    expect(await unknown.json()).toMatchObject({ id: 7, error: { code: -32601 } });
    const contentType = await post(server.url, '{}', { 'content-type': 'text/plain' });
    expect(await contentType.json()).toMatchObject({ error: { code: -32005 } });
    const get = await fetch(`${server.url}/a2a`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const big = await post(server.url, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'SendMessage', params: { padding: 'x'.repeat(2000) } }));
    expect(big.status).toBe(413);
    expect(JSON.stringify(await big.json())).toMatch(/larger than 1000 bytes/);
    const batch = await post(server.url, '[]');
    expect(await batch.json()).toMatchObject({ error: { code: -32602 } });
    const oldVersion = await post(server.url, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'GetTask', params: { id: 'x' } }), { 'a2a-version': '0.2' });
    expect(await oldVersion.json()).toMatchObject({ id: 2, error: { code: -32009 } });
    expect(server.llm.requests).toHaveLength(0);
  });

  it('without legacyCompat, a request without a version header is refused as v0.3', async () => {
    server = await startEntityA2A(['unused'], {}, { legacyCompat: false });
    const noVersion = await post(server.url, JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'message/send', params: {} }), { 'a2a-version': '' });
    expect(await noVersion.json()).toMatchObject({ id: 3, error: { code: -32009 } });
    const card = (await (await fetch(`${server.url}/.well-known/agent-card.json`)).json()) as { url?: string; supportedInterfaces: unknown[] };
    expect(card.url).toBeUndefined();
    expect(card.supportedInterfaces).toHaveLength(1);
  });
});
