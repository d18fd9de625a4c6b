import { Agent, inMemoryLogger, inMemoryMemory } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandler } from '../src/index.js';
import { startTestServer, type TestServer } from './helpers.js';
import { rawRequest } from './raw-request.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.handle.close();
  server = undefined;
});

const json = { 'content-type': 'application/json' };
const code = (body: string) => (JSON.parse(body) as { error: { code: string } }).error.code;

describe("auth: 'none' serves this machine only", () => {
  it('refuses a request whose Host is not a loopback name (DNS rebinding), on every route', async () => {
    server = await startTestServer(['secret answer for alice', 'second'], { auth: 'none' });
    const own = await rawRequest(server.handle.url, 'POST', '/v1/chat', { host: new URL(server.handle.url).host, ...json }, JSON.stringify({ message: 'hi', userId: 'alice', conversationId: 'c1' }));
    expect(own.status).toBe(200);
    const rebound = { host: 'attacker.example:3000' };
    const chat = await rawRequest(server.handle.url, 'POST', '/v1/chat', { ...rebound, ...json }, JSON.stringify({ message: 'hi', userId: 'alice' }));
    expect(chat.status).toBe(403);
    expect(code(chat.body)).toBe('forbidden_host');
    const read = await rawRequest(server.handle.url, 'GET', '/v1/conversations/c1?userId=alice', rebound);
    expect(read.status).toBe(403);
    expect(read.body).not.toContain('secret answer');
    expect((await rawRequest(server.handle.url, 'GET', '/metrics', rebound)).status).toBe(403);
    for (const host of ['localhost:1', '127.0.0.2', '[::1]:80', 'LOCALHOST']) {
      expect((await rawRequest(server.handle.url, 'GET', '/v1/agent', { host })).status, host).toBe(200);
    }
  });

  it('refuses a browser Origin that is not a loopback origin, even with cors.origins ["*"]', async () => {
    server = await startTestServer(['hello'], { auth: 'none', cors: { origins: ['*'] } });
    const foreign = await fetch(server.url('/v1/conversations?userId=alice'), { headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe('forbidden_origin');
    expect((await fetch(server.url('/v1/agent'), { headers: { origin: 'http://localhost:5173' } })).status).toBe(200);
  });

  it('refuses requests relayed by a proxy on this machine (forwarding headers)', async () => {
    server = await startTestServer(['hello'], { auth: 'none' });
    for (const header of ['x-forwarded-for', 'forwarded', 'cf-connecting-ip', 'x-real-ip']) {
      const response = await fetch(server.url('/v1/agent'), { headers: { [header]: header === 'forwarded' ? 'for=203.0.113.9' : '203.0.113.9' } });
      expect(response.status, header).toBe(403);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('proxied_request');
    }
  });

  it('fails closed on a host that does not report the peer address, unless explicitly allowed', async () => {
    const agent = new Agent({ name: 'a', zeroConfig: false, resources: { llm: scriptedLLM(['hello', 'again']), memory: inMemoryMemory(), logging: inMemoryLogger({ echoLevel: false }) } });
    const chat = () => new Request('http://localhost/v1/chat', { method: 'POST', headers: json, body: JSON.stringify({ message: 'hi', userId: 'bob' }) });
    try {
      const closed = await createHandler(agent, { auth: 'none' }).fetch(new Request('https://public.example/v1/chat', { method: 'POST', headers: json, body: '{"message":"hi"}' }));
      expect(closed.status).toBe(403);
      expect(((await closed.json()) as { error: { code: string; message: string } }).error.message).toMatch(/allowUnauthenticatedWithoutPeerAddress/);
      expect((await createHandler(agent, { auth: 'none' }).fetch(chat())).status).toBe(403);
      const allowed = createHandler(agent, { auth: 'none', allowUnauthenticatedWithoutPeerAddress: true });
      expect((await allowed.fetch(chat())).status).toBe(200);
      // The Host check still applies to such a host.
      expect((await allowed.fetch(new Request('https://public.example/v1/agent'))).status).toBe(403);
    } finally {
      await agent.stop();
    }
  });
});
