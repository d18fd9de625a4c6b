import { Agent, ConfigError, inMemoryLogger } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandler, hashApiKey, serveHttp } from '../src/index.js';
import { API_KEYS, bearer, KEYS, startTestServer, type TestServer } from './helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.handle.close();
  server = undefined;
});

type ErrorBody = { error: { message: string; type: string; code: string; param: string | null } };

describe('authentication and roles', () => {
  it('answers 401 with a JSON error and a Bearer challenge without a valid key', async () => {
    server = await startTestServer(['unused']);
    for (const headers of [{}, { authorization: 'Basic YWxhZGRpbjpvcGVuc2VzYW1l' }, bearer('ent_not_a_key')]) {
      const response = await fetch(server.url('/v1/agent'), { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      const body = (await response.json()) as ErrorBody;
      expect(body.error.type).toBe('authentication_error');
    }
    const missing = (await (await fetch(server.url('/v1/chat'), { method: 'POST' })).json()) as ErrorBody;
    expect(missing.error).toMatchObject({ code: 'missing_api_key', message: 'Send an API key as "Authorization: Bearer <key>"' });
    expect(server.llm.requests).toHaveLength(0);
  });

  it('lets a viewer read but not chat (403)', async () => {
    server = await startTestServer(['unused']);
    const agent = await fetch(server.url('/v1/agent'), { headers: bearer(KEYS.viewer) });
    expect(agent.status).toBe(200);
    for (const path of ['/v1/chat', '/v1/chat/completions']) {
      const response = await server.post(path, { message: 'hi' }, bearer(KEYS.viewer));
      expect(response.status).toBe(403);
      expect(((await response.json()) as ErrorBody).error).toMatchObject({ code: 'forbidden_role', type: 'permission_error' });
    }
    expect(server.llm.requests).toHaveLength(0);
  });

  it("refuses (403) a key acting for a user it may not, and defaults to the key's own user", async () => {
    server = await startTestServer(['Hi Alice.']);
    const forBob = await server.post('/v1/chat', { message: 'hi', userId: 'bob' }, bearer(KEYS.alice));
    expect(forBob.status).toBe(403);
    expect(((await forBob.json()) as ErrorBody).error).toMatchObject({ code: 'forbidden_user', param: 'userId' });
    const openAIForBob = await server.post(
      '/v1/chat/completions',
      { model: 'test-agent', messages: [{ role: 'user', content: 'hi' }] },
      { ...bearer(KEYS.alice), 'x-entity-user-id': 'bob' },
    );
    expect(openAIForBob.status).toBe(403);
    expect(server.llm.requests).toHaveLength(0);
    const asAlice = await server.post('/v1/chat', { message: 'hi' }, bearer(KEYS.alice));
    expect(((await asAlice.json()) as { info: { userId: string } }).info.userId).toBe('alice');
  });
});

describe('rate limits', () => {
  it('limits each key with a token bucket: 429 with retry-after, other keys unaffected', async () => {
    server = await startTestServer(['ok'], { rateLimit: { perIp: false, perKey: { capacity: 2, refillPerSecond: 0.01 } } });
    const statuses = [];
    for (let index = 0; index < 3; index++) statuses.push((await fetch(server.url('/v1/agent'), { headers: bearer(KEYS.viewer) })).status);
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await fetch(server.url('/v1/agent'), { headers: bearer(KEYS.viewer) });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await limited.json()) as ErrorBody).error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limited' });
    expect((await fetch(server.url('/v1/agent'), { headers: bearer(KEYS.admin) })).status).toBe(200);
  });

  it('limits each client address before authentication, but never the health probes', async () => {
    server = await startTestServer(['ok'], { rateLimit: { perKey: false, perIp: { capacity: 2, refillPerSecond: 0.01 } } });
    const statuses = [];
    for (let index = 0; index < 3; index++) statuses.push((await fetch(server.url('/v1/agent'))).status);
    expect(statuses).toEqual([401, 401, 429]);
    expect((await fetch(server.url('/v1/agent'), { headers: bearer(KEYS.admin) })).status).toBe(429);
    expect((await fetch(server.url('/health/live'))).status).toBe(200);
  });

  it('does not limit per address when the host does not report one (all clients would share a bucket)', async () => {
    const handler = createHandler(new Agent({ zeroConfig: false }), { auth: { apiKeys: API_KEYS }, rateLimit: { perKey: false, perIp: { capacity: 1, refillPerSecond: 0.01 } } });
    const statuses = [];
    for (let index = 0; index < 3; index++) statuses.push((await handler.fetch(new Request('http://agent.example/v1/agent'))).status);
    expect(statuses).toEqual([401, 401, 401]);
  });
});

