import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createStoredApiKey, revokeStoredApiKey } from '../src/index.js';
import { startTestServer, type TestServer } from './helpers.js';
import { connect } from './websocket-client.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.handle.close();
  server = undefined;
});

/** Polls an HTTP request until the server refuses the credential: from then on the WebSocket must too. */
async function untilRefusedOverHttp(server: TestServer, credential: string): Promise<void> {
  for (;;) {
    const response = await fetch(server.url('/v1/agent'), { headers: { authorization: `Bearer ${credential}` } });
    if (response.status === 401) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function keyFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'entity-ws-revoke-')), 'keys.json');
}

describe('an open WebSocket follows its credential', () => {
  it('closes with 1008 on the next chat message once its key is revoked from the key file', async () => {
    const file = keyFile();
    const { key, stored } = createStoredApiKey(file, { role: 'user', userIds: ['alice'] });
    server = await startTestServer(['before revoke', 'after revoke'], { auth: { keysFile: file }, websocket: true });
    const client = await connect(server.handle.websocket!.url, { protocols: ['entity.v1'], headers: { authorization: `Bearer ${key}` } });
    client.send({ type: 'chat', id: 'q0', message: 'hello' });
    expect((await client.run('q0')).end).toMatchObject({ type: 'event' });
    expect(revokeStoredApiKey(file, stored.id)).toBe(true);
    await untilRefusedOverHttp(server, key);
    client.send({ type: 'chat', id: 'q1', message: 'after revoke' });
    expect((await client.closed).code).toBe(1008);
    expect(client.messages.some((message) => message.id === 'q1')).toBe(false);
    expect(server.llm.requests).toHaveLength(1);
  });

  it('closes on the ping tick, without any message, once its key is revoked', async () => {
    const file = keyFile();
    const { key, stored } = createStoredApiKey(file, { role: 'user', userIds: ['alice'] });
    server = await startTestServer(['unused'], { auth: { keysFile: file }, websocket: { pingIntervalMs: 100 } });
    const client = await connect(server.handle.websocket!.url, { protocols: ['entity.v1'], headers: { authorization: `Bearer ${key}` } });
    revokeStoredApiKey(file, stored.id);
    expect((await client.closed).code).toBe(1008);
  });

  it('closes with 1008 once its JWT expired', async () => {
    const secret = 'y'.repeat(40);
    server = await startTestServer(['one', 'two'], { auth: { jwt: { secret, issuer: 'iss', audience: 'aud', clockToleranceSeconds: 0 } }, websocket: true });
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('iss')
      .setAudience('aud')
      .setSubject('alice')
      .setExpirationTime(Math.floor(Date.now() / 1000) + 2)
      .sign(new TextEncoder().encode(secret));
    const client = await connect(server.handle.websocket!.url, { protocols: ['entity.v1'], headers: { authorization: `Bearer ${token}` } });
    await untilRefusedOverHttp(server, token);
    client.send({ type: 'chat', id: 'q1', message: 'after exp' });
    expect((await client.closed).code).toBe(1008);
    expect(client.messages.some((message) => message.id === 'q1')).toBe(false);
    expect(server.llm.requests).toHaveLength(0);
  });
});
