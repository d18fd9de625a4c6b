import { type Task, TaskState } from '@a2a-js/sdk';
import { LegacyJsonRpcTransport } from '@a2a-js/sdk/compat/v0_3/client';
import { afterEach, describe, expect, it } from 'vitest';
import { type EntityA2A, sendRequest, startEntityA2A, TEST_USER_HEADER, textOf, userText } from './helpers.js';

let server: EntityA2A | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('A2A v0.3 clients (no A2A-Version header): message/send, message/stream, tasks/get, tasks/cancel', () => {
  it('gets the v0.3 agent card, which still lists the v1.0 interface', async () => {
    server = await startEntityA2A(['hi']);
    const response = await fetch(`${server.url}/.well-known/agent-card.json`);
    expect(response.headers.get('vary')).toBe('A2A-Version');
    const card = (await response.json()) as { supportedInterfaces: unknown[] };
    expect(card).toMatchObject({ name: 'entity-test-agent', url: `${server.url}/a2a`, preferredTransport: 'JSONRPC', protocolVersion: '0.3.0', capabilities: { streaming: true } });
    expect(card.supportedInterfaces[0]).toMatchObject({ protocolVersion: '1.0' });
  });

  it("speaks v0.3 JSON-RPC on the wire (kind: 'task', state: 'completed')", async () => {
    server = await startEntityA2A(['Hello from Entity.']);
    const response = await fetch(`${server.url}/a2a`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TEST_USER_HEADER]: 'alice' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 'r1', method: 'message/send', params: { message: { kind: 'message', messageId: 'm1', role: 'user', parts: [{ kind: 'text', text: 'hello' }] } } }),
    });
    const body = (await response.json()) as { result: { artifacts: { parts: unknown[] }[] } };
    expect(body).toMatchObject({ jsonrpc: '2.0', id: 'r1', result: { kind: 'task', status: { state: 'completed' } } });
    expect(body.result.artifacts[0]?.parts[0]).toEqual({ kind: 'text', text: 'Hello from Entity.' });
  });

  it("the SDK's v0.3 transport: send, stream, get and cancel errors", async () => {
    server = await startEntityA2A(['Legacy answer.']);
    const transport = new LegacyJsonRpcTransport({ endpoint: `${server.url}/a2a` });
    const options = { serviceParameters: { [TEST_USER_HEADER]: 'alice' } };
    const task = (await transport.sendMessage(sendRequest(userText('old client')), options)) as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(textOf(task.artifacts[0]!.parts)).toBe('Legacy answer.');
    const fetched = await transport.getTask({ tenant: '', id: task.id }, options);
    expect(fetched.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    await expect(transport.getTask({ tenant: '', id: task.id }, { serviceParameters: { [TEST_USER_HEADER]: 'bob' } })).rejects.toThrow(/not found/i);
    await expect(transport.cancelTask({ tenant: '', id: task.id, metadata: undefined }, options)).rejects.toThrow(/cancel/i);
    const kinds: (string | undefined)[] = [];
    let final: TaskState | undefined;
    for await (const event of transport.sendMessageStream(sendRequest(userText('stream please')), options)) {
      kinds.push(event.payload?.$case);
      if (event.payload?.$case === 'statusUpdate') final = event.payload.value.status?.state;
    }
    expect(kinds[0]).toBe('task');
    expect(final).toBe(TaskState.TASK_STATE_COMPLETED);
  });
});
