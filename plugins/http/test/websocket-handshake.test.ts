import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, ConfigError, inMemoryLogger, inMemoryMemory } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type HttpServerHandle, serveHttp } from '../src/index.js';
import { API_KEYS, bearer, KEYS, startTestServer, type TestServer } from './helpers.js';
import { connect, handshake, refusalCode } from './websocket-client.js';

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

let server: TestServer | undefined;
afterEach(async () => {
  await server?.handle.close();
  server = undefined;
});

const wsUrl = () => server!.handle.websocket!.url;

describe('WebSocket handshake: authentication', () => {
  it('refuses a handshake without a valid credential with the HTTP API\'s 401', async () => {
    server = await startTestServer(['unused'], { websocket: true });
    const none = await handshake(wsUrl());
    expect(none).toMatchObject({ opened: false, status: 401 });
    expect(refusalCode(none)).toBe('missing_api_key');
    const wrong = await handshake(wsUrl(), { headers: bearer('ent_not_a_key') });
    expect(refusalCode(wrong)).toBe('invalid_api_key');
    const wrongProtocol = await handshake(wsUrl(), { protocols: ['entity.v1', 'entity.bearer.ent_not_a_key'] });
    expect(wrongProtocol).toMatchObject({ opened: false, status: 401 });
    // Never from the URL: a key in the query string is not a credential, and with one the URL is refused.
    const inQuery = await handshake(`${wsUrl()}?api_key=${KEYS.admin}`);
    expect(refusalCode(inQuery)).toBe('missing_api_key');
    const withHeaderAndQuery = await handshake(`${wsUrl()}?access_token=${KEYS.admin}`, { headers: bearer(KEYS.admin) });
    expect(withHeaderAndQuery).toMatchObject({ opened: false, status: 400 });
    expect(refusalCode(withHeaderAndQuery)).toBe('validation_failed');
    expect(server.handle.websocket!.connections).toBe(0);
  });

  it('accepts the key in the Authorization header, or as a bearer subprotocol next to entity.v1', async () => {
    server = await startTestServer(['unused'], { websocket: true });
    const byHeader = await connect(wsUrl(), { headers: bearer(KEYS.admin) });
    expect(byHeader.socket.protocol).toBe('');
    const byProtocol = await connect(wsUrl(), { protocols: ['entity.v1', `entity.bearer.${KEYS.alice}`] });
    // The server selects entity.v1, never the protocol that carries the key.
    expect(byProtocol.socket.protocol).toBe('entity.v1');
    expect(server.handle.websocket!.connections).toBe(2);
    await Promise.all([byHeader.close(), byProtocol.close()]);
  });

  it('refuses ambiguous or unknown subprotocols, and viewers (who cannot chat)', async () => {
    server = await startTestServer(['unused'], { websocket: true });
    const both = await handshake(wsUrl(), { headers: bearer(KEYS.admin), protocols: ['entity.v1', `entity.bearer.${KEYS.admin}`] });
    expect(refusalCode(both)).toBe('ambiguous_credentials');
    const bearerOnly = await handshake(wsUrl(), { protocols: [`entity.bearer.${KEYS.admin}`] });
    expect(bearerOnly).toMatchObject({ opened: false, status: 400 });
    expect(refusalCode(bearerOnly)).toBe('unsupported_protocol');
    const viewer = await handshake(wsUrl(), { headers: bearer(KEYS.viewer) });
    expect(viewer).toMatchObject({ opened: false, status: 403 });
    expect(refusalCode(viewer)).toBe('forbidden_role');
  });

  it('answers a plain GET of the endpoint with 426, and 404 for other upgrade paths', async () => {
    server = await startTestServer(['unused'], { websocket: true });
    const plain = await fetch(server.url('/v1/ws'), { headers: bearer(KEYS.admin) });
    expect(plain.status).toBe(426);
    expect(plain.headers.get('upgrade')).toBe('websocket');
    const elsewhere = await handshake(wsUrl().replace('/v1/ws', '/v1/other'), { headers: bearer(KEYS.admin) });
    expect(elsewhere).toMatchObject({ opened: false, status: 404 });
  });

  it('applies the per-address rate limit to handshakes (429 with retry-after)', async () => {
    server = await startTestServer(['unused'], { websocket: true, rateLimit: { perKey: false, perIp: { capacity: 2, refillPerSecond: 0.01 } } });
    const first = await connect(wsUrl(), { headers: bearer(KEYS.admin) });
    const second = await connect(wsUrl(), { headers: bearer(KEYS.admin) });
    const third = await handshake(wsUrl(), { headers: bearer(KEYS.admin) });
    expect(third).toMatchObject({ opened: false, status: 429 });
    expect(Number((third as { headers: Record<string, string> }).headers['retry-after'])).toBeGreaterThanOrEqual(1);
    await Promise.all([first.close(), second.close()]);
  });
});

