import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { connect, type Socket } from 'node:net';
import { ConfigError } from '@entity/core';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createLogging, type LoggingResource, STREAM_SUBPROTOCOL } from '../src/index.js';

const open: LoggingResource[] = [];
const clients: (WebSocket | Socket)[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client instanceof WebSocket ? client.terminate() : client.destroy();
  await Promise.all(open.splice(0).map((logging) => logging.stop()));
});

const startStream = async (stream: Record<string, unknown> = {}, level: 'info' | 'debug' = 'info') => {
  const logging = createLogging({ console: false, level, stream: { history: 0, ...stream } });
  open.push(logging);
  await logging.start();
  return { logging, url: logging.streamAddress()!.url };
};

/** A connected client that collects the JSON entries it receives. */
const subscribe = async (url: string, headers: Record<string, string> = {}, protocols: string[] = []) => {
  const socket = new WebSocket(url, protocols, { headers });
  clients.push(socket);
  const received: Record<string, unknown>[] = [];
  socket.on('message', (data) => received.push(JSON.parse(data.toString()) as Record<string, unknown>));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, received };
};

/** The HTTP status a WebSocket handshake is refused with. */
const refusal = (url: string, headers: Record<string, string> = {}, protocols: string[] = []) =>
  new Promise<number>((resolve, reject) => {
    const socket = new WebSocket(url, protocols, { headers });
    clients.push(socket);
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('open', () => reject(new Error('connection was accepted')));
    socket.once('error', () => undefined);
  });

