import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ChatRequest, LLM } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServeHttpOptions } from '../src/index.js';
import { bearer, deferred, KEYS, startTestServer, type TestServer } from './helpers.js';
import { connect, handshake, type TestClient } from './websocket-client.js';

let server: TestServer | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await server?.handle.close();
  server = undefined;
});

async function open(key: string = KEYS.admin): Promise<TestClient> {
  const client = await connect(server!.handle.websocket!.url, { headers: bearer(key) });
  clients.push(client);
  return client;
}

const lastUserText = (request: ChatRequest) => String(request.messages.filter((message) => message.role === 'user').at(-1)?.content ?? '');

/** A model that answers `answer: <message>`, after `gate(message)` resolves. */
function gatedModel(gate: (message: string) => Promise<void> = async () => {}) {
  return async (request: ChatRequest) => {
    const message = lastUserText(request);
    await gate(message);
    return `answer to ${message}`;
  };
}

/** A model that answers only by failing when it is aborted (as a real HTTP call does), and reports the reason. */
function hangingModel() {
  const called = deferred();
  const aborted = deferred<Error>();
  const reply = (request: ChatRequest) => {
    called.resolve();
    return new Promise<string>((_resolve, reject) =>
      request.signal!.addEventListener('abort', () => {
        aborted.resolve(request.signal!.reason as Error);
        reject(request.signal!.reason);
      }),
    );
  };
  return { reply, called: called.promise, aborted: aborted.promise };
}

describe('WebSocket chat', () => {
  it('streams a run\'s events tagged with the client\'s id and numbered, ending with done', async () => {
    server = await startTestServer(['The answer is five.'], { websocket: true });
    const client = await open();
    client.send({ type: 'chat', id: 'req-1', message: 'What is 2+3?', userId: 'alice', conversationId: 'math' });
    const { events, end } = await client.run('req-1');
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events[0]!.event).toMatchObject({ type: 'run-start', userId: 'alice', conversationId: 'math' });
    const tokens = events.filter((event) => event.event.type === 'token').map((event) => event.event.text as string);
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens.join('')).toBe('The answer is five.');
    expect(end).toBe(events.at(-1));
    expect(end).toMatchObject({ event: { type: 'done', text: 'The answer is five.', info: { userId: 'alice', conversationId: 'math', iterations: 1 } } });
  });

  it('runs two chats at once on one socket and keeps their events apart', async () => {
    const releaseFirst = deferred();
    const bothCalled = { count: 0, done: deferred() };
    server = await startTestServer(
      gatedModel(async (message) => {
        if (++bothCalled.count === 2) bothCalled.done.resolve();
        if (message === 'first') await releaseFirst.promise;
      }),
      { websocket: true },
    );
    const client = await open();
    client.send({ type: 'chat', id: 'a', message: 'first', conversationId: 'one' });
    client.send({ type: 'chat', id: 'b', message: 'second', conversationId: 'two' });
    await bothCalled.done.promise; // both runs are in the model at the same time
    const second = await client.run('b');
    expect(second.end).toMatchObject({ event: { type: 'done', text: 'answer to second' } });
    expect(client.messages.some((message) => message.id === 'a' && message.type === 'event' && message.event.type === 'done')).toBe(false);
    releaseFirst.resolve();
    const first = await client.run('a');
    expect(first.end).toMatchObject({ event: { type: 'done', text: 'answer to first' } });
    const text = (events: typeof first.events) => events.filter((event) => event.event.type === 'token').map((event) => event.event.text).join('');
    expect(text(first.events)).toBe('answer to first');
    expect(text(second.events)).toBe('answer to second');
  });

  it('cancels a run on request: the model\'s signal aborts and the client gets run_cancelled; the socket stays usable', async () => {
    const hanging = hangingModel();
    server = await startTestServer((request, index) => (index === 0 ? hanging.reply(request) : 'still here'), { websocket: true });
    const client = await open();
    client.send({ type: 'chat', id: 'slow', message: 'take your time' });
    await hanging.called;
    client.send({ type: 'cancel', id: 'slow' });
    const reason = await hanging.aborted;
    expect((reason as Error & { code: string }).code).toBe('CANCELLED');
    expect(reason.message).toMatch(/the WebSocket client cancelled it/);
    const { end } = await client.run('slow');
    expect(end).toMatchObject({ type: 'error', id: 'slow', code: 'run_cancelled' });
    client.send({ type: 'cancel', id: 'slow' });
    expect((await client.error('slow', 'unknown_run')).message).toMatch(/No run with id "slow" is in progress/);
    client.send({ type: 'chat', id: 'next', message: 'hello?' });
    expect((await client.run('next')).end).toMatchObject({ event: { type: 'done', text: 'still here' } });
  });

  it('cancels the runs of a client that disconnects', async () => {
    const hanging = hangingModel();
    server = await startTestServer(hanging.reply, { websocket: true });
    const client = await open();
    client.send({ type: 'chat', id: 'gone', message: 'hi' });
    await hanging.called;
    client.socket.terminate();
    expect((await hanging.aborted).message).toMatch(/the WebSocket client disconnected/);
    await expect.poll(() => server!.handle.websocket!.runs).toBe(0);
  });
});

