import { inMemoryLogger, inMemoryMemory, type Memory } from '@entity/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pgliteMemory } from '@entity/resources-memory';
import { ensurePgliteTemplate, seedPgliteFolder } from '@entity/resources-memory/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deferred, KEYS, startTestServer, type TestServer } from './helpers.js';

// One PGlite database for the file (opening one takes seconds); every server here shares it, as
// instances of one agent behind a load balancer share their Postgres. A copy of an initialised
// database, so the first test does not pay for an initdb.
const FOLDER = mkdtempSync(join(tmpdir(), 'entity-http-idempotency-'));
await ensurePgliteTemplate();
const DATABASE = seedPgliteFolder(join(FOLDER, 'db'));
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.handle.close()));
});
// Opened before the tests, under a hook's budget: on a loaded machine PGlite's start alone can
// take most of a test's 30 s.
beforeAll(async () => {
  await sharedMemory();
}, 120_000);
afterAll(async () => {
  await keeper?.stop();
  rmSync(FOLDER, { recursive: true, force: true });
});

let keeper: { stop(): Promise<void> } | undefined;
/** A memory over the shared database. The first one is kept open for the whole file so PGlite stays up. */
async function sharedMemory(): Promise<Memory> {
  if (!keeper) {
    const first = pgliteMemory({ path: DATABASE, embedder: 'hashing' }) as unknown as Memory & { start(context: unknown): Promise<void>; stop(): Promise<void> };
    const log = inMemoryLogger({ echoLevel: false });
    await first.start({ name: 'memory', resource: () => undefined, has: () => false, log, signal: new AbortController().signal });
    keeper = first;
  }
  return pgliteMemory({ path: DATABASE, embedder: 'hashing' }) as unknown as Memory;
}

async function serve(...args: Parameters<typeof startTestServer>): Promise<TestServer> {
  const server = await startTestServer(...args);
  servers.push(server);
  return server;
}

function chat(server: TestServer, body: object, key: string | undefined, path = '/v1/chat', credential: string = KEYS.admin) {
  return fetch(server.url(path), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}`, ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
  });
}

const recordCount = async (memory: Memory) => Number((await memory.database!.sql<{ count: string | number }>('SELECT count(*) AS count FROM entity_http_idempotency')).rows[0]!.count);

describe('Idempotency-Key on the memory database (PGlite)', () => {
  it('runs a turn once for concurrent retries: every retry gets the first response', async () => {
    const release = deferred();
    const memory = await sharedMemory();
    const server = await serve(async () => {
      await release.promise;
      return 'Booked: table for two.';
    }, {}, { resources: { memory } });
    const body = { message: 'Book a table for two', userId: 'alice', conversationId: 'booking' };
    const retries = Array.from({ length: 5 }, () => chat(server, body, 'booking-7f3a'));
    await expect.poll(() => server.llm.requests.length).toBe(1);
    release.resolve();
    const responses = await Promise.all(retries);
    const bodies = await Promise.all(responses.map((response) => response.text()));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0]!)).toMatchObject({ text: 'Booked: table for two.', info: { userId: 'alice', conversationId: 'booking' } });
    expect(responses.filter((response) => response.headers.get('idempotent-replayed') === 'true')).toHaveLength(4);
    expect(server.llm.requests).toHaveLength(1);
    const stored = await server.agent.resource<Memory>('memory').loadMessages({ userId: 'alice', conversationId: 'booking' });
    expect(stored.map((entry) => entry.message.role)).toEqual(['user', 'assistant']);
    // Stored in the memory's database: one record for the five requests.
    expect(await recordCount(memory)).toBe(1);

    // A later retry, and another instance over the same database, replay it too.
    const later = await chat(server, body, 'booking-7f3a');
    expect(later.headers.get('idempotent-replayed')).toBe('true');
    // A replay is an ordinary response of this server: JSON, not cached, with the security headers.
    expect(later.headers.get('content-type')).toMatch(/^application\/json/);
    expect(later.headers.get('cache-control')).toBe('no-store');
    expect(later.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await later.text()).toBe(bodies[0]);
    const other = await serve(['never used'], {}, { resources: { memory: await sharedMemory() } });
    const elsewhere = await chat(other, body, 'booking-7f3a');
    expect(await elsewhere.text()).toBe(bodies[0]);
    expect(other.llm.requests).toHaveLength(0);
  });

  it('refuses the same key with another request (422), scopes keys per user, and covers chat completions', async () => {
    const server = await serve(['first', 'for bob', 'completion', 'streamed'], {}, { resources: { memory: await sharedMemory() } });
    expect((await chat(server, { message: 'one', userId: 'alice' }, 'k-1')).status).toBe(200);
    const reused = await chat(server, { message: 'two', userId: 'alice' }, 'k-1');
    expect(reused.status).toBe(422);
    expect(((await reused.json()) as { error: { code: string } }).error.code).toBe('idempotency_key_reused');
    // Another user's request with the same key is its own record.
    const bob = await chat(server, { message: 'one', userId: 'bob' }, 'k-1');
    expect(((await bob.json()) as { text: string }).text).toBe('for bob');

    const completion = { model: 'test-agent', messages: [{ role: 'user', content: 'hi' }] };
    const first = await chat(server, completion, 'k-2', '/v1/chat/completions');
    const again = await chat(server, completion, 'k-2', '/v1/chat/completions');
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.text()).toBe(await first.text());
    expect(server.llm.requests).toHaveLength(3);

    const streamed = await chat(server, { ...completion, stream: true }, 'k-3', '/v1/chat/completions');
    expect(streamed.status).toBe(400);
    expect(((await streamed.json()) as { error: { code: string } }).error.code).toBe('idempotency_not_supported');
    const malformed = await chat(server, { message: 'x' }, 'has spaces in it');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { message: string } }).error.message).toMatch(/^Invalid header idempotency-key: .*use 1-255 visible ASCII characters/);
    expect(server.llm.requests).toHaveLength(3);
  });

  it('frees the key when the first request did not finish (cancelled), so the retry runs the turn', async () => {
    const modelCalled = deferred();
    const server = await serve(
      (request, index) => {
        if (index > 0) return 'Second try worked.';
        modelCalled.resolve();
        return new Promise<string>((_resolve, reject) => request.signal!.addEventListener('abort', () => reject(request.signal!.reason)));
      },
      {},
      { resources: { memory: await sharedMemory() } },
    );
    const client = new AbortController();
    const body = JSON.stringify({ message: 'flaky network', userId: 'carol' });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${KEYS.admin}`, 'idempotency-key': 'k-cancel' };
    const first = fetch(server.url('/v1/chat'), { method: 'POST', headers, body, signal: client.signal }).catch((error: unknown) => error);
    await modelCalled.promise;
    client.abort();
    await first;
    // The cancelled run releases its claim once it has unwound.
    await expect
      .poll(async () => {
        const retry = await fetch(server.url('/v1/chat'), { method: 'POST', headers, body });
        return retry.status === 200 ? ((await retry.json()) as { text: string }).text : retry.status;
      })
      .toBe('Second try worked.');
    expect(server.llm.requests).toHaveLength(2);
  });
});

