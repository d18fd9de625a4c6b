import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.handle.close();
  server = undefined;
});

/** A GET carrying `Upgrade: websocket`, answered by a plain HTTP response when refused. */
function upgradeRequest(baseUrl: string, path: string): Promise<{ status: number; body: string }> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const request = httpRequest({
      host: url.hostname,
      port: url.port,
      method: 'GET',
      path,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13' },
    });
    request.on('response', (response: IncomingMessage) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body }));
    });
    request.on('upgrade', () => reject(new Error('the server upgraded a non-WebSocket route')));
    request.on('error', reject);
    request.end();
  });
}

describe('Upgrade: websocket on other routes', () => {
  it('is refused with 404 without running the route (a stream ticket stays unredeemed)', async () => {
    server = await startTestServer(['the streamed answer'], { websocket: true });
    const minted = await server.post('/v1/chat/streams', { message: 'hi', userId: 'alice' });
    const { url } = (await minted.json()) as { url: string };
    const refused = await upgradeRequest(server.handle.url, url);
    expect(refused.status).toBe(404);
    expect((JSON.parse(refused.body) as { error: { message: string } }).error.message).toMatch(/WebSocket connections go to \/v1\/ws/);
    expect(server.llm.requests).toHaveLength(0);
    // The ticket was not consumed: a plain GET still streams the run.
    const stream = await fetch(server.url(url));
    expect(stream.status).toBe(200);
    expect(await stream.text()).toContain('the streamed answer');
    for (const path of ['/v1/chat', '/v1/agent', '/health/live']) expect((await upgradeRequest(server.handle.url, path)).status, path).toBe(404);
  });
});