describe('WebSocket messages that cannot be served', () => {
  it('answers each bad message with an error naming the problem, and keeps the connection', async () => {
    const release = deferred();
    server = await startTestServer(
      gatedModel(async (message) => {
        if (message === 'hold') await release.promise;
      }),
      { websocket: { maxRunsPerConnection: 2 }, limits: { maxMessageChars: 20 } },
    );
    const client = await open(KEYS.alice);
    client.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect((await client.error(null, 'invalid_message')).message).toMatch(/JSON in text frames/);
    client.send('{"type": "chat", ');
    expect((await client.error(null, 'invalid_json')).message).toMatch(/not valid JSON/);
    client.send({ type: 'shout', id: 't1' });
    expect((await client.error('t1', 'validation_failed')).message).toMatch(/type: must be "chat" or "cancel"/);
    client.send({ type: 'chat' });
    const missing = await client.error(null, 'validation_failed');
    expect(missing.message).toMatch(/message: /);
    expect(missing.message).toMatch(/id: /);
    client.send({ type: 'chat', id: 't2', message: 'hi', temperature: 2 });
    expect((await client.error('t2', 'validation_failed')).message).toMatch(/Unrecognized key: "temperature"/);
    client.send({ type: 'chat', id: 't3', message: 'x'.repeat(21) });
    expect((await client.error('t3', 'validation_failed')).message).toMatch(/message: Too big/);
    client.send({ type: 'chat', id: 'bad id!', message: 'hi' });
    expect((await client.error(null, 'validation_failed')).message).toMatch(/id: use 1-200 letters/);
    client.send({ type: 'chat', id: 't4', message: 'hi', userId: 'bob' });
    expect((await client.error('t4', 'forbidden_user')).message).toMatch(/may not act for user "bob"/);
    // Two runs in progress: a third is refused, and so is a second run with an id in use.
    client.send({ type: 'chat', id: 'h1', message: 'hold' });
    client.send({ type: 'chat', id: 'h2', message: 'hold' });
    client.send({ type: 'chat', id: 'h1', message: 'hold' });
    expect((await client.error('h1', 'duplicate_id')).message).toMatch(/still in progress/);
    client.send({ type: 'chat', id: 'h3', message: 'hold' });
    expect((await client.error('h3', 'too_many_runs')).message).toMatch(/already has 2 runs in progress/);
    expect(server.llm.requests).toHaveLength(2);
    release.resolve();
    expect((await client.run('h1')).end).toMatchObject({ event: { type: 'done', text: 'answer to hold', info: { userId: 'alice' } } });
    expect((await client.run('h2')).end).toMatchObject({ event: { type: 'done' } });
    expect(client.socket.readyState).toBe(client.socket.OPEN);
  });

  it('counts every message against the key\'s rate limit, shared with HTTP', async () => {
    server = await startTestServer(['ok'], { websocket: true, rateLimit: { perIp: false, perKey: { capacity: 3, refillPerSecond: 0.01 } } });
    const client = await open(); // the handshake takes one token
    client.send('not json'); // garbage takes one too
    await client.error(null, 'invalid_json');
    client.send({ type: 'chat', id: 'one', message: 'hi' });
    await client.run('one');
    client.send({ type: 'chat', id: 'two', message: 'hi' });
    const limited = await client.error('two', 'rate_limited');
    expect(limited.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((await fetch(server.url('/v1/agent'), { headers: bearer(KEYS.admin) })).status).toBe(429);
    expect(server.llm.requests).toHaveLength(1);
  });

  it('closes the connection (1009) on a message over limits.maxBodyBytes', async () => {
    server = await startTestServer(['unused'], { websocket: true, limits: { maxBodyBytes: 2048 } });
    const client = await open();
    client.send({ type: 'chat', id: 'big', message: 'x'.repeat(4096) });
    expect((await client.closed).code).toBe(1009);
    expect(server.llm.requests).toHaveLength(0);
  });
});

describe('WebSocket back-pressure and heartbeats', () => {
  /** A model that streams 1 KiB pieces for "flood" until it is aborted, and answers anything else at once. */
  function floodingModel() {
    const aborted = deferred<Error>();
    const base = scriptedLLM((request) => `answer to ${lastUserText(request)}`);
    const llm: LLM = {
      ...base,
      async *stream(request) {
        if (lastUserText(request) !== 'flood') {
          yield* base.stream!(request);
          return;
        }
        request.signal!.addEventListener('abort', () => aborted.resolve(request.signal!.reason as Error));
        while (!request.signal!.aborted) {
          yield { type: 'text-delta', text: 'x'.repeat(1024) };
          await nextTurn();
        }
        throw request.signal!.reason;
      },
    };
    return { llm, aborted: aborted.promise };
  }

  it('drops a client that stops reading, cancels its run, and serves the others meanwhile', async () => {
    const flooding = floodingModel();
    const options: Partial<ServeHttpOptions> = { websocket: { maxBufferedBytes: 64 * 1024 } };
    server = await startTestServer(['unused'], options, { resources: { llm: flooding.llm } });
    const stalled = await open();
    const reader = await open();
    stalled.send({ type: 'chat', id: 'flood', message: 'flood' });
    await stalled.next((message) => message.type === 'event' && message.event.type === 'token');
    stalled.socket.pause(); // stops reading: the kernel buffers fill, then the server's
    const reason = await flooding.aborted;
    expect(reason.message).toMatch(/the WebSocket client stopped reading/);
    expect(server.logger.entries.some((entry) => entry.level === 'warn' && entry.message.includes('dropping a WebSocket client that does not read'))).toBe(true);
    reader.send({ type: 'chat', id: 'fine', message: 'still there?' });
    expect((await reader.run('fine')).end).toMatchObject({ event: { type: 'done', text: 'answer to still there?' } });
    await expect.poll(() => server!.handle.websocket!.connections).toBe(1);
    stalled.socket.resume();
    expect((await stalled.closed).code).toBe(1006); // cut, not closed politely: a close frame would queue behind the backlog
  });

  it('cuts a peer that stops answering pings and cancels its runs; a live peer stays', async () => {
    const hanging = hangingModel();
    server = await startTestServer((request, index) => (index === 0 ? hanging.reply(request) : 'alive'), { websocket: { pingIntervalMs: 1_000 } });
    const dead = await connect(server.handle.websocket!.url, { headers: bearer(KEYS.admin), autoPong: false });
    clients.push(dead);
    const live = await open();
    dead.send({ type: 'chat', id: 'orphan', message: 'hi' });
    await hanging.called;
    expect((await hanging.aborted).message).toMatch(/stopped answering pings/);
    expect((await dead.closed).code).toBe(1006);
    live.send({ type: 'chat', id: 'ok', message: 'hi' });
    expect((await live.run('ok')).end).toMatchObject({ event: { type: 'done', text: 'alive' } });
    expect(live.socket.readyState).toBe(live.socket.OPEN);
    expect(server.handle.websocket!.connections).toBe(1);
  });
});

describe('WebSocket and graceful shutdown', () => {
  it('lets a turn in flight finish, refuses new work, then closes with 1001 and stops the agent', async () => {
    const called = deferred();
    const release = deferred();
    server = await startTestServer(async () => {
      called.resolve();
      await release.promise;
      return 'finished during shutdown';
    }, { websocket: true });
    const client = await open();
    client.send({ type: 'chat', id: 'last', message: 'long turn' });
    await called.promise;
    const closing = server.handle.close();
    client.send({ type: 'chat', id: 'late', message: 'too late' });
    expect((await client.error('late', 'server_draining')).message).toMatch(/shutting down/);
    const refused = await handshake(server.handle.websocket!.url, { headers: bearer(KEYS.admin) }).catch(() => 'refused' as const);
    expect(refused === 'refused' || (!refused.opened && refused.status === 503)).toBe(true);
    release.resolve();
    expect((await client.run('last')).end).toMatchObject({ event: { type: 'done', text: 'finished during shutdown' } });
    expect(await client.closed).toEqual({ code: 1001, reason: 'the server is shutting down' });
    await closing;
    expect(server.llm.requests).toHaveLength(1);
  });

  it('cancels turns still running at the deadline and tells the client why before closing', async () => {
    const hanging = hangingModel();
    server = await startTestServer(hanging.reply, { websocket: true, shutdownTimeoutMs: 50 });
    const client = await open();
    client.send({ type: 'chat', id: 'stuck', message: 'never finishes' });
    await hanging.called;
    await server.handle.close();
    expect((await hanging.aborted).message).toMatch(/the server is shutting down/);
    const { end } = await client.run('stuck');
    expect(end).toMatchObject({ type: 'error', code: 'run_cancelled', message: 'The run was cancelled: the server is shutting down' });
    expect((await client.closed).code).toBe(1001);
  });
});