describe('Idempotency-Key without a database (process memory)', () => {
  it('runs a turn once for concurrent retries on /v1/chat/completions', async () => {
    const release = deferred();
    const server = await serve(async () => {
      await release.promise;
      return 'Only once.';
    }, {}, { resources: { memory: inMemoryMemory() } });
    const completion = { model: 'test-agent', messages: [{ role: 'user', content: 'hi' }] };
    const retries = Array.from({ length: 4 }, () => chat(server, completion, 'proc-1', '/v1/chat/completions'));
    await expect.poll(() => server.llm.requests.length).toBe(1);
    release.resolve();
    const bodies = await Promise.all(retries.map(async (response) => (await response).text()));
    expect(new Set(bodies).size).toBe(1);
    expect(server.llm.requests).toHaveLength(1);
  });

  it('refuses the header when idempotency is turned off', async () => {
    const server = await serve(['unused'], { idempotency: false });
    const response = await chat(server, { message: 'hi' }, 'k');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('idempotency_disabled');
    expect(server.llm.requests).toHaveLength(0);
  });
});

describe('Idempotency-Key after the conversation is deleted', () => {
  const memories: [string, () => Promise<Memory>][] = [
    ['the memory database (PGlite)', sharedMemory],
    ['process memory', async () => inMemoryMemory()],
  ];
  for (const [where, memoryOf] of memories) {
    it(`does not replay a deleted conversation's answer (${where})`, async () => {
      const server = await serve(['the private answer', 'a fresh answer'], {}, { resources: { memory: await memoryOf() } });
      const body = { message: 'secret', userId: 'alice', conversationId: `deleted-${where.length}` };
      expect((await chat(server, body, 'replay-after-delete')).status).toBe(200);
      const replay = await chat(server, body, 'replay-after-delete');
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      const deleted = await fetch(server.url(`/v1/conversations/${body.conversationId}?userId=alice`), { method: 'DELETE', headers: { authorization: `Bearer ${KEYS.admin}` } });
      expect(deleted.status).toBe(204);
      const again = await chat(server, body, 'replay-after-delete');
      expect(again.headers.get('idempotent-replayed')).toBeNull();
      expect(await again.text()).not.toContain('the private answer');
      expect(server.llm.requests).toHaveLength(2);
    });
  }
});
