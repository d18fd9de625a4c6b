import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@entity/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createStoredApiKey, hashApiKey, readApiKeyFile, revokeStoredApiKey, serveOptionsFromConfig, validateServerConfig } from '../src/index.js';
import { bearer, startTestServer, type TestServer } from './helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.handle.close();
  server = undefined;
});

const HASH = hashApiKey('ent_example');

describe('the server: section of agent.yaml', () => {
  it('accepts port, host, auth, limits, rate limits and CORS', () => {
    const section = {
      port: 8080,
      host: '0.0.0.0',
      auth: { apiKeys: [{ name: 'web', hash: HASH, role: 'user', userIds: '*' }], jwt: { secret: 'x'.repeat(32), issuer: 'https://idp', audience: 'api' } },
      limits: { maxBodyBytes: 65_536, maxMessageChars: 4_000, runTimeoutMs: 20_000, requestReceiveTimeoutMs: 10_000, shutdownTimeoutMs: 5_000 },
      rateLimit: { perIp: { capacity: 10, refillPerSecond: 1 }, perKey: false },
      cors: { origins: ['https://app.example'] },
    };
    expect(validateServerConfig(section)).toEqual([]);
    const options = serveOptionsFromConfig(section, '/srv/agent');
    expect(options).toMatchObject({ port: 8080, host: '0.0.0.0', requestReceiveTimeoutMs: 10_000, shutdownTimeoutMs: 5_000, limits: { maxBodyBytes: 65_536, maxMessageChars: 4_000, runTimeoutMs: 20_000 } });
    expect(options.limits).not.toHaveProperty('shutdownTimeoutMs');
  });

  it('takes the WebSocket endpoint and idempotency settings, and checks them', () => {
    const options = serveOptionsFromConfig({ websocket: { maxConnections: 50 }, idempotency: { ttlMs: 60_000 } }, '/srv/agent');
    expect(options).toMatchObject({ websocket: { maxConnections: 50 }, idempotency: { ttlMs: 60_000 } });
    expect(serveOptionsFromConfig({ websocket: true, idempotency: false }, '/')).toMatchObject({ websocket: true, idempotency: false });
    const paths = validateServerConfig({ websocket: { maxConections: 5 }, idempotency: { ttlMs: 5 } }).map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['server.websocket.maxConections', 'server.idempotency.ttlMs']));
  });

  it('is strict: unknown keys, wrong types and incomplete JWT settings are reported with their paths', () => {
    const issues = validateServerConfig({ prot: 8080, port: '80', auth: { jwt: { secret: 'short' } }, cors: { origins: [] } });
    const paths = issues.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['server.prot', 'server.port', 'server.auth.jwt.secret', 'server.auth.jwt.issuer', 'server.auth.jwt.audience', 'server.cors.origins']));
    expect(issues.find((issue) => issue.path === 'server.prot')).toMatchObject({ message: 'unknown key "prot"', fix: 'did you mean "port"?' });
    expect(() => serveOptionsFromConfig({ prot: 1 }, '/')).toThrow(ConfigError);
  });

  it('reads API keys from a JSON string (apiKeys: ${ENTITY_API_KEYS}) and explains a broken one', () => {
    const fromEnvironment = serveOptionsFromConfig({ auth: { apiKeys: JSON.stringify([{ hash: HASH, role: 'admin' }]) } }, '/');
    expect(fromEnvironment.auth).toEqual({ apiKeys: [{ hash: HASH, role: 'admin' }] });
    expect(validateServerConfig({ auth: { apiKeys: '[{' } })[0]).toMatchObject({ path: 'server.auth.apiKeys' });
    expect(validateServerConfig({ auth: { apiKeys: '[{"hash":"abc","role":"user"}]' } })[0]?.message).toContain('in the JSON');
    // An empty variable leaves no key: the project's key file is used.
    expect(serveOptionsFromConfig({ auth: { apiKeys: '' } }, '/srv/agent').auth).toEqual({ keysFile: '/srv/agent/.entity/api-keys.json' });
  });

  it('resolves keysFile and jwt.jwksFile against the config directory', () => {
    const options = serveOptionsFromConfig({ auth: { keysFile: 'keys.json', jwt: { jwksFile: 'jwks.json', issuer: 'i', audience: 'a' } } }, '/srv/agent');
    expect(options.auth).toEqual({ keysFile: '/srv/agent/keys.json', jwt: { jwksFile: '/srv/agent/jwks.json', issuer: 'i', audience: 'a' } });
    expect(serveOptionsFromConfig({ auth: 'none' }, '/').auth).toBe('none');
    expect(serveOptionsFromConfig({}, '/').auth).toBeUndefined();
  });
});

describe('key files (entity keys)', () => {
  it('stores only hashes, with mode 0600, and a revoked key stops working on a running server', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'entity-keys-')), '.entity', 'api-keys.json');
    const { key, stored } = createStoredApiKey(file, { role: 'user', userIds: ['alice'], name: 'alice-app' });
    expect(key).toMatch(/^ent_/);
    expect(readFileSync(file, 'utf8')).not.toContain(key);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readApiKeyFile(file)).toEqual([stored]);

    server = await startTestServer(['Hi Alice.'], { auth: { keysFile: file } });
    const chat = () => server!.post('/v1/chat', { message: 'hi' }, bearer(key));
    const answered = await chat();
    expect(answered.status).toBe(200);
    expect(((await answered.json()) as { info: { userId: string } }).info.userId).toBe('alice');
    expect((await server.post('/v1/chat', { message: 'hi', userId: 'bob' }, bearer(key))).status).toBe(403);

    expect(revokeStoredApiKey(file, stored.id)).toBe(true);
    expect(revokeStoredApiKey(file, stored.id)).toBe(false);
    // The server looks at the file at most once a second.
    let status = 200;
    for (const started = Date.now(); status !== 401 && Date.now() - started < 5_000; ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await fetch(server.url('/v1/agent'), { headers: bearer(key) })).status;
    }
    expect(status).toBe(401);
    expect((await chat()).status).toBe(401);
    expect(server.llm.requests).toHaveLength(1);
  });

  it('serves with a key file that does not exist yet, warns, and accepts keys created later', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'entity-keys-')), '.entity', 'api-keys.json');
    server = await startTestServer(['Later.'], { auth: { keysFile: file } });
    expect(server.logger.entries.some((entry) => entry.level === 'warn' && entry.message.includes('does not exist yet'))).toBe(true);
    const { key } = createStoredApiKey(file, { role: 'admin' });
    let status = 401;
    for (const started = Date.now(); status !== 200 && Date.now() - started < 5_000; ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await fetch(server.url('/v1/agent'), { headers: bearer(key) })).status;
    }
    expect(status).toBe(200);
  });

  it('refuses a user key without user ids, and bad user ids', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'entity-keys-')), 'keys.json');
    expect(() => createStoredApiKey(file, { role: 'viewer' })).toThrow(/needs the user ids/);
    expect(() => createStoredApiKey(file, { role: 'user', userIds: ['has space'] })).toThrow(ConfigError);
    expect(readApiKeyFile(file)).toEqual([]);
  });
});