describe('health, description and headers', () => {
  it('serves the health probes without a key, and readiness follows resource health', async () => {
    let healthy = true;
    const probe = { healthCheck: async () => ({ healthy, message: healthy ? 'fine' : 'database at 10.0.0.9 unreachable' }) };
    server = await startTestServer(['unused'], {}, { resources: { probe } });
    expect(await (await fetch(server.url('/health/live'))).json()).toEqual({ status: 'live' });
    const ready = await fetch(server.url('/health/ready'), { headers: bearer(KEYS.viewer) });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', resources: { llm: { healthy: true }, probe: { healthy: true } } });
    healthy = false;
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // past the one-second readiness cache
    const notReady = await fetch(server.url('/health/ready'), { headers: bearer(KEYS.viewer) });
    expect(notReady.status).toBe(503);
    const text = await notReady.text();
    expect(JSON.parse(text)).toMatchObject({ status: 'not-ready', resources: { probe: { healthy: false } } });
    expect(text).not.toContain('10.0.0.9');
  });

  it('describes the agent: name, plugins with stages, tools, resources', async () => {
    server = await startTestServer(['unused']);
    const body = (await (await fetch(server.url('/v1/agent'), { headers: bearer(KEYS.viewer) })).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ name: 'test-agent', tools: [] });
    expect(body.plugins).toContainEqual({ name: 'entity:chat', kind: 'prompt', stages: ['THINK'] });
    expect(body.resources).toEqual(expect.arrayContaining(['llm', 'memory', 'logging']));
  });

  it('sends security headers, and no CORS headers unless configured', async () => {
    server = await startTestServer(['unused']);
    const response = await fetch(server.url('/v1/agent'), { headers: { ...bearer(KEYS.viewer), origin: 'https://evil.example' } });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers CORS preflights for configured origins only', async () => {
    server = await startTestServer(['unused'], { cors: { origins: ['https://app.example'] } });
    const preflight = (origin: string) =>
      fetch(server!.url('/v1/chat'), {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });
    const allowed = await preflight('https://app.example');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('readiness detail', () => {
  it('tells anonymous callers the status only; resource names and health need a credential', async () => {
    server = await startTestServer(['unused'], {}, { resources: { billingDatabase: { healthCheck: async () => ({ healthy: false, message: 'down' }) } } });
    const anonymous = await fetch(server.url('/health/ready'));
    expect(anonymous.status).toBe(503);
    expect(await anonymous.json()).toEqual({ status: 'not-ready' });
    const detailed = await fetch(server.url('/health/ready'), { headers: bearer(KEYS.viewer) });
    expect(await detailed.json()).toMatchObject({ status: 'not-ready', resources: { billingDatabase: { healthy: false } } });
    expect((await fetch(server.url('/health/ready'), { headers: bearer('ent_wrong') })).status).toBe(401);
  });
});

describe("cors.origins ['*']", () => {
  it('allows any origin over HTTP, as it does for WebSocket handshakes', async () => {
    const server = await startTestServer(['hello'], { cors: { origins: ['*'] } });
    try {
      const preflight = await fetch(server.url('/v1/chat'), {
        method: 'OPTIONS',
        headers: { origin: 'https://any.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://any.example');
      const response = await fetch(server.url('/v1/agent'), { headers: { origin: 'https://other.example', ...bearer(KEYS.viewer) } });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe('https://other.example');
    } finally {
      await server.handle.close();
    }
  });
});

describe('development mode and options', () => {
  const agent = () => new Agent({ resources: { llm: scriptedLLM(['Hello from dev mode.']), logging: inMemoryLogger({ echoLevel: false }) }, zeroConfig: false });

  it("serves loopback clients without a key under auth: 'none', and says so loudly", async () => {
    const logger = inMemoryLogger({ echoLevel: false });
    const handle = await serveHttp(agent(), { auth: 'none', port: 0, logger });
    try {
      const response = await fetch(`${handle.url}/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"message":"hi"}' });
      expect(((await response.json()) as { text: string }).text).toBe('Hello from dev mode.');
      expect(logger.entries.some((entry) => entry.level === 'warn' && entry.message.includes('AUTHENTICATION IS OFF'))).toBe(true);
    } finally {
      await handle.close();
    }
  });

  it("refuses to bind auth: 'none' to a non-loopback address, and to serve non-loopback clients", async () => {
    const error = await serveHttp(agent(), { auth: 'none', host: '0.0.0.0', port: 0 }).catch((caught: unknown) => caught);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).message).toMatch(/may only bind to a loopback address; got host "0\.0\.0\.0"/);
    const handler = createHandler(agent(), { auth: 'none', logger: inMemoryLogger({ echoLevel: false }) });
    const remote = await handler.fetch(new Request('http://agent.example/v1/agent'), { incoming: { socket: { remoteAddress: '10.1.2.3' } } });
    expect(remote.status).toBe(403);
    expect(((await remote.json()) as ErrorBody).error.code).toBe('loopback_only');
  });

  it('rejects missing or invalid options with every problem named', async () => {
    const missing = await serveHttp(agent(), {} as never).catch((caught: unknown) => caught);
    expect((missing as Error).message).toMatch(/auth is required/);
    const invalid = (() => {
      try {
        createHandler(agent(), { auth: { apiKeys: [{ hash: 'abc', role: 'user' }] }, port: 80 } as never);
      } catch (caught) {
        return caught as ConfigError;
      }
    })();
    expect(ConfigError.isInstance(invalid)).toBe(true);
    expect(invalid!.message).toMatch(/http\.auth\.apiKeys\.0\.hash/);
    expect(invalid!.message).toMatch(/http\.auth\.apiKeys\.0\.userIds/);
    expect(invalid!.message).toMatch(/Unrecognized key: "port"/);
  });

  it('works as a plain Web handler: fetch(Request) without a server', async () => {
    const handler = createHandler(agent(), { auth: { apiKeys: API_KEYS } });
    const response = await handler.fetch(
      new Request('http://agent.example/v1/chat', { method: 'POST', headers: { ...bearer(KEYS.admin), 'content-type': 'application/json' }, body: '{"message":"hi"}' }),
    );
    expect(((await response.json()) as { text: string }).text).toBe('Hello from dev mode.');
    expect(hashApiKey(KEYS.admin)).toMatch(/^[0-9a-f]{64}$/);
  });
});
