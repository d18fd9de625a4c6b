import { type Task, TaskState } from '@a2a-js/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { type EntityA2A, sdkClient, sendRequest, startEntityA2A, userText } from './helpers.js';

let server: EntityA2A | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('the default task store is bounded', () => {
  it('keeps at most maxTasks tasks: the oldest is dropped, the newest stay readable by their owner only', async () => {
    server = await startEntityA2A(['one', 'two', 'three'], {}, { maxTasks: 2 });
    const alice = await sdkClient(server.url, 'alice');
    const bob = await sdkClient(server.url, 'bob');
    const first = (await alice.client.sendMessage(sendRequest(userText('1')), alice.options)) as Task;
    const second = (await alice.client.sendMessage(sendRequest(userText('2')), alice.options)) as Task;
    const third = (await bob.client.sendMessage(sendRequest(userText('3')), bob.options)) as Task;
    await expect(alice.client.getTask({ tenant: '', id: first.id }, alice.options)).rejects.toThrow(/not found/i);
    expect((await alice.client.getTask({ tenant: '', id: second.id }, alice.options)).status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect((await bob.client.getTask({ tenant: '', id: third.id }, bob.options)).status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    await expect(bob.client.getTask({ tenant: '', id: second.id }, bob.options)).rejects.toThrow(/not found/i);
    const listed = await alice.client.listTasks({ tenant: '', contextId: '', status: 0, pageSize: 10, pageToken: '', historyLength: 0, statusTimestampAfter: undefined, includeArtifacts: false } as never, alice.options);
    expect(listed.tasks.map((task) => task.id)).toEqual([second.id]);
  });

  it('refuses a maxTasks that is not a whole number >= 1', async () => {
    await expect(startEntityA2A(['x'], {}, { maxTasks: 0 })).rejects.toThrow(/maxTasks/);
  });
});

describe('a refused message is not kept in the task', () => {
  it('the stored task of a message over maxMessageChars holds a placeholder, not the message', async () => {
    server = await startEntityA2A(['unused'], {}, { maxMessageChars: 100 });
    const alice = await sdkClient(server.url, 'alice');
    const task = (await alice.client.sendMessage(sendRequest(userText('x'.repeat(200_000))), alice.options)) as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_REJECTED);
    const stored = await alice.client.getTask({ tenant: '', id: task.id }, alice.options);
    expect(stored.status?.state).toBe(TaskState.TASK_STATE_REJECTED);
    expect(JSON.stringify(stored).length).toBeLessThan(5_000);
    expect(server.llm.requests).toHaveLength(0);
  });
});

describe('an oversized contextId is refused before a task is stored', () => {
  it('answers a JSON-RPC error naming contextId and stores no task', async () => {
    server = await startEntityA2A(['unused']);
    const response = await fetch(`${server.url}/a2a`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'a2a-version': '1.0' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'SendMessage', params: { message: { messageId: 'm1', role: 'ROLE_USER', parts: [{ text: 'hi' }], contextId: 'c'.repeat(100_000) } } }),
    });
    const reply = (await response.json()) as { error?: { message: string }; result?: unknown };
    expect(reply.result).toBeUndefined();
    expect(reply.error?.message).toMatch(/contextId/);
    const alice = await sdkClient(server.url, 'alice');
    const listed = await alice.client.listTasks({ tenant: '', contextId: '', status: 0, pageSize: 10, pageToken: '', historyLength: 0, statusTimestampAfter: undefined, includeArtifacts: false } as never, alice.options);
    expect(listed.tasks).toHaveLength(0);
    expect(server.llm.requests).toHaveLength(0);
  });
});