const until = async (condition: () => boolean, what: string, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('WebSocket live stream', () => {
  it('listens on loopback and streams entries as JSON, filtered per client by the query string', async () => {
    const { logging, url } = await startStream();
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/logs$/);
    const all = await subscribe(url);
    const warnings = await subscribe(`${url}?level=warn`);
    const oneRun = await subscribe(`${url}?runId=r2`);
    logging.info('first', { runId: 'r1' });
    logging.warn('second', { runId: 'r2', apiKey: 'secret-value' });
    logging.error('third', { runId: 'r1' });
    await until(() => all.received.length === 3, 'three entries');
    await until(() => warnings.received.length === 2 && oneRun.received.length === 1, 'filtered entries');
    expect(all.received.map((entry) => entry.msg)).toEqual(['first', 'second', 'third']);
    expect(warnings.received.map((entry) => entry.msg)).toEqual(['second', 'third']);
    expect(oneRun.received).toEqual([expect.objectContaining({ msg: 'second', runId: 'r2', apiKey: '[REDACTED]' })]);
  });

  it('sends recent history to a client that connects later', async () => {
    const { logging, url } = await startStream({ history: 2 });
    logging.info('a');
    logging.info('b');
    logging.info('c');
    const late = await subscribe(url);
    await until(() => late.received.length === 2, 'history');
    expect(late.received.map((entry) => entry.msg)).toEqual(['b', 'c']);
  });

  it('refuses clients beyond maxClients (503), without a valid token (401), and on other paths (404)', async () => {
    const { url } = await startStream({ maxClients: 1, token: 'let-me-in' });
    expect(await refusal(url)).toBe(401);
    expect(await refusal(url, { authorization: 'Bearer wrong' })).toBe(401);
    await subscribe(url, { authorization: 'Bearer let-me-in' });
    expect(await refusal(url, { authorization: 'Bearer let-me-in' })).toBe(503);
    expect(await refusal(url.replace('/logs', '/other'), { authorization: 'Bearer let-me-in' })).toBe(404);
  });

  it('can share an existing HTTP server', async () => {
    const server = createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { logging, url } = await startStream({ server, path: '/live' });
      expect(url).toBe(`ws://127.0.0.1:${(server.address() as { port: number }).port}/live`);
      const client = await subscribe(url);
      logging.info('shared');
      await until(() => client.received.length === 1, 'entry');
    } finally {
      // Upgraded sockets are no longer the HTTP server's: the stream closes them on stop.
      await Promise.all(open.splice(0).map((logging) => logging.stop()));
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('disconnects a client that stops reading, while the logger and other clients carry on', async () => {
    const { logging, url } = await startStream({ maxBufferedBytes: 256 * 1024 });
    // A real WebSocket handshake over a raw socket that then never reads another byte.
    const { port } = new URL(url);
    const slow = connect(Number(port), '127.0.0.1');
    clients.push(slow);
    await new Promise<void>((resolve) => slow.once('connect', () => resolve()));
    slow.write(
      `GET /logs HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    await new Promise<void>((resolve) => slow.once('data', (data) => (String(data).startsWith('HTTP/1.1 101') ? resolve() : undefined)));
    slow.pause();
    const fast = await subscribe(url);
    await until(() => logging.stats().outputs[0]!.details!.clients === 2, 'both clients registered');

    const padding = 'x'.repeat(8 * 1024);
    const entries = 4000; // ~32 MiB: far beyond what loopback socket buffers absorb
    let slowestCallMs = 0;
    for (let index = 0; index < entries; index++) {
      const started = performance.now();
      logging.info('bulk', { index, padding });
      slowestCallMs = Math.max(slowestCallMs, performance.now() - started);
      if (index % 4 === 0) await new Promise((resolve) => setImmediate(resolve)); // the agent yields, as real turns do
    }
    const details = logging.stats().outputs[0]!.details!;
    expect(details.droppedClients).toBe(1);
    expect(details.clients).toBe(1);
    await until(() => fast.received.length === entries, 'the fast client to get every entry', 30_000);
    expect(fast.received.at(-1)).toMatchObject({ index: entries - 1 });
    // Not a speed target, a sanity bound: a log call that waited on the stuck socket would take seconds.
    expect(slowestCallMs).toBeLessThan(1000);
  });

  it('refuses web pages by default: a foreign Origin gets 403, listed origins and clients without Origin connect', async () => {
    const { logging, url } = await startStream({ allowedOrigins: ['https://studio.example.com'] });
    expect(await refusal(url, { origin: 'https://evil.example' })).toBe(403);
    expect(await refusal(url, { origin: 'null' })).toBe(403);
    expect(await refusal(url, { origin: 'http://127.0.0.1:1' })).toBe(403);
    const studio = await subscribe(url, { origin: 'https://studio.example.com' });
    const tool = await subscribe(url);
    logging.info('seen');
    await until(() => studio.received.length === 1 && tool.received.length === 1, 'both clients to receive the entry');

    const { url: defaultUrl } = await startStream();
    expect(await refusal(defaultUrl, { origin: 'https://evil.example' })).toBe(403);
  });

  it('accepts the token in the Authorization header or the bearer subprotocol, never in the query string', async () => {
    const { logging, url } = await startStream({ token: 's3cret-token' });
    expect(await refusal(`${url}?token=s3cret-token`)).toBe(400);
    expect(await refusal(url, {}, ['entity-logs', 'entity-logs.bearer.wrong'])).toBe(401);
    expect(await refusal(url, { authorization: 'Bearer s3cret-token-and-more' })).toBe(401);
    expect(await refusal(url, { authorization: 'Basic czNjcmV0LXRva2Vu' })).toBe(401);
    const header = await subscribe(url, { authorization: 'Bearer s3cret-token' });
    const browser = await subscribe(url, {}, [STREAM_SUBPROTOCOL, 'entity-logs.bearer.s3cret-token']);
    // The server answers with the plain subprotocol: the token is not echoed back.
    expect(browser.socket.protocol).toBe(STREAM_SUBPROTOCOL);
    logging.info('authorised');
    await until(() => header.received.length === 1 && browser.received.length === 1, 'both clients to receive the entry');
  });

  it('a base64url token works as the browser subprotocol; a base64 one is refused when the stream is built', async () => {
    const token = randomBytes(32).toString('base64url');
    const { url } = await startStream({ token });
    const browser = await subscribe(url, {}, [STREAM_SUBPROTOCOL, `entity-logs.bearer.${token}`]);
    expect(browser.socket.protocol).toBe(STREAM_SUBPROTOCOL);

    const base64 = 'c2VjcmV0/dG9rZW4+dG9rZW4=';
    let caught: unknown;
    try {
      createLogging({ console: false, stream: { token: base64 } });
    } catch (error) {
      caught = error;
    }
    expect(ConfigError.isInstance(caught)).toBe(true);
    expect((caught as ConfigError).issues[0]).toMatchObject({ path: 'stream.token', fix: expect.stringMatching(/hex or base64url/) });
    expect((caught as ConfigError).message).not.toContain(base64);
  });

  it('refuses to listen beyond loopback without a token, saying how to fix it', async () => {
    const exposed = createLogging({ console: false, stream: { host: '0.0.0.0' } });
    open.push(exposed);
    await expect(exposed.start()).rejects.toThrow(/listen on 0\.0\.0\.0, beyond this machine, without a token.*Fix: set `stream\.token`/);
    expect(exposed.streamAddress()).toBeUndefined();

    const { url } = await startStream({ host: '0.0.0.0', token: 'lan-token' });
    expect(url).toMatch(/^ws:\/\/0\.0\.0\.0:\d+\/logs$/);
    const local = url.replace('0.0.0.0', '127.0.0.1');
    expect(await refusal(local)).toBe(401);
    await subscribe(local, { authorization: 'Bearer lan-token' });
  });

  it('rejects allowedOrigins entries that are not origins', () => {
    expect(() => createLogging({ console: false, stream: { allowedOrigins: ['studio.example.com'] } })).toThrow(/not an origin; write scheme:\/\/host/);
  });
});
