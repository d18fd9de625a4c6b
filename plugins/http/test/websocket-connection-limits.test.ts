import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, startTestServer, type TestServer } from './helpers.js';
import { connect, handshake, refusalCode, type TestClient } from './websocket-client.js';

let server: TestServer | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await server?.handle.close();
  server = undefined;
});

const withKey = (key: string) => ({ protocols: ['entity.v1'], headers: { authorization: `Bearer ${key}` } });

describe('WebSocket connections per credential', () => {
  it('one key cannot take every slot: past maxConnectionsPerPrincipal it gets 429, others still connect', async () => {
    server = await startTestServer(['unused'], { websocket: { maxConnections: 4, maxConnectionsPerPrincipal: 3 } });
    const url = server.handle.websocket!.url;
    for (let index = 0; index < 3; index++) clients.push(await connect(url, withKey(KEYS.alice)));
    const fourth = await handshake(url, withKey(KEYS.alice));
    expect(fourth.opened).toBe(false);
    expect(fourth.opened === false && fourth.status).toBe(429);
    expect(refusalCode(fourth)).toBe('too_many_connections_for_credential');
    clients.push(await connect(url, withKey(KEYS.admin)));
    // A closed connection gives its slot back.
    await clients.shift()!.close();
    for (;;) {
      const again = await handshake(url, withKey(KEYS.alice));
      if (again.opened) {
        clients.push(again.client);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(server.handle.websocket!.connections).toBe(4);
  });
});
