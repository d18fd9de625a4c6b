import { ConfigError } from '@entity/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpMount, HttpMountContext } from '../src/index.js';
import { bearer, KEYS, startTestServer, type TestServer } from './helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.handle.close();
  server = undefined;
});

/** A mount that answers with what it was given, so each test can check what the serving layer passed on. */
function echoMount(path: string, extra: Partial<HttpMount> = {}): HttpMount & { seen: { url: string; context: HttpMountContext; body: string }[] } {
  const seen: { url: string; context: HttpMountContext; body: string }[] = [];
  return {
    path,
    seen,
    ...extra,
    async handle(request, context) {
      seen.push({ url: request.url, context, body: await request.text() });
      let userId: string;
      try {
        userId = context.userIdFor(new URL(request.url).searchParams.get('user') ?? undefined);
      } catch (error) {
        userId = `refused: ${(error as Error).message}`;
      }
      return Response.json({ principal: context.principal?.name ?? null, userId, requestId: context.requestId });
    },
  };
}

describe('mounts', () => {
  it('serves a mounted handler at its path and below, behind the API keys', async () => {
    const mcp = echoMount('/mcp');
    server = await startTestServer([], { mounts: [mcp] });
    const anonymous = await fetch(server.url('/mcp'), { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(401);
    expect(mcp.seen).toHaveLength(0);

    const root = await fetch(server.url('/mcp'), { method: 'POST', headers: { ...bearer(KEYS.alice), 'x-request-id': 'req-1' }, body: 'hello' });
    expect(root.status).toBe(200);
    expect(await root.json()).toEqual({ principal: 'alice', userId: 'alice', requestId: 'req-1' });
    expect(mcp.seen[0]!.body).toBe('hello');

    const below = await fetch(server.url('/mcp/sessions/1'), { headers: bearer(KEYS.admin) });
    expect(below.status).toBe(200);
    expect(new URL(mcp.seen[1]!.url).pathname).toBe('/mcp/sessions/1');
    // Not a prefix match on characters: /mcpx is another path.
    expect((await fetch(server.url('/mcpx'), { headers: bearer(KEYS.admin) })).status).toBe(404);
  });

  it('acts only for the users the credential may act for', async () => {
    const mcp = echoMount('/mcp');
    server = await startTestServer([], { mounts: [mcp] });
    const other = await fetch(server.url('/mcp?user=bob'), { headers: bearer(KEYS.alice) });
    expect(((await other.json()) as { userId: string }).userId).toMatch(/^refused: .*may not act for user "bob"/);
    const admin = await fetch(server.url('/mcp?user=bob'), { headers: bearer(KEYS.admin) });
    expect(((await admin.json()) as { userId: string }).userId).toBe('bob');
  });

  it('refuses roles the mount does not allow (viewers by default)', async () => {
    const mcp = echoMount('/mcp');
    const adminOnly = echoMount('/admin-tools', { roles: ['admin'] });
    server = await startTestServer([], { mounts: [mcp, adminOnly] });
    const viewer = await fetch(server.url('/mcp'), { headers: bearer(KEYS.viewer) });
    expect(viewer.status).toBe(403);
    expect(((await viewer.json()) as { error: { code: string } }).error.code).toBe('forbidden_role');
    expect((await fetch(server.url('/admin-tools'), { headers: bearer(KEYS.alice) })).status).toBe(403);
    expect((await fetch(server.url('/admin-tools'), { headers: bearer(KEYS.admin) })).status).toBe(200);
    expect(mcp.seen).toHaveLength(0);
    expect(adminOnly.seen).toHaveLength(1);
  });

  it('serves a public mount without a credential, acting for no user, and still limits its body size', async () => {
    const card = echoMount('/.well-known/agent-card.json', { public: true });
    server = await startTestServer([], { mounts: [card], limits: { maxBodyBytes: 1024 } });
    const response = await fetch(server.url('/.well-known/agent-card.json'));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ principal: null, userId: expect.stringMatching(/^refused: .*public/) });
    const big = await fetch(server.url('/.well-known/agent-card.json'), { method: 'POST', body: 'x'.repeat(4096) });
    expect(big.status).toBe(413);
    expect(card.seen).toHaveLength(1);
    // Being public does not open the built-in routes.
    expect((await fetch(server.url('/v1/agent'))).status).toBe(401);
  });

  it("keeps a mount's own Content-Security-Policy and cache-control, and gives the strict defaults to mounts and routes that set none", async () => {
    const page: HttpMount = {
      path: '/page',
      public: true,
      handle: () =>
        new Response('<!doctype html>', {
          headers: { 'content-type': 'text/html', 'content-security-policy': "default-src 'none'; script-src 'self'", 'cache-control': 'no-cache' },
        }),
    };
    server = await startTestServer([], { mounts: [page, echoMount('/plain', { public: true })] });
    const own = await fetch(server.url('/page/'));
    expect(own.headers.get('content-security-policy')).toBe("default-src 'none'; script-src 'self'");
    expect(own.headers.get('cache-control')).toBe('no-cache');
    expect(own.headers.get('x-content-type-options')).toBe('nosniff');
    for (const path of ['/plain', '/health/live']) {
      const plain = await fetch(server.url(path));
      expect(plain.headers.get('content-security-policy'), path).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(plain.headers.get('cache-control'), path).toBe('no-store');
    }
  });

  it('tells mounts when draining begins, so a long-lived stream ends and the shutdown does not wait for its deadline', async () => {
    const live: HttpMount = {
      path: '/live',
      handle: (_request, context) => {
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('event: ready\n\n'));
            context.draining.addEventListener('abort', () => controller.close(), { once: true });
          },
        });
        return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
      },
    };
    server = await startTestServer([], { mounts: [live], shutdownTimeoutMs: 8_000 });
    const response = await fetch(server.url('/live'), { headers: bearer(KEYS.admin) });
    const reader = response.body!.getReader();
    await reader.read();
    const started = performance.now();
    await server.handle.close();
    server = undefined;
    expect(performance.now() - started).toBeLessThan(4_000);
    expect((await reader.read()).done).toBe(true);
  });

  it('rejects mounts on built-in paths, malformed paths and duplicates with a ConfigError naming them', async () => {
    for (const mounts of [[echoMount('/v1/mcp')], [echoMount('mcp')], [echoMount('/mcp/')], [echoMount('/metrics')], [echoMount('/a'), echoMount('/a')]]) {
      await expect(startTestServer([], { mounts })).rejects.toThrow(ConfigError);
    }
    await expect(startTestServer([], { mounts: [echoMount('/health')] })).rejects.toThrow(/http\.mounts/);
  });

  it('rejects a mount that would shadow the OpenAPI document, overlap another, never match, or carry a non-boolean public / unknown role / malformed CORS header names', async () => {
    const bad: HttpMount[][] = [
      [echoMount('/openapi.json', { public: true })],
      [echoMount('/a', { public: true }), echoMount('/a/b')],
      [echoMount('/x/../v1')],
      [echoMount('/a//b')],
      [echoMount('/card', { public: 'false' as never })],
      [echoMount('/tools', { roles: 'admin' as never })],
      [echoMount('/tools', { roles: ['Admin' as never] })],
      [echoMount('/tools', { corsHeaders: { request: ['x-ok', 'bad header'] } })],
      [echoMount('/tools', { corsHeaders: { response: 'mcp-session-id' as never } })],
      // null is an object to typeof: the check read `.request` of it and threw a TypeError, not a ConfigError.
      [echoMount('/tools', { corsHeaders: null as never })],
    ];
    for (const mounts of bad) await expect(startTestServer([], { mounts }), mounts.map((mount) => mount.path).join(' ')).rejects.toThrow(ConfigError);
  });

  it('a public mount never opens a built-in route through dot segments, encoded slashes or case', async () => {
    const card = echoMount('/pub', { public: true });
    server = await startTestServer([], { mounts: [card] });
    const { request } = await import('node:http');
    const statusOf = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const url = new URL(server!.url('/'));
        const call = request({ host: url.hostname, port: url.port, path, method: 'GET' }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        call.on('error', reject);
        call.end();
      });
    let answered = 0;
    for (const path of ['/pub/../v1/agent', '/pub/%2e%2e/v1/agent', '/pub/..%2Fv1/agent', '/pub%2F..%2Fv1/agent', '/PUB/../v1/agent', '/pub/..;/v1/agent']) {
      const status = await statusOf(path);
      // Either the public handler answers (its own path) or the request needs a key: never the built-in route unauthenticated.
      expect([200, 401, 404], path).toContain(status);
      if (status === 200) answered++;
    }
    // Every 200 came from the public mount, for a path under it.
    expect(card.seen).toHaveLength(answered);
    for (const { url } of card.seen) expect(new URL(url).pathname.startsWith('/pub/'), url).toBe(true);
    expect(await statusOf('/v1/agent')).toBe(401);
  });
});
