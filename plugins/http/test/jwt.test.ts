import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, ConfigError } from '@entity/core';
import { exportJWK, exportSPKI, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHandler, type JwtAuthConfig } from '../src/index.js';
import { API_KEYS, bearer, KEYS, startTestServer, type TestServer } from './helpers.js';

type ErrorBody = { error: { code: string; type: string; message: string } };

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'entity-api';
const SECRET = 'a-test-secret-of-more-than-32-characters!';
const now = () => Math.floor(Date.now() / 1000);

const rsa = await generateKeyPair('RS256', { extractable: true });
const ec = await generateKeyPair('ES256', { extractable: true });
const otherRsa = await generateKeyPair('RS256', { extractable: true });
const rsaPem = await exportSPKI(rsa.publicKey);

function base64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

async function sign(key: Parameters<SignJWT['sign']>[0], alg: 'HS256' | 'RS256' | 'ES256', claims: JWTPayload = {}, kid?: string): Promise<string> {
  const token = new SignJWT({ role: 'user', ...claims })
    .setProtectedHeader({ alg, ...(kid ? { kid } : {}) })
    .setSubject((claims.sub as string | undefined) ?? 'alice')
    .setIssuer((claims.iss as string | undefined) ?? ISSUER)
    .setAudience((claims.aud as string | undefined) ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime((claims.exp as number | undefined) ?? now() + 300);
  if (claims.nbf !== undefined) token.setNotBefore(claims.nbf);
  return token.sign(key);
}

const hs = (claims: JWTPayload = {}) => sign(new TextEncoder().encode(SECRET), 'HS256', claims);

let server: TestServer | undefined;
afterEach(async () => {
  await server?.handle.close();
  server = undefined;
});

async function serveWithJwt(jwt: Omit<JwtAuthConfig, 'issuer' | 'audience'> & Partial<JwtAuthConfig>, replies: string[] = ['Hello.']): Promise<TestServer> {
  server = await startTestServer(replies, { auth: { apiKeys: API_KEYS, jwt: { issuer: ISSUER, audience: AUDIENCE, ...jwt } } });
  return server;
}

async function chat(test: TestServer, token: string, body: Record<string, unknown> = { message: 'hi' }) {
  const response = await test.post('/v1/chat', body, bearer(token));
  return { status: response.status, body: (await response.json()) as ErrorBody & { info?: { userId: string } }, headers: response.headers };
}

describe('JWT authentication', () => {
  it('accepts a valid HS256 token: sub becomes the user id', async () => {
    const test = await serveWithJwt({ secret: SECRET });
    const result = await chat(test, await hs());
    expect(result.status).toBe(200);
    expect(result.body.info?.userId).toBe('alice');
  });

  it('works alongside API keys', async () => {
    const test = await serveWithJwt({ secret: SECRET });
    expect((await chat(test, KEYS.admin)).status).toBe(200);
    expect((await chat(test, 'ent_unknown')).body.error.code).toBe('invalid_api_key');
  });

  it('answers 401 without a token and with a malformed one', async () => {
    const test = await serveWithJwt({ secret: SECRET });
    const missing = await fetch(test.url('/v1/chat'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"message":"hi"}' });
    expect(missing.status).toBe(401);
    const garbage = await chat(test, 'abc.def.ghi');
    expect(garbage.status).toBe(401);
    expect(garbage.body.error.code).toBe('invalid_token');
    expect(test.llm.requests).toHaveLength(0);
  });

  it.each([
    ['a wrong signature (another secret)', () => sign(new TextEncoder().encode('another-secret-of-more-than-32-characters'), 'HS256'), 'invalid_token'],
    ['an expired token', () => hs({ exp: now() - 60 }), 'token_expired'],
    ['a token not valid yet', () => hs({ nbf: now() + 120 }), 'token_not_yet_valid'],
    ['a wrong audience', () => hs({ aud: 'another-api' }), 'invalid_token'],
    ['a wrong issuer', () => hs({ iss: 'https://evil.test' }), 'invalid_token'],
  ])('refuses %s with 401', async (_name, makeToken, code) => {
    const test = await serveWithJwt({ secret: SECRET });
    const result = await chat(test, await makeToken());
    expect(result.status).toBe(401);
    expect(result.body.error.code).toBe(code);
    expect(result.headers.get('www-authenticate')).toContain('Bearer');
    expect(test.llm.requests).toHaveLength(0);
  });

  it('tolerates a small clock skew (clockToleranceSeconds)', async () => {
    const test = await serveWithJwt({ secret: SECRET, clockToleranceSeconds: 120 });
    expect((await chat(test, await hs({ exp: now() - 30 }))).status).toBe(200);
  });

  it('refuses a forged token (payload changed after signing)', async () => {
    const test = await serveWithJwt({ publicKey: rsaPem });
    const [header, , signature] = (await sign(rsa.privateKey, 'RS256')).split('.');
    const forgedPayload = base64url({ sub: 'alice', role: 'admin', iss: ISSUER, aud: AUDIENCE, exp: now() + 300 });
    const result = await chat(test, `${header}.${forgedPayload}.${signature}`, { message: 'hi', userId: 'bob' });
    expect(result.status).toBe(401);
    expect(test.llm.requests).toHaveLength(0);
  });

  it('refuses alg: none', async () => {
    const test = await serveWithJwt({ secret: SECRET });
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'alice', role: 'admin', iss: ISSUER, aud: AUDIENCE, exp: now() + 300 })}.`;
    const result = await chat(test, unsigned);
    expect(result.status).toBe(401);
    expect(result.body.error.code).toBe('invalid_token');
  });

  it('refuses algorithm confusion: an HS256 token signed with the RS256 public key as secret', async () => {
    const test = await serveWithJwt({ publicKey: rsaPem });
    const header = base64url({ alg: 'HS256', typ: 'JWT' });
    const payload = base64url({ sub: 'alice', role: 'admin', iss: ISSUER, aud: AUDIENCE, exp: now() + 300 });
    const signature = createHmac('sha256', rsaPem).update(`${header}.${payload}`).digest('base64url');
    const result = await chat(test, `${header}.${payload}.${signature}`);
    expect(result.status).toBe(401);
    expect(result.body.error.message).toBe("The token's signing algorithm is not accepted");
  });

  it('refuses to configure an algorithm the key was not made for', () => {
    const agent = new Agent({ name: 'a', zeroConfig: false });
    expect(() => createHandler(agent, { auth: { jwt: { publicKey: rsaPem, algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE } } })).toThrow(ConfigError);
    expect(() => createHandler(agent, { auth: { jwt: { secret: SECRET, publicKey: rsaPem, issuer: ISSUER, audience: AUDIENCE } } })).toThrow(/exactly one of/);
    expect(() => createHandler(agent, { auth: { jwt: { jwksUrl: 'http://idp.example/jwks.json', issuer: ISSUER, audience: AUDIENCE } } })).toThrow(/must use https/);
  });

  it('verifies RS256 with a PEM public key; a token signed by another key is refused', async () => {
    const test = await serveWithJwt({ publicKey: rsaPem }, ['one', 'two']);
    expect((await chat(test, await sign(rsa.privateKey, 'RS256'))).status).toBe(200);
    expect((await chat(test, await sign(otherRsa.privateKey, 'RS256'))).status).toBe(401);
  });

  it('maps the role claim (configurable name): a viewer may read but not chat (403)', async () => {
    const test = await serveWithJwt({ secret: SECRET, roleClaim: 'entity.role' });
    const viewer = await hs({ entity: { role: 'viewer' } });
    expect((await fetch(test.url('/v1/agent'), { headers: bearer(viewer) })).status).toBe(200);
    const writing = await chat(test, viewer);
    expect(writing.status).toBe(403);
    expect(writing.body.error.code).toBe('forbidden_role');
    expect((await chat(test, await hs({ entity: { role: 'superuser' } }))).status).toBe(401);
    expect(test.llm.requests).toHaveLength(0);
  });

  it('resolves a dotted roleClaim only through nested objects: a top-level claim spelled with dots does not override it', async () => {
    const test = await serveWithJwt({ secret: SECRET, roleClaim: 'realm_access.roles' });
    const smuggled = await hs({ realm_access: { roles: ['user'] }, 'realm_access.roles': ['admin'] });
    // An admin could act for any user; the nested role (user) may act only for its own sub.
    const forOther = await chat(test, smuggled, { message: 'hi', userId: 'bob' });
    expect(forOther.status).toBe(403);
    expect(forOther.body.error.code).toBe('forbidden_user');
    expect((await chat(test, await hs({ 'realm_access.roles': ['admin'] }), { message: 'hi', userId: 'bob' })).status).toBe(403);
  });

  it('reads a namespaced roleClaim (a URL with dots) as one top-level claim', async () => {
    const test = await serveWithJwt({ secret: SECRET, roleClaim: 'https://entity.example/roles' });
    const admin = await hs({ 'https://entity.example/roles': ['admin'] });
    expect((await chat(test, admin, { message: 'hi', userId: 'bob' })).status).toBe(200);
  });

  it('lets a user token act only for its own sub (403 for another user); an admin token for anyone', async () => {
    const test = await serveWithJwt({ secret: SECRET });
    const forBob = await chat(test, await hs({ sub: 'alice' }), { message: 'hi', userId: 'bob' });
    expect(forBob.status).toBe(403);
    expect(forBob.body.error.code).toBe('forbidden_user');
    expect(test.llm.requests).toHaveLength(0);
    const admin = await chat(test, await hs({ sub: 'ops', role: 'admin' }), { message: 'hi', userId: 'bob' });
    expect(admin.status).toBe(200);
    expect(admin.body.info?.userId).toBe('bob');
  });
});

describe('JWKS', () => {
  let jwksServer: Server;
  let jwksUrl: string;
  let jwksRequests = 0;
  const keys: Record<string, unknown>[] = [];

  beforeAll(async () => {
    keys.push({ ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' }, { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' });
    jwksServer = createServer((_request, response) => {
      jwksRequests++;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => jwksServer.close(() => resolve())));

  it('verifies RS256 and ES256 tokens against a JWKS URL (fetched through jose, cached)', async () => {
    const test = await serveWithJwt({ jwksUrl }, ['one', 'two', 'three']);
    expect((await chat(test, await sign(rsa.privateKey, 'RS256', {}, 'rsa-1'))).status).toBe(200);
    expect((await chat(test, await sign(ec.privateKey, 'ES256', { sub: 'carol' }, 'ec-1'))).body.info?.userId).toBe('carol');
    expect(jwksRequests).toBe(1);
    expect((await chat(test, await sign(otherRsa.privateKey, 'RS256', {}, 'rsa-1'))).status).toBe(401);
    expect((await chat(test, await hs())).status).toBe(401);
  });

  it('verifies against a JWKS file', async () => {
    const file = join(tmpdir(), `entity-jwks-${process.pid}.json`);
    writeFileSync(file, JSON.stringify({ keys }));
    const test = await serveWithJwt({ jwksFile: file });
    expect((await chat(test, await sign(ec.privateKey, 'ES256', {}, 'ec-1'))).status).toBe(200);
  });

  it('answers 503 (not 401) when the JWKS cannot be fetched', async () => {
    const test = await serveWithJwt({ jwksUrl: 'http://127.0.0.1:1/jwks.json' });
    const result = await chat(test, await sign(rsa.privateKey, 'RS256', {}, 'rsa-1'));
    expect(result.status).toBe(503);
    expect(result.body.error.code).toBe('auth_unavailable');
  });
});

describe('JWT options', () => {
  it('names the missing JWT setting by its path', () => {
    const agent = new Agent({ name: 'a', zeroConfig: false });
    expect(() => createHandler(agent, { auth: { jwt: { secret: SECRET } as JwtAuthConfig } })).toThrow(/http\.auth\.jwt\.issuer/);
  });
});