describe('WebSocket handshake: Origin', () => {
  it('refuses foreign browser origins, accepts its own origin and the CORS allow-list', async () => {
    server = await startTestServer(['unused'], { websocket: true, cors: { origins: ['https://app.example'] } });
    const key = bearer(KEYS.admin);
    const foreign = await handshake(wsUrl(), { headers: key, origin: 'https://evil.example' });
    expect(foreign).toMatchObject({ opened: false, status: 403 });
    expect(refusalCode(foreign)).toBe('forbidden_origin');
    expect(refusalCode(await handshake(wsUrl(), { headers: key, origin: 'null' }))).toBe('forbidden_origin');
    const allowed = await connect(wsUrl(), { headers: key, origin: 'https://app.example' });
    const own = await connect(wsUrl(), { headers: key, origin: server.handle.url });
    const notABrowser = await connect(wsUrl(), { headers: key });
    await Promise.all([allowed.close(), own.close(), notABrowser.close()]);
  });

  it("without authentication, counts its own origin only under a loopback name (no DNS rebinding)", async () => {
    const agent = new Agent({ resources: { llm: scriptedLLM(['unused']), logging: inMemoryLogger({ echoLevel: false }) }, zeroConfig: false });
    const handle = await serveHttp(agent, { auth: 'none', port: 0, websocket: true, logger: inMemoryLogger({ echoLevel: false }) });
    try {
      const url = handle.websocket!.url;
      const rebound = `rebound.example:${handle.port}`;
      const outcome = await handshake(url, { headers: { host: rebound }, origin: `http://${rebound}` });
      expect(refusalCode(outcome)).toBe('forbidden_host');
      const local = await connect(url, { headers: { host: `localhost:${handle.port}` }, origin: `http://localhost:${handle.port}` });
      await local.close();
    } finally {
      await handle.close();
    }
  });
});

describe('WebSocket limits and options', () => {
  it('refuses connections past maxConnections with 503, and frees the slot when one closes', async () => {
    server = await startTestServer(['unused'], { websocket: { maxConnections: 2 } });
    const key = { headers: bearer(KEYS.admin) };
    const first = await connect(wsUrl(), key);
    const second = await connect(wsUrl(), key);
    const third = await handshake(wsUrl(), key);
    expect(third).toMatchObject({ opened: false, status: 503 });
    expect(refusalCode(third)).toBe('too_many_connections');
    await first.close();
    await expect.poll(() => server!.handle.websocket!.connections).toBe(1);
    const again = await connect(wsUrl(), key);
    await Promise.all([second.close(), again.close()]);
  });

  it('validates the websocket options with the problem named', async () => {
    const agent = new Agent({ resources: { llm: scriptedLLM(['unused']) }, zeroConfig: false });
    const error = await serveHttp(agent, { auth: { apiKeys: API_KEYS }, port: 0, websocket: { maxConnections: 0, pingIntervalMs: 'fast' } } as never).catch((caught: unknown) => caught);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/http\.websocket/);
  });

  it('is off unless asked for: a handshake then gets 426 from the handler', async () => {
    server = await startTestServer(['unused']);
    expect(server.handle.websocket).toBeUndefined();
    const outcome = await handshake(`${server.handle.url.replace('http:', 'ws:')}/v1/ws`, { headers: bearer(KEYS.admin) });
    expect(outcome).toMatchObject({ opened: false, status: 426 });
    expect(refusalCode(outcome)).toBe('upgrade_required');
  });
});

describe("core's agent.serveWebSocket()", () => {
  it('loads @entity/plugin-http and serves /v1/ws next to the HTTP API', async () => {
    const project = mkdtempSync(join(tmpdir(), 'entity-serve-ws-'));
    mkdirSync(join(project, 'node_modules', '@entity'), { recursive: true });
    symlinkSync(PACKAGE_DIR, join(project, 'node_modules', '@entity', 'plugin-http'), 'dir');
    const agent = new Agent({
      name: 'served',
      resources: { llm: scriptedLLM(['Served over WebSocket.']), memory: inMemoryMemory(), logging: inMemoryLogger({ echoLevel: false }) },
      zeroConfig: false,
      projectDir: project,
    });
    let handle: HttpServerHandle | undefined;
    try {
      handle = (await agent.serveWebSocket({ auth: { apiKeys: API_KEYS }, port: 0 })) as HttpServerHandle;
      expect(handle.websocket!.url).toBe(`${handle.url.replace('http:', 'ws:')}/v1/ws`);
      const client = await connect(handle.websocket!.url, { headers: bearer(KEYS.admin) });
      client.send({ type: 'chat', id: 'one', message: 'hi' });
      const { end } = await client.run('one');
      expect(end).toMatchObject({ type: 'event', id: 'one', event: { type: 'done', text: 'Served over WebSocket.' } });
      expect((await fetch(`${handle.url}/health/live`)).status).toBe(200);
      await client.close();
    } finally {
      await handle?.close();
      rmSync(project, { recursive: true, force: true });
    }
  });
});
